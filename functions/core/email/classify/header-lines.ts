// core: ordered raw header access over mailparser's headerLines (values unfolded, not decoded)
import type { ParsedMail } from 'mailparser';

/** One header field as it appeared in the message, top to bottom. */
export interface RawHeader {
  /** Lower-case field name. */
  readonly key: string;
  /** Unfolded raw value (RFC 2047 words are left encoded). */
  readonly value: string;
}

/** Caps how many header lines are read, so a hostile message with huge headers stays cheap. */
const MAX_HEADER_LINES = 2000;

// Classification and both SES readers list the same message's headers: list them once per header-lines array.
const listed = new WeakMap<object, readonly RawHeader[]>();

/** Lists the top-level header fields in message order. */
export function rawHeaders(mail: ParsedMail): readonly RawHeader[] {
  const lines: unknown = mail.headerLines;
  if (!Array.isArray(lines)) return [];
  const known = listed.get(lines);
  if (known) return known;
  const out = listHeaders(lines);
  listed.set(lines, out);
  return out;
}

function listHeaders(lines: unknown[]): RawHeader[] {
  const out: RawHeader[] = [];
  for (const entry of lines.slice(0, MAX_HEADER_LINES)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { key, line } = entry as { key?: unknown; line?: unknown };
    if (typeof key !== 'string' || typeof line !== 'string') continue;
    const colon = line.indexOf(':');
    const value = colon < 0 ? '' : line.slice(colon + 1);
    out.push({ key: key.toLowerCase(), value: value.replace(/\r?\n[ \t]+/g, ' ').trim() });
  }
  return out;
}

/** Every value of one header field, top to bottom. */
export function headerValues(headers: readonly RawHeader[], name: string): string[] {
  const key = name.toLowerCase();
  return headers.filter((h) => h.key === key).map((h) => h.value);
}

/** The topmost value of one header field, or null when absent. */
export function firstHeader(headers: readonly RawHeader[], name: string): string | null {
  return headerValues(headers, name)[0] ?? null;
}
