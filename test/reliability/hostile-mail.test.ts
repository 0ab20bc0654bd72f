// Reliability: hostile mail: header injection, forged or borrowed reply tokens, subject tricks, oversize messages.
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../bin/local/ports';
import { SES_MAX_MESSAGE_BYTES, startSmtpReceiver } from '../../bin/local/smtp-receiver';
import type { LocalServer } from '../../bin/local/local-server';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { createReplyToken, replyAddress } from '../../functions/core/threading/reply-token';
import { plainMail, type PlainMailFields } from '../support/mail';
import { type RuntimeHarness, startRuntimeHarness } from '../support/runtime-harness';

let fx: RuntimeHarness;
let n = 0;
beforeAll(async () => {
  fx = await startRuntimeHarness({ name: 'hostile' });
});
afterAll(async () => {
  await fx.stop();
});

const DESK = 'support@desk.localhost';
const b64 = (text: string) => `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;

/** Stores and ingests one email; returns the ticket it landed in and how. */
function receive(fields: PlainMailFields) {
  return fx.receive(plainMail(fields));
}

/** The header block of a raw message, unfolded: one entry per header, name lowercased. */
function headersOf(raw: string): { name: string; value: string }[] {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  return head
    .replace(/\r\n[ \t]/g, ' ')
    .split('\r\n')
    .map((line) => ({ name: line.slice(0, line.indexOf(':')).toLowerCase(), value: line.slice(line.indexOf(':') + 1).trim() }));
}

const ALLOWED = new Set([
  'from',
  'to',
  'cc',
  'reply-to',
  'subject',
  'message-id',
  'in-reply-to',
  'references',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'auto-submitted',
  'x-auto-response-suppress',
  'precedence',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'list-id',
]);

describe('header injection', () => {
  it('never lets a subject or a display name add headers to the mail we send', async () => {
    // Arrange: CR/LF smuggled raw (folded), and through encoded words that decode to CR/LF
    const attacks = [
      {
        from: `${b64('Eve\r\nBcc: victim1@evil.example')} <eve1@customer.example>`,
        subject: b64('Hello\r\nBcc: victim2@evil.example\r\nX-Injected: 1'),
      },
      {
        from: `"Eve\\r\\nBcc: victim3@evil.example" <eve2@customer.example>`,
        subject: 'Order =?utf-8?q?=0D=0ABcc:_victim4@evil.example?= please',
      },
      {
        from: `=?UTF-8?Q?Eve=0ATo=3A_victim5=40evil.example?= <eve3@customer.example>`,
        subject: `${b64('\n\nbody-injection')} ${b64('Content-Type: text/html')}`,
      },
      { from: 'eve4@customer.example', subject: 'Folded\r\n Bcc: victim6@evil.example' },
    ];

    // Act
    for (const [i, attack] of attacks.entries()) {
      const result = await receive({ ...attack, messageId: `<inject-${i}-${fx.tableName}@customer.example>` });
      expect(result.outcome).toBe('ticket-created');
    }
    await fx.settled();

    // Assert: one acknowledgement per attack, each with only our headers, one To naming only its recipient
    const acks = fx.sent.filter((s) => s.to.startsWith('eve'));
    expect(acks).toHaveLength(attacks.length);
    for (const { raw, to } of acks) {
      const headers = headersOf(raw);
      expect(
        headers.map((h) => h.name).filter((name) => !ALLOWED.has(name)),
        raw.slice(0, 2000),
      ).toEqual([]);
      expect(headers.filter((h) => h.name === 'to')).toHaveLength(1);
      expect(headers.filter((h) => h.name === 'subject')).toHaveLength(1);
      expect(headers.find((h) => h.name === 'to')!.value).toMatch(new RegExp(`<?${to.replace(/[.+]/g, '\\$&')}>?$`));
      const parsed = await simpleParser(raw);
      expect(parsed.subject ?? '').not.toMatch(/[\r\n]/);
      expect(parsed.bcc).toBeUndefined();
      expect(
        [parsed.to]
          .flat()
          .flatMap((t) => t?.value ?? [])
          .map((v) => v.address),
      ).toEqual([to]);
    }
  }, 60_000);
});

describe('reply tokens and subject tricks', () => {
  it('threads a mail only into the ticket its valid token names, and never by a forged, spliced or misplaced token or a stranger’s subject tag', async () => {
    // Arrange: two customers, two tickets
    const a = await receive({ from: 'ann@customer.example', subject: 'Ticket A', messageId: `<a-${fx.tableName}@customer.example>` });
    const b = await receive({ from: 'bob@customer.example', subject: 'Ticket B', messageId: `<b-${fx.tableName}@customer.example>` });
    const keys = fx.runtime.tokenKeys;
    const tokenA = createReplyToken(keys, a.ticketId!);
    const tokenB = createReplyToken(keys, b.ticketId!);
    const numberA = (await fx.runtime.ingest.tickets.getTicket(a.ticketId!))!.number;
    const forged = `${tokenA.slice(0, 40)}${tokenA[40] === 'a' ? 'b' : 'a'}${tokenA.slice(41)}`;
    const spliced = `${a.ticketId}${tokenB.slice(26)}`;
    const mallory = (subject: string, to = DESK, extra: { inReplyTo?: string } = {}) =>
      receive({ from: 'mallory@evil.example', to, subject, messageId: `<m${++n}-${fx.tableName}@evil.example>`, ...extra });

    // Act + Assert: nothing a stranger can write threads into ticket A. A bad token is no token: a new ticket.
    const tricks = [
      await mallory('Forged token', replyAddress(DESK, forged)),
      await mallory('Spliced token', replyAddress(DESK, spliced)),
      await mallory(`Token in the subject ${replyAddress(DESK, tokenA)}`),
      await mallory('Token for another desk address', `sales+${tokenA}@desk.localhost`),
    ];
    for (const trick of tricks) {
      expect(trick.outcome).toBe('ticket-created');
      expect([a.ticketId, b.ticketId]).not.toContain(trick.ticketId);
    }
    // A stranger's subject tag (with or without a forged token) is held on ticket A for an agent, not threaded (issue 11).
    const tagged = [await mallory(`Re: Ticket A [#${numberA}]`), await mallory(`Re: Ticket A [#${numberA}]`, replyAddress(DESK, forged))];
    for (const trick of tagged) {
      expect(trick).toMatchObject({ outcome: 'held', ticketId: a.ticketId });
      expect(trick.reason).toMatch(/matched by subject-tag\): the sender mallory@evil\.example is not the requester or a participant/);
    }

    // A valid token, even one borrowed from ticket B's mail by B's customer, reaches only the ticket it was issued for
    const borrowed = await receive({
      from: 'bob@customer.example',
      to: replyAddress(DESK, tokenA),
      subject: 'Re: Ticket B',
      messageId: `<b2-${fx.tableName}@customer.example>`,
      inReplyTo: `<b-${fx.tableName}@customer.example>`,
    });
    expect(borrowed).toMatchObject({ outcome: 'reply-added', ticketId: a.ticketId, reason: 'threaded by reply-token' });
    const own = await receive({
      from: 'ann@customer.example',
      to: replyAddress(DESK, tokenA),
      subject: 'Re: Ticket A',
      messageId: `<a2-${fx.tableName}@customer.example>`,
    });
    expect(own).toMatchObject({ outcome: 'reply-added', ticketId: a.ticketId });
    const ticketB = await fx.runtime.ingest.tickets.getTicket(b.ticketId!);
    expect(ticketB!.messageCount).toBe(1);
  }, 60_000);
});

