// The local stack end to end: real SMTP in, the real handlers on real servers, the SES outbox out.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../bin/local/aws-clients';
import { readOutbox } from '../../bin/local/ses-local';
import { outboxHeader } from '../../bin/local/ses-outbox';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { plainMail, sesStoredMail } from '../support/mail';
import { startStackHarness, type StackHarness } from '../support/stack-harness';

const run = promisify(execFile);
const DESK = DEFAULT_DESK_CONFIG.desks[0]!.address;

interface TicketDetail {
  status: string;
  subject: string;
  messages: { direction: string; threadedBy: string; held: boolean; reply: string; authentication: unknown; authenticity: unknown }[];
  deliveries: { kind: string; status: string }[];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the local stack', () => {
  let h: StackHarness;
  /** A customer's mail server: a pool of SMTP connections to the stack. */
  const customer = () => h.smtp({ pool: true, maxConnections: 4 });

  beforeAll(async () => {
    h = await startStackHarness();
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('turns mail into a ticket, acknowledges it, threads the reply, and mails the agent answer but not the note', async () => {
    // Arrange
    const smtp = customer();
    const customerAddress = `ann-${Date.now()}@example.com`;

    // Act: a customer writes in
    const customerMessageId = `<first-${Date.now()}@example.com>`;
    await smtp.sendMail({
      from: `"Ann" <${customerAddress}>`,
      to: DESK,
      subject: 'Printer on fire',
      text: 'It is on fire. Please help.',
      messageId: customerMessageId,
    });

    // Assert: a ticket in the API, an acknowledgement in the outbox
    const ticket = await until('the ticket', async () => {
      const { items } = await h.api<{ items: { id: string; number: number; requester: { address: string } }[] }>(
        'GET',
        '/api/tickets?status=open&limit=100',
      );
      return items.find((t) => t.requester.address === customerAddress);
    });
    const [ack] = await until('the acknowledgement', async () => {
      const emails = await h.outboxFor(customerAddress);
      return emails.length > 0 ? emails : undefined;
    });
    expect(ack!.subject).toBe(`Re: Printer on fire [#${ticket.number}]`);
    // The outbox shows the threading headers as sent: the acknowledgement answers the customer's mail, automatically.
    expect(outboxHeader(ack!, 'In-Reply-To')).toBe(customerMessageId);
    expect(outboxHeader(ack!, 'References')).toBe(customerMessageId);
    expect(outboxHeader(ack!, 'Auto-Submitted')).toBe('auto-replied');
    expect(outboxHeader(ack!, 'Message-ID')).toMatch(/@desk\.localhost>$/);
    const replyTo = ack!.replyTo[0]!.replace(/^.*</, '').replace(/>.*$/, '');
    expect(replyTo).toMatch(/^support\+[0-9a-z]{48}@desk\.localhost$/);

    // Act: the customer answers the acknowledgement (to its Reply-To, as a mail client does)
    await smtp.sendMail({ from: customerAddress, to: replyTo, subject: `Re: ${ack!.subject}`, text: 'Now it is smoking too.' });
    const threaded = await until('the threaded reply', async () => {
      const detail = await h.api<{ messages: { direction: string; threadedBy: string; reply: string }[] }>(
        'GET',
        `/api/tickets/${ticket.id}`,
      );
      return detail.messages.length === 2 ? detail : undefined;
    });
    expect(threaded.messages[1]).toMatchObject({ direction: 'inbound', threadedBy: 'reply-token' });

    // Act: an agent answers publicly, then writes an internal note
    await h.api('POST', `/api/tickets/${ticket.id}/messages`, { body: 'We are sending a **technician**.', internal: false });
    await h.api('POST', `/api/tickets/${ticket.id}/messages`, { body: 'Internal: customer sounds worried.', internal: true });
    await h.stack.settled();

    // Assert: the answer reached the customer, the note did not, and nothing was sent twice
    const emails = await h.outboxFor(customerAddress);
    expect(emails).toHaveLength(2);
    expect(emails[1]!.body.text).toContain('technician');
    expect(outboxHeader(emails[1]!, 'Auto-Submitted')).toBeNull();
    expect(outboxHeader(emails[1]!, 'References')).toContain(customerMessageId);
    expect(emails.some((email) => `${email.body.text}${email.body.html}`.includes('Internal'))).toBe(false);
    smtp.close();
  }, 180_000);

  it('keeps the sign-in code and the SES outbox, raw mail included, across a restart', async () => {
    // Arrange: what the first run shows (the test above left mail in the outbox).
    const code = h.stack.signInCode;
    const before = await readOutbox(h.stack.urls.outbox);
    expect(before.emails.length).toBeGreaterThan(0);
    const raw = await (await fetch(new URL(before.emails[0]!.rawUrl, h.stack.urls.outbox))).text();

    // Act
    await h.restart();

    // Assert: the same code signs in, the outbox lists the same mail, and its raw messages are still served.
    expect(h.stack.signInCode).toBe(code);
    expect(h.stack.signInCode).toMatch(/^\d{6}$/);
    const signIn = await fetch(`${h.stack.urls.dashboard}/api/auth/local`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: h.agent.email, code }),
    });
    expect(signIn.status).toBe(200);
    expect((await readOutbox(h.stack.urls.outbox)).emails).toEqual(before.emails);
    expect(await (await fetch(new URL(before.emails[0]!.rawUrl, h.stack.urls.outbox))).text()).toBe(raw);
    expect(raw).toMatch(/^Message-ID: </m);
  }, 180_000);

  it("ingests raw mail put straight into the mail bucket under inbound/ as it ingests SMTP mail, reading SES's verdicts", async () => {
    // Arrange: the same mail from two senders: one over SMTP (no verdicts: the stand-in has no DNS), one stored by hand
    // with the header block SES prepends on top (contract 6).
    const viaSmtp = `smtp-${Date.now()}@example.com`;
    const viaBucket = `bucket-${Date.now()}@example.com`;
    const text = 'Same mail, two ways in.';

    // Act
    await h.send({ from: viaSmtp, subject: 'Two ways in', text });
    const raw = sesStoredMail(plainMail({ from: viaBucket, subject: 'Two ways in', body: text }), {
      spam: 'PASS',
      virus: 'PASS',
      spf: 'pass',
      dkim: 'pass',
      dmarc: 'pass',
    });
    await createS3Client(h.stack.urls.s3).send(
      new PutObjectCommand({ Bucket: h.env.bucket, Key: `inbound/by-hand-${Date.now()}`, Body: raw }),
    );
    await h.stack.settled();

    // Assert: one open ticket each with the same message, each acknowledged; only the stored one carries verdicts.
    const ticketOf = async (address: string) => {
      const { items } = await h.api<{ items: { id: string }[] }>('GET', `/api/requesters/${encodeURIComponent(address)}/tickets`);
      expect(items).toHaveLength(1);
      return h.api<TicketDetail>('GET', `/api/tickets/${items[0]!.id}`);
    };
    const [smtp, bucket] = await Promise.all([ticketOf(viaSmtp), ticketOf(viaBucket)]);
    for (const ticket of [smtp, bucket]) {
      expect(ticket).toMatchObject({ status: 'open', subject: 'Two ways in' });
      expect(ticket.messages).toMatchObject([{ direction: 'inbound', threadedBy: 'new-ticket', held: false, reply: text }]);
      // The customer's acknowledgement, and the team's notice of the new ticket.
      expect(ticket.deliveries.filter((d) => d.kind !== 'agent-notice')).toMatchObject([{ kind: 'ack', status: 'sent' }]);
      expect(ticket.deliveries.filter((d) => d.kind === 'agent-notice')).toMatchObject([{ status: 'sent' }]);
    }
    expect(smtp.messages[0]).toMatchObject({
      authentication: { spf: null, dkim: null, dmarc: null },
      authenticity: { verdict: 'unknown' },
    });
    expect(bucket.messages[0]).toMatchObject({
      authentication: { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
      authenticity: { verdict: 'pass' },
    });
  }, 120_000);

  it('replays stored mail with `sesdesk replay`, which finds every email already ingested', async () => {
    // Asynchronous on purpose: the stack runs in this process, and a blocking spawn would freeze it.
    const result = await run(process.execPath, ['bin/sesdesk.js', 'replay', '--all'], {
      env: { ...process.env, ...h.vars },
      timeout: 120_000,
    }).catch((error: { code?: number; stdout: string; stderr: string }) => ({ ...error, status: error.code ?? -1 }));

    expect('status' in result ? result.status : 0, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^sesdesk replay: \d+ replayed: \d+ duplicate$/m);
  }, 150_000);

  it('loses and doubles nothing when it restarts in the middle of a burst of 100 emails', async () => {
    const burst = `burst-${Date.now()}`;
    const smtp = customer();
    const send = (transport: ReturnType<typeof customer>, i: number) =>
      // A fixed Message-ID: an MTA that retries sends the same message again, not a new one.
      transport.sendMail({
        from: `${burst}-${i}@example.com`,
        to: DESK,
        subject: `${burst} #${i}`,
        text: `Email ${i} of the burst.`,
        messageId: `<${burst}-${i}@example.com>`,
      });
    const outcomes = Array.from({ length: 100 }, (_, i) =>
      send(smtp, i).then(
        () => 'accepted' as const,
        () => 'refused' as const,
      ),
    );

    // Stop once about half were accepted; what the stopped server refused is sent again later, as an MTA retries.
    // A message stored just before the stop whose 250 never reached the client is sent twice: ingest must
    // recognise the second copy by its Message-ID.
    await Promise.all(outcomes.slice(0, 50));
    const burstMail = async () =>
      (await readOutbox(h.stack.urls.outbox)).emails.filter((e) => e.destination.to.some((to) => to.includes(burst)));
    const sentBefore = await burstMail();
    let refused: number[] = [];
    await h.restart(async () => {
      refused = (await Promise.all(outcomes)).flatMap((outcome, i) => (outcome === 'refused' ? [i] : []));
      smtp.close();
    });

    const retry = customer();
    await Promise.all(refused.map((i) => send(retry, i)));
    retry.close();
    await h.stack.settled();

    // Every email is a ticket, none twice
    const tickets: { subject: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { subject: string }[]; cursor: string | null } = await h.api(
        'GET',
        `/api/tickets?status=open&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      tickets.push(...page.items.filter((t) => t.subject.startsWith(burst)));
      cursor = page.cursor;
    } while (cursor);
    expect(new Set(tickets.map((t) => t.subject)).size).toBe(100);
    expect(tickets, 'tickets for the burst').toHaveLength(100);

    // Each acknowledgement was sent once; the outbox kept what was sent before the restart.
    const sent = await burstMail();
    expect(sent.map((email) => email.messageId)).toEqual(expect.arrayContaining(sentBefore.map((email) => email.messageId)));
    const recipients = sent.map((email) => email.destination.to[0]);
    expect(recipients, 'acknowledgements for the burst').toHaveLength(100);
    expect(new Set(recipients).size).toBe(100);
  }, 300_000);
});
