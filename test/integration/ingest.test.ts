// Ingest end to end on real servers: s3rver holds the raw mail, DynamoDB Local the tickets.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/contracts';
import { normalizeMessageId } from '../../functions/core/ids';
import { createReplyToken } from '../../functions/core/threading/reply-token';
import { replayIngest } from '../../functions/core/ingest/replay-ingest';
import { createIngestHandler } from '../../functions/ingest/create-handler';
import { fixtureMail } from '../support/fixture-mail';
import { composeMail } from '../support/mail';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';
import { TEST_TOKEN_KEYS } from '../support/secret';

const DESK = 'support@desk.localhost';

// No stream poller: the deliveries ingest writes stay as it left them.
let fx: RuntimeHarness;
const tickets = () => fx.runtime.ingest.tickets;
beforeAll(async () => {
  fx = await startRuntimeHarness({ name: 'ingest', pollStream: false });
});

async function newTicketFrom(from: string, subject: string, extra: Parameters<typeof composeMail>[0] = {}) {
  const raw = await composeMail({ from, to: DESK, subject, text: `Hello,\n\n${subject} body.\n`, ...extra });
  const { key, results } = await fx.deliver(raw);
  const [result] = results;
  expect(result?.outcome).toBe('ticket-created');
  const ticket = await tickets().getTicket(result!.ticketId!);
  return { key, raw, ticket: ticket!, messageId: result!.messageId! };
}

async function messagesOf(ticketId: string) {
  return (await fx.items()).filter((item) => item.pk === `TICKET#${ticketId}` && String(item.sk).startsWith('MSG#'));
}

