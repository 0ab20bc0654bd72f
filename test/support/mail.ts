// test support: the one mail builder: a plain-text customer email as an MTA stores it, or any message nodemailer can compose
import { randomUUID } from 'node:crypto';
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
