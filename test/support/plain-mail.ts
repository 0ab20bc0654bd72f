// test support: a plain-text customer email as an MTA stores it, with fixed Date so tests are repeatable

export interface PlainMailFields {
  readonly from: string;
  /** @default support@desk.localhost */
  readonly to?: string;
  readonly cc?: string;
  readonly subject: string;
  /** @default 'Hello, the printer is broken.' */
  readonly body?: string;
  readonly messageId: string;
  /** Also written as References, as mail clients do. */
  readonly inReplyTo?: string;
  /** Extra header lines, e.g. `Auto-Submitted: auto-replied`. */
  readonly headers?: readonly string[];
}

export function plainMail(fields: PlainMailFields): string {
  return [
    `From: ${fields.from}`,
    `To: ${fields.to ?? 'support@desk.localhost'}`,
    ...(fields.cc ? [`Cc: ${fields.cc}`] : []),
    `Subject: ${fields.subject}`,
    `Message-ID: ${fields.messageId}`,
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