describe('ingest on DynamoDB Local and s3rver', () => {
  it('turns a new email into an open ticket with a number, participants from Cc and an acknowledgement to send', async () => {
    const { ticket } = await newTicketFrom('"Ann Customer" <Ann@Example.com>', 'Printer on fire', {
      cc: ['bob@example.com', 'Support <support@desk.localhost>'],
    });

    expect(ticket.status).toBe('open');
    expect(ticket.number).toBeGreaterThan(0);
    expect(ticket.requester).toEqual({ address: 'ann@example.com', name: 'Ann Customer' });
    expect(ticket.participants.map((p) => [p.address, p.role])).toEqual([
      ['ann@example.com', 'requester'],
      ['bob@example.com', 'cc'],
    ]);
    const items = await fx.items();
    const deliveries = items.filter((item) => item.pk === `TICKET#${ticket.id}` && item.type === 'delivery');
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ kind: 'ack', status: 'pending', recipient: { address: 'ann@example.com' } });
  });

  it('numbers tickets per desk in sequence', async () => {
    const first = await newTicketFrom('a@example.com', 'first of two');
    const second = await newTicketFrom('b@example.com', 'second of two');
    expect(second.ticket.number).toBe(first.ticket.number + 1);
  });

  it('changes nothing when the same S3 event arrives again', async () => {
    const { key, raw, ticket } = await newTicketFrom('dup@example.com', 'Delivered twice');
    const before = await fx.items();

    const again = await fx.deliver(raw, key);
    const thrice = await fx.deliver(raw, key);

    expect(again.results[0]?.outcome).toBe('duplicate');
    expect(thrice.results[0]?.outcome).toBe('duplicate');
    expect(again.results[0]?.ticketId).toBe(ticket.id);
    expect(await fx.items()).toEqual(before);
  });

  it('threads a reply by its reply token into the same ticket', async () => {
    const { ticket } = await newTicketFrom('carol@example.com', 'Token thread');
    const token = createReplyToken(TEST_TOKEN_KEYS, ticket.id);
    const reply = await composeMail({
      from: 'carol@example.com',
      to: `support+${token}@desk.localhost`,
      subject: 'Re: Token thread',
      text: 'More details.\n\nOn Thu, 2 Jan 2025 at 10:00, Support <support@desk.localhost> wrote:\n> What happened?',
    });

    const { results } = await fx.deliver(reply);

    expect(results[0]).toMatchObject({ outcome: 'reply-added', ticketId: ticket.id });
    const messages = await messagesOf(ticket.id);
    expect(messages.map((m) => m.threadedBy).sort()).toEqual(['new-ticket', 'reply-token']);
    // The stored message says how sure its reply is, so the dashboard knows when to show the full text.
    expect(messages.find((m) => m.threadedBy === 'reply-token')).toMatchObject({ reply: 'More details.', replyConfidence: 'high' });
  });

  it('threads a reply by References alone when Outlook dropped the plus address', async () => {
    const { ticket, messageId } = await newTicketFrom('dave@example.com', 'References thread');
    const reply = await composeMail({
      from: 'dave@example.com',
      to: DESK,
      subject: 'RE: References thread',
      text: 'Following up.',
      references: ['<unrelated@elsewhere.example>', messageId],
    });

    const { results } = await fx.deliver(reply);

    expect(results[0]).toMatchObject({ outcome: 'reply-added', ticketId: ticket.id });
    expect((await messagesOf(ticket.id)).some((m) => m.threadedBy === 'message-id')).toBe(true);
  });

  it('threads a reply whose In-Reply-To is the Message-ID SES gave our outgoing mail', async () => {
    const { ticket } = await newTicketFrom('erin@example.com', 'SES id thread');
    const sesId = '<0100019d43e5f632-f586aaaa-bbbb-cccc-dddd-eeeeffff0000-000000@email.amazonses.com>';
    // The notify function stores this index item after SES accepts an email.
    await fx.documents.send(
      new PutCommand({
        TableName: fx.tableName,
        Item: { ...keys.messageId(normalizeMessageId(sesId)), type: 'msgid', ticketId: ticket.id, deliveryId: 'd1' },
      }),
    );
    const reply = await composeMail({
      from: 'erin@example.com',
      to: DESK,
      subject: 'Re: SES id thread',
      text: 'Thanks!',
      inReplyTo: sesId,
    });

    const { results } = await fx.deliver(reply);

    expect(results[0]).toMatchObject({ outcome: 'reply-added', ticketId: ticket.id, reason: 'threaded by message-id' });
  });

  it("threads by subject tag for a Cc participant but holds a stranger's tagged mail on that ticket", async () => {
    const { ticket } = await newTicketFrom('frank@example.com', 'Tagged thread', { cc: 'grace@example.com' });
    const subject = `Re: Tagged thread [#${ticket.number}]`;

    const fromParticipant = await fx.deliver(await composeMail({ from: 'grace@example.com', to: DESK, subject, text: 'Me too.' }));
    const fromStranger = await fx.deliver(await composeMail({ from: 'mallory@evil.example', to: DESK, subject, text: 'Let me in.' }));

    expect(fromParticipant.results[0]).toMatchObject({ outcome: 'reply-added', ticketId: ticket.id, reason: 'threaded by subject-tag' });
    expect(fromStranger.results[0]).toMatchObject({ outcome: 'held', ticketId: ticket.id });
    const held = (await messagesOf(ticket.id)).find((m) => (m.from as { address: string }).address === 'mallory@evil.example');
    expect(held).toMatchObject({ held: true, threadedBy: 'subject-tag' });
  });

  it('never threads by a forged token and logs the rejection', async () => {
    const { ticket } = await newTicketFrom('heidi@example.com', 'Forgery target');
    const forged = createReplyToken({ secrets: ['not-the-server-secret-at-all'] }, ticket.id);

    const { results } = await fx.deliver(
      await composeMail({ from: 'mallory@evil.example', to: `support+${forged}@desk.localhost`, subject: 'hi', text: 'x' }),
    );

    expect(results[0]?.outcome).toBe('ticket-created');
    expect(results[0]?.ticketId).not.toBe(ticket.id);
    expect(fx.log.lines.some((l) => l.level === 'warn' && l.message.includes('reply token rejected'))).toBe(true);
  });

  it('reopens a closed ticket on a customer reply, but an auto-reply leaves it closed', async () => {
    const { ticket, messageId } = await newTicketFrom('ivan@example.com', 'Closed then answered');
    const close = async () => {
      const current = (await tickets().getTicket(ticket.id))!;
      await fx.documents.send(
        new PutCommand({
          TableName: fx.tableName,
          Item: {
            ...(await fx.documents.send(new GetCommand({ TableName: fx.tableName, Key: keys.ticket(ticket.id) }))).Item,
            status: 'closed',
            version: current.version + 1,
          },
        }),
      );
    };

    await close();
    const auto = await composeMail({
      from: 'ivan@example.com',
      to: DESK,
      subject: 'Automatic reply: Closed then answered',
      text: 'I am away.',
      inReplyTo: messageId,
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    expect((await fx.deliver(auto)).results[0]?.outcome).toBe('reply-added');
    expect((await tickets().getTicket(ticket.id))?.status).toBe('closed');

    const human = await composeMail({
      from: 'ivan@example.com',
      to: DESK,
      subject: 'Re: Closed then answered',
      text: 'It broke again.',
      inReplyTo: messageId,
    });
    expect((await fx.deliver(human)).results[0]?.outcome).toBe('reply-added');
    expect((await tickets().getTicket(ticket.id))?.status).toBe('open');
  });

  it('records an auto-reply that matches no ticket as ignored, without a ticket or an acknowledgement', async () => {
    const before = (await fx.items()).filter((item) => item.type === 'ticket').length;

    const { key, results } = await fx.deliver(fixtureMail('auto-reply/x-autoreply-yes.eml'));

    expect(results[0]?.outcome).toBe('ignored');
    expect((await fx.items()).filter((item) => item.type === 'ticket')).toHaveLength(before);
    const record = await fx.documents.send(new GetCommand({ TableName: fx.tableName, Key: keys.ingest(key) }));
    expect(record.Item).toMatchObject({ outcome: 'ignored' });
  });

  it('records a bounce that refers to no email of ours as ignored: no ticket, nobody marked', async () => {
    const before = (await fx.items()).filter((item) => item.type === 'ticket').length;

    const { results } = await fx.deliver(fixtureMail('bounce/postfix-dsn-user-unknown.eml'));

    expect(results[0]?.outcome).toBe('ignored');
    expect(results[0]?.reason).toMatch(/^bounce not acted on: it refers to no email the desk sent/);
    const items = await fx.items();
    expect(items.filter((item) => item.type === 'ticket')).toHaveLength(before);
    expect(items.some((item) => item.type === 'address')).toBe(false);
  });

  it('puts mail that SES marked as spam in the spam view with no acknowledgement', async () => {
    const raw = await composeMail({ from: 'spammer@example.com', to: DESK, subject: 'Cheap pills', text: 'Buy now' });
    const withVerdicts = Buffer.concat([
      Buffer.from(
        'Received: from mx.example (mx.example [192.0.2.1])\r\n by inbound-smtp.us-east-1.amazonaws.com with SMTP id abc\r\n for support@desk.localhost; Mon, 20 Mar 2023 03:11:44 +0000 (UTC)\r\nX-SES-Spam-Verdict: FAIL\r\nX-SES-Virus-Verdict: PASS\r\n',
      ),
      raw,
    ]);

    const { results } = await fx.deliver(withVerdicts);

    expect(results[0]?.outcome).toBe('ticket-created');
    const ticket = await tickets().getTicket(results[0]!.ticketId!);
    expect(ticket?.status).toBe('spam');
    expect((await fx.items()).filter((item) => item.pk === `TICKET#${ticket!.id}` && item.type === 'delivery')).toHaveLength(0);
  });

  it('keeps the same mail stored under a second key as a recorded duplicate', async () => {
    const { raw, ticket } = await newTicketFrom('judy@example.com', 'Stored twice by SES');

    const { results } = await fx.deliver(raw);

    expect(results[0]?.outcome).toBe('duplicate');
    expect(await messagesOf(ticket.id)).toHaveLength(1);
  });

  it('records mail it cannot process as failed, keeps it in S3, and a replay turns it into a ticket', async () => {
    let broken = true;
    const flaky = await startRuntimeHarness({ name: 'replay', pollStream: false });
    const deps = {
      ...flaky.runtime.ingest,
      parse: async (raw: Uint8Array) => {
        if (broken) throw new Error('parser exploded');
        return flaky.runtime.ingest.parse(raw);
      },
    };
    const raw = await composeMail({ from: 'kim@example.com', to: DESK, subject: 'Needs replay', text: 'Hello' });
    const key = await flaky.put(raw);

    const results = await createIngestHandler(async () => deps)(flaky.event(key));
    expect(results[0]).toMatchObject({ outcome: 'failed', reason: 'could not parse: parser exploded' });
    expect(await deps.store.get(flaky.bucket, key)).toEqual(new Uint8Array(raw));
    expect((await deps.tickets.listMailLog('failed', 10, null)).records.map((r) => r.key)).toContain(key);

    broken = false;
    const summary = await replayIngest(deps, { bucket: flaky.bucket, selection: { kind: 'failed' } });

    expect(summary).toEqual({ total: 1, byOutcome: { 'ticket-created': 1 } });
    expect((await deps.tickets.listMailLog('failed', 10, null)).records).toEqual([]);
    const again = await replayIngest(deps, { bucket: flaky.bucket, selection: { kind: 'keys', keys: [key] } });
    expect(again.byOutcome).toEqual({ duplicate: 1 });
  });

  it('still records malformed MIME as a ticket with what could be read', async () => {
    const malformed =
      'From: broken@example.com\r\nTo: support@desk.localhost\r\nSubject: half a message\r\nContent-Type: multipart/mixed; boundary="nope"\r\n\r\n--wrong\r\nContent-Type: text/plain\r\n\r\nSome text\r\n--nope';

    const { results } = await fx.deliver(malformed);

    expect(results[0]?.outcome).toBe('ticket-created');
    const ticket = await tickets().getTicket(results[0]!.ticketId!);
    expect(ticket).toMatchObject({ subject: 'half a message', requester: { address: 'broken@example.com' } });
  });

  it('skips the object SES writes when a receipt rule is created', async () => {
    const { results } = await fx.deliver('test', 'inbound/AMAZON_SES_SETUP_NOTIFICATION');
    expect(results[0]?.outcome).toBe('skipped');
  });

  it('stores attachments under a prefix that does not trigger ingest again', async () => {
    const raw = await composeMail({
      from: 'liz@example.com',
      to: DESK,
      subject: 'With a file',
      text: 'See attached',
      attachments: [{ filename: 'report.pdf', content: Buffer.from('%PDF-1.4 test'), contentType: 'application/pdf' }],
    });
    const { results } = await fx.deliver(raw);
    const [message] = await messagesOf(results[0]!.ticketId!);
    const [attachment] = message!.attachments as { key: string; filename: string }[];

    expect(attachment?.filename).toBe('report.pdf');
    expect(attachment?.key.startsWith('attachments/')).toBe(true);
    expect(Buffer.from(await fx.runtime.ingest.store.get(fx.bucket, attachment!.key)).toString()).toBe('%PDF-1.4 test');
  });
});
