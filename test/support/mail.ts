// test support: the one mail builder: a plain-text customer email as an MTA stores it, or any message nodemailer can compose
import { randomUUID } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';

export interface PlainMailFields {
  readonly from: string;
  /** @default support@desk.localhost */
  readonly to?: string;
  readonly cc?: string;
  readonly subject: string;
  /** @default 'Hello, the printer is broken.' */
  readonly body?: string;
  /** @default a fresh `<uuid@customer.example>` */
  readonly messageId?: string;
  /** Also written as References, as mail clients do. */
  readonly inReplyTo?: string;
  /** Extra header lines, e.g. `Auto-Submitted: auto-replied`. */
  readonly headers?: readonly string[];
}

/**
 * A single-part text/plain email written line by line (headers exactly as given, nothing encoded), with a fixed
 * Date so runs repeat: for tests that need raw control over the headers.
 */
export function plainMail(fields: PlainMailFields): string {
  return [
    `From: ${fields.from}`,
    `To: ${fields.to ?? 'support@desk.localhost'}`,
    ...(fields.cc ? [`Cc: ${fields.cc}`] : []),
    `Subject: ${fields.subject}`,
    `Message-ID: ${fields.messageId ?? `<${randomUUID()}@customer.example>`}`,
    ...(fields.inReplyTo ? [`In-Reply-To: ${fields.inReplyTo}`, `References: ${fields.inReplyTo}`] : []),
    'Date: Thu, 02 Jan 2025 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(fields.headers ?? []),
    '',
    fields.body ?? 'Hello, the printer is broken.',
    '',
  ].join('\r\n');
}

/**
 * A raw message the way a customer's mail client builds it (nodemailer's MailComposer: encoded headers, HTML
 * alternatives, attachments, multipart), with a fixed Date unless given.
 */
export async function composeMail(options: Mail.Options): Promise<Buffer> {
  return new MailComposer({ date: new Date('2026-11-20T10:00:00Z'), ...options }).compile().build();
}

/**
 * A multipart/mixed mail with its text first, then `count` tiny parts (attachments, or more text parts, which cost
 * nothing to store): for the parser's parts limit.
 */
export function manyPartsMail(count: number, fields: { from?: string; subject?: string; parts?: 'attachments' | 'text' } = {}): Buffer {
  const parts = ['--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe important text of the mail.\r\n'];
  for (let i = 0; i < count; i++) {
    parts.push(
      fields.parts === 'text'
        ? `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`
        : `--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="f${i}.bin"\r\n\r\nxx${i}\r\n`,
    );
  }
  return Buffer.from(
    `From: ${fields.from ?? 'a@example.com'}\r\nTo: support@desk.localhost\r\nSubject: ${fields.subject ?? 'many parts'}\r\n` +
      `Message-ID: <${randomUUID()}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n` +
      `${parts.join('')}--b--\r\n`,
  );
}

/** SES's verdicts for {@link sesStoredMail}; an absent one is not written. */
export interface SesVerdictHeaders {
  readonly spam?: string;
  readonly virus?: string;
  readonly spf?: string;
  readonly dkim?: string;
  readonly dmarc?: string;
  /** The SES receipt id in the `Received:` line (it differs each time SES stores a message). @default a fresh one */
  readonly receiptId?: string;
}

/**
 * A raw message as SES stores it: its prepended block on top (Return-Path, its own `Received:` hop, the spam/virus
 * verdicts, `Received-SPF`, `Authentication-Results: amazonses.com; …`, `X-SES-RECEIPT`), the mail below unchanged.
 */
