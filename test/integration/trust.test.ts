// Trust what arrives, end to end on real servers: forged reports mark nobody, strangers and spoofed senders are held,
// duplicates are the same mail (not the same Message-ID), and nothing a parser limit drops goes unsaid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createS3Client, LOCAL_REGION } from '../../bin/local/aws-clients';
import { createIngestHandler } from '../../functions/ingest/create-handler';
import { createIngestDeps } from '../../functions/ingest/deps';
import { keys } from '../../functions/contracts';
import { normalizeMessageId } from '../../functions/core/ids';
import { sesHeaderMessageId } from '../../functions/core/notify/ses-message-id';
import { unsubscribeUrl } from '../../functions/core/notify/unsubscribe';
import { composeMail, deliveryStatusReport, feedbackReport, manyPartsMail, plainMail, sesStoredMail } from '../support/mail';
import { sentMessageId, startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';
import { getTicket, uniqueCustomer } from '../support/shared-desk';
import { TEST_TOKEN_KEYS } from '../support/secret';

const DESK = 'support@desk.localhost';

interface MessageJson {
  id: string;
  from: { address: string };
  held: boolean;
  heldReason?: string;
  heldResolution?: { action: string; by: string; ticketId?: string };
  threadedBy: string;
  text: string;
  notices?: string[];
  authentication?: { spf: string | null; dkim: string | null; dmarc: string | null };
  authenticity?: { verdict: string };
  attachments: { key: string; filename: string; quarantined?: boolean }[];
}
interface TicketJson {
  id: string;
  number: number;
  status: string;
  requester: { address: string };
  participants: { address: string }[];
  messages: MessageJson[];
  deliveries: { kind: string; recipient: { address: string }; status: string }[];
  addressStates: Record<string, { state: string; history?: { why: string; clearedBy: string }[] }>;
}

let h: RuntimeHarness;
const s3Client = createS3Client(inject('s3Endpoint'));
beforeAll(async () => {
  h = await startRuntimeHarness({ name: 'trust' });
});
afterAll(() => h.stop());

const person = uniqueCustomer;

/** The ticket with its customer deliveries (team notifications are covered by workflow.test.ts). */
async function ticketOf(id: string): Promise<TicketJson> {
  const json = await getTicket<TicketJson>(h, id);
  return { ...json, deliveries: json.deliveries.filter((d) => d.kind !== 'agent-notice') };
}

async function addressItem(address: string) {
  return (await h.items()).find((i) => i.pk === keys.address(address).pk) ?? null;
}

/** A new ticket from `requester` (with `cc`), its acknowledgement sent; returns the ticket and the customer's Message-ID. */
async function openedTicket(requester: string, subject: string, cc?: string) {
  const messageId = `<${uniqueCustomer('message')}>`;
  const result = await h.receive(plainMail({ from: requester, cc, subject, messageId }));
  expect(result.outcome).toBe('ticket-created');
  await h.settled();
  return { ticketId: result.ticketId!, messageId };
}

describe('bounces and complaints act only on mail we sent', () => {
  it('marks nobody for a forged DSN from MAIL FROM:<> that names 20 customers, and records it ignored', async () => {
    const victims = Array.from({ length: 20 }, (_, i) => person(`victim${i}`));

    const result = await h.receive(sesStoredMail(deliveryStatusReport({ failed: victims })));

    expect(result.outcome).toBe('ignored');
    expect(result.reason).toMatch(/^bounce not acted on: it refers to no email the desk sent/);
    for (const victim of victims.slice(0, 3)) expect(await addressItem(victim)).toBeNull();
    // A later acknowledgement to one of them still goes out.
    const { ticketId } = await openedTicket(victims[0]!, 'Still reachable');
    expect((await ticketOf(ticketId)).deliveries).toMatchObject([{ kind: 'ack', status: 'sent' }]);
  });

  it('marks nobody for a forged ARF complaint about a customer', async () => {
    const bob = person('bob');
    const result = await h.receive(feedbackReport({ failed: [bob], original: plainMail({ from: DESK, to: bob, subject: 'Hi' }) }));
    expect(result).toMatchObject({ outcome: 'ignored' });
    expect(result.reason).toMatch(/^complaint not acted on: it refers to no email the desk sent/);
    expect(await addressItem(bob)).toBeNull();
  });

  it('marks exactly the recipient of our acknowledgement that really bounced, and the delivery bounced', async () => {
    const ann = person('ann');
    const carol = person('carol');
    const { ticketId } = await openedTicket(ann, 'Bounce me');
    const ack = h.sent.find((s) => s.to === ann)!;
    // The DSN returns our acknowledgement and, as a forger would add, names Carol too.
    const dsn = deliveryStatusReport({ failed: [ann, carol], original: ack.raw, from: 'MAILER-DAEMON@amazonses.com' });

    const result = await h.receive(sesStoredMail(dsn));

    expect(result).toMatchObject({ outcome: 'bounce', ticketId });
    expect(await addressItem(ann)).toMatchObject({ state: 'undeliverable' });
    expect(await addressItem(carol)).toBeNull();
    const ticket = await ticketOf(ticketId);
    expect(ticket.deliveries).toMatchObject([{ kind: 'ack', status: 'bounced' }]);
    expect(ticket.status).toBe('open');
  });

  it('matches a bounce by the Message-ID SES gave our email, and refuses one about our email to Ann that names Carol', async () => {
    const ann = person('ann');
    const carol = person('carol');
    const { ticketId } = await openedTicket(ann, 'SES id bounce');
    const outbox = await h.outboxFor(ann);
    const sesForm = sesHeaderMessageId(outbox.at(-1)!.messageId, LOCAL_REGION);
    const ack = h.sent.find((s) => s.to === ann)!;
    const returned = ack.raw.replace(sentMessageId(ack.raw), sesForm);

    const wrongPerson = await h.receive(deliveryStatusReport({ failed: [carol], original: returned }));
    const right = await h.receive(deliveryStatusReport({ failed: [ann], original: returned }));

    expect(wrongPerson.outcome).toBe('ignored');
    expect(wrongPerson.reason).toMatch(/names carol-.*, but the email of ours it refers to went to someone else/);
    expect(await addressItem(carol)).toBeNull();
    expect(right).toMatchObject({ outcome: 'bounce', ticketId });
    expect(await addressItem(ann)).toMatchObject({ state: 'undeliverable' });
  });

  it('lets an agent clear the undeliverable state from the ticket, with a note and the history kept', async () => {
    const ann = person('ann');
    const { ticketId } = await openedTicket(ann, 'Clear me');
    const ack = h.sent.find((s) => s.to === ann)!;
    await h.receive(deliveryStatusReport({ failed: [ann], original: ack.raw }));
    expect((await ticketOf(ticketId)).addressStates[ann]).toMatchObject({ state: 'undeliverable' });

    const noReason = await h.call('POST', `/api/tickets/${ticketId}/addresses/${encodeURIComponent(ann)}/clear`, { body: {} });
    const cleared = await h.call('POST', `/api/tickets/${ticketId}/addresses/${encodeURIComponent(ann)}/clear`, {
      body: { reason: 'Ann fixed her mailbox' },
    });
    const again = await h.call('POST', `/api/tickets/${ticketId}/addresses/${encodeURIComponent(ann)}/clear`, {
      body: { reason: 'twice' },
    });

    expect(noReason.status).toBe(400);
    expect(cleared.status).toBe(200);
    expect(again.status).toBe(400);
    const ticket = await ticketOf(ticketId);
    expect(ticket.addressStates[ann]).toBeUndefined();
    expect(ticket.messages.at(-1)!.text).toMatch(/cleared the undeliverable state of .*Why: Ann fixed her mailbox/);
    expect(await addressItem(ann)).toMatchObject({
      history: [{ state: 'undeliverable', clearedBy: h.config.team[0]!.email, why: 'Ann fixed her mailbox' }],
    });
    expect((await addressItem(ann))!.state).toBeUndefined();
  });
});

describe('strangers and spoofed senders are held, not threaded', () => {
  it("holds a stranger's reply by Message-ID on the ticket: the closed ticket stays closed, nobody is mailed", async () => {
    const ann = person('ann');
    const { ticketId, messageId } = await openedTicket(ann, 'Closed one');
    expect((await h.call('PATCH', `/api/tickets/${ticketId}`, { body: { status: 'closed' } })).status).toBe(200);
    const sentBefore = h.sent.length;
    const stranger = plainMail({ from: 'mallory@evil.example', subject: 'Re: Closed one', inReplyTo: messageId, body: 'Reopen!' });

    const { key, results } = await h.deliver(stranger);
    const again = await h.ingest(h.event(key));
    await h.settled();

    expect(results[0]).toMatchObject({ outcome: 'held', ticketId });
    expect(results[0]!.reason).toMatch(/^held on ticket #\d+ \(matched by message-id\): the sender mallory@evil\.example is not/);
    expect(again[0]!.outcome).toBe('duplicate');
    const ticket = await ticketOf(ticketId);
    expect(ticket.status).toBe('closed');
    const held = ticket.messages.filter((m) => m.held);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ threadedBy: 'message-id', from: { address: 'mallory@evil.example' } });
    expect(ticket.participants.map((p) => p.address)).not.toContain('mallory@evil.example');
    expect(ticket.deliveries).toHaveLength(1);
    // The team hears only that a held message awaits review (workflow.test.ts); no one else is mailed.
    const team = new Set(h.config.team.map((m) => m.email));
    expect(h.sent.slice(sentBefore).filter((m) => !team.has(m.to))).toEqual([]);
  });

  it('holds a participant whose mail fails DMARC in the header SES put on top, ignoring a lower forged pass', async () => {
    const ann = person('ann');
    const bob = person('bob');
    const { ticketId } = await openedTicket(ann, 'Spoof target', bob);
    const { number } = await ticketOf(ticketId);
    const forged = [
      'Received: by mx.attacker.example with SMTP id 1; Mon, 20 Mar 2023 03:11:40 +0000',
      'Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass',
      plainMail({ from: bob, subject: `Re: Spoof target [#${number}]`, body: 'Send the refund to my new account.' }),
    ].join('\r\n');

    const spoofed = await h.receive(sesStoredMail(forged, { spam: 'PASS', virus: 'PASS', spf: 'fail', dkim: 'none', dmarc: 'fail' }));
    const real = await h.receive(
      sesStoredMail(plainMail({ from: bob, subject: `Re: Spoof target [#${number}]`, body: 'Me too.' }), {
        spf: 'pass',
        dkim: 'pass',
        dmarc: 'pass',
      }),
    );

    expect(spoofed).toMatchObject({ outcome: 'held', ticketId });
    expect(spoofed.reason).toMatch(/matched by subject-tag\): the sender .* failed authentication \(DMARC failed/);
    expect(real).toMatchObject({ outcome: 'reply-added', ticketId, reason: 'threaded by subject-tag' });
    const messages = (await ticketOf(ticketId)).messages;
    expect(messages.find((m) => m.text.includes('refund'))).toMatchObject({
      held: true,
      authentication: { spf: 'fail', dkim: 'none', dmarc: 'fail' },
      authenticity: { verdict: 'fail' },
    });
    expect(messages.find((m) => m.text.includes('Me too'))).toMatchObject({ held: false, authenticity: { verdict: 'pass' } });
  });

  it('opens a ticket without an acknowledgement for a spoofed sender that matches nothing', async () => {
    const victim = person('victim');
    const result = await h.receive(
      sesStoredMail(plainMail({ from: victim, subject: 'Fake order' }), { spf: 'fail', dkim: 'fail', dmarc: 'fail' }),
    );
    await h.settled();
    expect(result.outcome).toBe('ticket-created');
    expect(result.reason).toMatch(/spoofed sender, no acknowledgement/);
    expect((await ticketOf(result.ticketId!)).deliveries).toEqual([]);
    expect(await h.outboxFor(victim)).toEqual([]);
  });

  it('lets an agent accept a held message: the sender joins, the ticket reopens, a second accept is refused', async () => {
    const ann = person('ann');
    const colleague = person('colleague');
    const { ticketId, messageId } = await openedTicket(ann, 'Accept me');
    await h.call('PATCH', `/api/tickets/${ticketId}`, { body: { status: 'closed' } });
    await h.receive(plainMail({ from: colleague, subject: 'Re: Accept me', inReplyTo: messageId, body: 'I work with Ann.' }));
    const held = (await ticketOf(ticketId)).messages.find((m) => m.held)!;

    const accepted = await h.call<{ status: string }>('POST', `/api/tickets/${ticketId}/messages/${held.id}/accept`);
    const twice = await h.call('POST', `/api/tickets/${ticketId}/messages/${held.id}/accept`);

    expect(accepted.status).toBe(200);
    expect(twice.status).toBe(409);
    const ticket = await ticketOf(ticketId);
    expect(ticket.status).toBe('open');
    expect(ticket.participants.map((p) => p.address)).toContain(colleague);
    expect(ticket.messages.find((m) => m.id === held.id)).toMatchObject({ held: false, heldResolution: { action: 'accepted' } });
    // Now a participant, the colleague's next reply by Message-ID threads.
    const next = await h.receive(plainMail({ from: colleague, subject: 'Re: Accept me', inReplyTo: messageId, body: 'More.' }));
    expect(next).toMatchObject({ outcome: 'reply-added', ticketId });
  });

  it("lets an agent move a held message to a new ticket of its sender, where the sender's replies then thread", async () => {
    const ann = person('ann');
    const other = person('other');
    const { ticketId, messageId } = await openedTicket(ann, 'Move me');
    const strangerId = `<${Date.now()}.stranger@customer.example>`;
    await h.receive(
      plainMail({ from: other, subject: 'Re: Move me', inReplyTo: messageId, messageId: strangerId, body: 'Different problem.' }),
    );
    const held = (await ticketOf(ticketId)).messages.find((m) => m.held)!;

    const moved = await h.call<{ id: string; number: number; requester: { address: string } }>(
      'POST',
      `/api/tickets/${ticketId}/messages/${held.id}/move`,
    );

    expect(moved.status).toBe(201);
    expect(moved.json.requester.address).toBe(other);
    const fresh = await ticketOf(moved.json.id);
    expect(fresh.messages).toMatchObject([{ text: expect.stringContaining('Different problem.'), held: false }]);
    expect(fresh.deliveries).toEqual([]);
    const old = await ticketOf(ticketId);
    expect(old.messages.find((m) => m.id === held.id)).toMatchObject({ heldResolution: { action: 'moved', ticketId: moved.json.id } });
    expect(old.messages.at(-1)!.text).toMatch(new RegExp(`moved the held message from .* to a new ticket #${moved.json.number}`));
    const reply = await h.receive(plainMail({ from: other, subject: 'Re: Different problem', inReplyTo: strangerId, body: 'Any news?' }));
    expect(reply).toMatchObject({ outcome: 'reply-added', ticketId: moved.json.id });
  });

  it("opens a new ticket instead of holding when the desk's setting says new-ticket", async () => {
    const settings = await h.call<Record<string, unknown>>('GET', '/api/settings/support');
    await h.call('PUT', '/api/settings/support', { body: { ...settings.json, strangers: 'new-ticket' } });
    try {
      const ann = person('ann');
      const { ticketId, messageId } = await openedTicket(ann, 'Policy');
      // Settings are cached per container for a minute: a fresh container (ingest dependencies) reads them now.
      const fresh = createIngestDeps({
        documents: h.runtime.documents,
        s3: s3Client,
        tableName: h.tableName,
        config: h.config,
        tokenKeys: TEST_TOKEN_KEYS,
        log: h.log,
      });
      const ingest = createIngestHandler(async () => fresh);
      const key = await h.put(plainMail({ from: 'walkin@example.org', subject: 'Re: Policy', inReplyTo: messageId }));

      const [result] = await ingest(h.event(key));

      expect(result!.outcome).toBe('ticket-created');
      expect(result!.ticketId).not.toBe(ticketId);
    } finally {
      await h.call('PUT', '/api/settings/support', { body: { ...settings.json, strangers: 'hold' } });
    }
  });
});