describe('oversize mail', () => {
  let smtp: LocalServer;
  const stored: string[] = [];
  beforeAll(async () => {
    smtp = await startSmtpReceiver({
      port: await findFreePort(),
      config: DEFAULT_DESK_CONFIG,
      store: async (key) => void stored.push(key),
    });
  });
  afterAll(async () => {
    await smtp.stop();
  });

  it('refuses a message over 40 MB at SMTP with 552 and stores nothing', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    const raw = Buffer.concat([
      Buffer.from(`From: big@customer.example\r\nTo: ${DESK}\r\nSubject: Huge\r\n\r\n`),
      Buffer.alloc(SES_MAX_MESSAGE_BYTES + 1024 * 1024, 'a\r\n'),
    ]);

    const error = await transport.sendMail({ envelope: { from: 'big@customer.example', to: [DESK] }, raw }).then(
      () => null,
      (e: unknown) => e,
    );
    transport.close();

    expect(error).toMatchObject({ responseCode: 552 });
    expect(stored).toEqual([]);
  }, 60_000);

  it('records an oversize object put straight into the bucket instead of dropping it', async () => {
    const body = Buffer.alloc(SES_MAX_MESSAGE_BYTES + 1024 * 1024, 'x');
    const raw = Buffer.concat([
      Buffer.from(
        plainMail({ from: 'big@customer.example', subject: 'Huge', messageId: `<huge-${fx.tableName}@customer.example>` }).replace(
          /\r\n\r\nHello[^]*$/,
          '\r\n\r\n',
        ),
      ),
      body,
    ]);
    const key = await fx.put(raw);

    const [result] = await fx.ingest(fx.event(key));

    const record = (await fx.items()).find((item) => item.pk === `INGEST#${key}`);
    expect(record, 'an ingest record for the oversize object').toBeDefined();
    expect(record!.outcome).toBe(result!.outcome);
    console.info(`oversize object in S3 (${raw.length} bytes): ingest recorded ${String(record!.outcome)} (${String(record!.reason)})`);
  }, 120_000);
});