export function sesStoredMail(raw: string | Buffer, verdicts: SesVerdictHeaders = {}): Buffer {
  const id = verdicts.receiptId ?? randomUUID().replace(/-/g, '');
  const results = (['spf', 'dkim', 'dmarc'] as const).filter((m) => verdicts[m] !== undefined).map((m) => ` ${m}=${verdicts[m]};`);
  const block = [
    'Return-Path: <sender@example.com>',
    'Received: from mx.example.com (mx.example.com [192.0.2.10])',
    ` by inbound-smtp.us-east-1.amazonaws.com with SMTP id ${id}`,
    ' for support@desk.localhost; Mon, 20 Mar 2023 03:11:44 +0000 (UTC)',
    ...(verdicts.spam ? [`X-SES-Spam-Verdict: ${verdicts.spam}`] : []),
    ...(verdicts.virus ? [`X-SES-Virus-Verdict: ${verdicts.virus}`] : []),
    ...(verdicts.spf ? [`Received-SPF: ${verdicts.spf} (spfCheck: test) client-ip=192.0.2.10; envelope-from=sender@example.com;`] : []),
    ...(results.length > 0 ? ['Authentication-Results: amazonses.com;', ...results] : []),
    `X-SES-RECEIPT: ${Buffer.from(id).toString('base64')}`,
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(block), Buffer.isBuffer(raw) ? raw : Buffer.from(raw)]);
}

/** A bounce or complaint report's fields for {@link deliveryStatusReport} and {@link feedbackReport}. */
export interface ReportFields {
  /** The addresses the report names as failed (or complaining). */
  readonly failed: readonly string[];
  /** The returned message (or its headers) the report carries; none when absent. */
  readonly original?: string;
  /** @default support@desk.localhost */
  readonly to?: string;
  /** @default MAILER-DAEMON@mx.example.net */
  readonly from?: string;
}

/** A DSN (`multipart/report; report-type=delivery-status`) from a mailer daemon, permanent (5.1.1) for each failed address. */
export function deliveryStatusReport(fields: ReportFields): string {
  const perRecipient = fields.failed.map(
    (a) => `Final-Recipient: rfc822; ${a}\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <${a}>: user unknown`,
  );
  return [
    `From: Mail Delivery System <${fields.from ?? 'MAILER-DAEMON@mx.example.net'}>`,
    `To: ${fields.to ?? 'support@desk.localhost'}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${randomUUID()}@mx.example.net>`,
    'Date: Thu, 02 Jan 2025 10:00:00 +0000',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="rep"',
    '',
    '--rep',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Your message could not be delivered to one or more recipients.',
    '',
    '--rep',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    perRecipient.join('\r\n\r\n'),
    '',
    ...(fields.original ? ['--rep', 'Content-Type: message/rfc822', '', fields.original.trimEnd(), ''] : []),
    '--rep--',
    '',
  ].join('\r\n');
}

/** An ARF complaint (`multipart/report; report-type=feedback-report`, Feedback-Type: abuse) about each address. */
export function feedbackReport(fields: ReportFields): string {
  return [
    `From: ${fields.from ?? 'feedback@fbl.example.net'}`,
    `To: ${fields.to ?? 'support@desk.localhost'}`,
    'Subject: FW: complaint',
    `Message-ID: <${randomUUID()}@fbl.example.net>`,
    'Date: Thu, 02 Jan 2025 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="arf"',
    '',
    '--arf',
    'Content-Type: text/plain',
    '',
    'This is an email abuse report.',
    '',
    '--arf',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: test-fbl/1.0',
    'Version: 1',
    ...fields.failed.map((a) => `Original-Rcpt-To: ${a}`),
    '',
    ...(fields.original ? ['--arf', 'Content-Type: message/rfc822', '', fields.original.trimEnd(), ''] : []),
    '--arf--',
    '',
  ].join('\r\n');
}

/** A valid PNG of one colour (`width` × `height`), as a pasted screenshot carries: for tests that need an image to decode. */
export function solidPng(width: number, height: number, rgb: readonly [number, number, number] = [200, 30, 30]): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A header of a raw email (unfolded), e.g. the Reply-To of one notify sent; null when absent. */
export function header(raw: string, name: string): string | null {
  const head = raw.split(/\r\n\r\n/)[0]!.replace(/\r\n[ \t]+/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}