describe('duplicates are the same mail, not the same Message-ID', () => {
  it('puts a different mail that reuses a Message-ID on a ticket, noting the clash, while the same mail stored twice is a duplicate', async () => {
    const reused = `<fixed-${Date.now()}@mailer.example>`;
    const first = plainMail({ from: person('ann'), subject: 'Order 1', messageId: reused, body: 'First order.' });
    const second = plainMail({ from: person('zed'), subject: 'Order 2', messageId: reused, body: 'Second, different order.' });

    const a = await h.receive(sesStoredMail(first));
    const b = await h.receive(sesStoredMail(second));
    const again = await h.receive(sesStoredMail(first));

    expect(a.outcome).toBe('ticket-created');
    expect(b.outcome).toBe('ticket-created');
    expect(b.ticketId).not.toBe(a.ticketId);
    expect(again).toMatchObject({ outcome: 'duplicate', ticketId: a.ticketId });
    expect(again.reason).toMatch(/^the same email was already stored as inbound\//);
    const [message] = (await ticketOf(b.ticketId!)).messages;
    expect(message!.text).toContain('Second, different order.');
    expect(message!.notices?.join(' ')).toMatch(/Another email already used this Message-ID/);
    // The id keeps pointing where it first went.
    const index = (await h.items()).find((i) => i.pk === keys.messageId(normalizeMessageId(reused)).pk);
    expect(index).toMatchObject({ ticketId: a.ticketId });
  });
});

describe('nothing dropped without a word', () => {
  it('keeps the text of a 1,200-part mail and says on the ticket what the parts limit dropped', async () => {
    // Text parts: storing a thousand attachments would only time s3rver (the parser test counts them).
    const result = await h.receive(manyPartsMail(1200, { from: person('parts'), parts: 'text' }));
    expect(result.outcome).toBe('ticket-created');
    const [message] = (await ticketOf(result.ticketId!)).messages;
    expect(message!.text).toMatch(/^The important text of the mail\.\s+part 0\b/);
    expect(message!.text).not.toContain('part 1199');
    expect(message!.notices?.join(' ')).toMatch(
      /more than 1000 MIME parts\. Its text and the parts before the limit were kept; about 2\d\d further parts/,
    );
  });

  it('ignores mail from a sub-address of the desk itself and never acknowledges it', async () => {
    const result = await h.receive(plainMail({ from: 'support+anything@desk.localhost', subject: 'Loop?' }));
    expect(result).toMatchObject({ outcome: 'ignored' });
    expect(result.reason).toMatch(/from the desk's own address support\+anything@desk\.localhost/);
  });

  it('answers the From address when Reply-To names a sub-address of the desk', async () => {
    const ann = person('ann');
    const result = await h.receive(plainMail({ from: ann, subject: 'Reply-To loop', headers: ['Reply-To: support+x@desk.localhost'] }));
    await h.settled();
    const ticket = await ticketOf(result.ticketId!);
    expect(ticket.requester.address).toBe(ann);
    expect(ticket.deliveries).toMatchObject([{ recipient: { address: ann }, status: 'sent' }]);
  });

  it('quarantines the attachments of a mail SES found a virus in: only a confirmed request downloads one', async () => {
    const raw = await composeMail({
      from: person('infected'),
      to: DESK,
      subject: 'Invoice',
      text: 'See attached',
      attachments: [{ filename: 'invoice\u202Efdp.exe', content: Buffer.from('MZ not really'), contentType: 'application/octet-stream' }],
    });
    const result = await h.receive(sesStoredMail(raw, { spam: 'PASS', virus: 'FAIL' }));
    const [message] = (await ticketOf(result.ticketId!)).messages;
    const [part] = message!.attachments;

    expect(part).toMatchObject({ filename: 'invoice_fdp.exe', quarantined: true, key: expect.stringMatching(/^quarantine\//) });
    expect(message!.notices?.join(' ')).toMatch(/quarantined/);
    expect((await h.call('GET', '/api/attachments/url', { query: { key: part!.key } })).status).toBe(400);
    expect((await h.call('POST', '/api/attachments/quarantined/url', { body: { key: part!.key, confirm: false } })).status).toBe(400);
    const released = await h.call<{ url: string }>('POST', '/api/attachments/quarantined/url', { body: { key: part!.key, confirm: true } });
    expect(released.status).toBe(200);
    const download = await fetch(released.json.url);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="invoice_fdp.exe"/);
    expect(await download.text()).toBe('MZ not really');
  });

  it('serves an HTML or SVG attachment as application/octet-stream, an image as itself, both as downloads', async () => {
    const raw = await composeMail({
      from: person('files'),
      to: DESK,
      subject: 'Files',
      text: 'x',
      attachments: [
        { filename: 'page.html', content: '<script>alert(1)</script>', contentType: 'text/html' },
        { filename: 'logo.svg', content: '<svg onload="alert(1)"/>', contentType: 'image/svg+xml' },
        { filename: 'shot.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47]), contentType: 'image/png' },
      ],
    });
    const result = await h.receive(raw);
    const [message] = (await ticketOf(result.ticketId!)).messages;
    const types: string[] = [];
    for (const part of message!.attachments) {
      const { json } = await h.call<{ url: string }>('GET', '/api/attachments/url', { query: { key: part.key } });
      const download = await fetch(json.url);
      types.push(download.headers.get('content-type') ?? '');
      expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    }
    expect(types).toEqual(['application/octet-stream', 'application/octet-stream', 'image/png']);
  });
});

describe('unsubscribing takes a POST', () => {
  it('changes nothing on GET (a confirmation page), unsubscribes on a one-click POST without a token', async () => {
    const ann = person('ann');
    const bob = person('bob');
    const { ticketId } = await openedTicket(ann, 'Unsubscribe', bob);
    const url = new URL(unsubscribeUrl('http://localhost:3000', TEST_TOKEN_KEYS, ticketId, bob));
    const query = Object.fromEntries(url.searchParams);
    const unsubscribed = async () =>
      ((await h.items()).find((i) => i.pk === keys.ticket(ticketId).pk)!.unsubscribed as Set<string> | undefined)?.has(bob) ?? false;

    const page = await h.call('GET', '/api/unsubscribe', { query, claims: null });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form method="post"');
    expect(page.headers['content-security-policy']).toContain("form-action 'self'");
    expect(await unsubscribed()).toBe(false);

    const forged = await h.call('POST', '/api/unsubscribe', {
      query: { ...query, sig: 'x'.repeat(26) },
      claims: null,
      body: 'List-Unsubscribe=One-Click',
    });
    expect(forged.status).toBe(400);
    expect(await unsubscribed()).toBe(false);

    const click = await h.call('POST', '/api/unsubscribe', { query, claims: null, body: 'List-Unsubscribe=One-Click' });
    expect(click.status).toBe(200);
    expect(click.text).toContain('Unsubscribed');
    expect(await unsubscribed()).toBe(true);
  });
});
