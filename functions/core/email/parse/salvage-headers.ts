// core: when mailparser gives up on a message, read what its top header block still says
import { simpleParser } from 'mailparser';
import type { ParsedMail as MailparserMail, SimpleParserOptions } from 'mailparser';
import { findHeaderEnd } from './repair-headers';

/** How far to look for the end of the header block; the oversized fields in it are dropped. */
const MAX_SALVAGE_SCAN = 16 * 1024 * 1024;
/** A single field longer than this is what broke the parse (or is abuse): it is dropped. */
const MAX_FIELD_BYTES = 16 * 1024;
const MAX_FIELDS = 500;

/** An empty mailparser result, for input where not even headers can be read. */
export function emptyMailparserMail(): MailparserMail {
  return { attachments: [], headers: new Map(), headerLines: [], html: false };
}

/**
 * Parses only the top header block, without the body structure that made the full parse fail,
 * with oversized fields and the MIME structure headers removed. Never rejects.
 */
export async function salvageHeaders(raw: Buffer, options: SimpleParserOptions): Promise<MailparserMail> {
  const end = findHeaderEnd(raw, MAX_SALVAGE_SCAN);
  const block = raw.subarray(0, end > 0 ? end : Math.min(raw.length, MAX_SALVAGE_SCAN)).toString('latin1');
  const fields = block
    .split(/\r?\n(?![ \t])/)
    .filter((field) => field.length > 0 && field.length <= MAX_FIELD_BYTES && /^[^\s:]{1,100}:/.test(field))
    .filter((field) => !/^content-(?:type|transfer-encoding):/i.test(field))
    .slice(0, MAX_FIELDS);
  try {
    return await simpleParser(Buffer.from(`${fields.join('\r\n')}\r\n\r\n`, 'latin1'), options);
  } catch {
    return emptyMailparserMail();
  }
}
