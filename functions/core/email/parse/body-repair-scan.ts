// core: a cheap look at the raw bytes deciding whether the body-charset repair pass can change anything
import { charsetKey, hasHighBytes, isValidUtf8 } from './charset';

/** Labels the repair pass rewrites even over 7-bit bytes (UTF-7, 16/32-bit Unicode), and RFC 2231 `charset*` we do not read. */
const RISKY_LABEL = /utf[^a-z0-9\r\n]{0,3}(?:7|16|32)|ucs[^a-z0-9\r\n]{0,3}[24]|unicode|charset\s*\*/i;
/** A quoted-printable escape of a byte ≥ 0x80 (encoded words in part headers match too, which only costs time). */
const QP_HIGH_BYTE = /=[89a-f][0-9a-f]/i;
/** Loose on purpose: comments, quotes and folding around the value must not hide a base64 part. */
const BASE64_CTE = /^content-transfer-encoding[ \t]*:(?:[^\n]|\n[ \t])*?base64/gim;
const CONTENT_TYPE = /^content-type[ \t]*:\s*"?([^\s;"]*)/gim;
const NON_TEXT_TYPE = /^(?:image|audio|video|application|multipart|message|font|model)\//;
const CHARSET = /charset\s*=\s*"?([^\s;"]*)/gi;

/** Start of the header block holding `at`: after the last blank line or boundary line before it. */
function headerBlockStart(text: string, at: number): number {
  const blank = Math.max(text.lastIndexOf('\n\n', at), text.lastIndexOf('\n\r\n', at));
  const boundary = text.lastIndexOf('\n--', at);
  return Math.max(blank, boundary, 0);
}

/** End of the header block holding `at`: the blank line after it (or the end). */
function headerBlockEnd(text: string, at: number): number {
  const blankLine = /\r?\n\r?\n/g;
  blankLine.lastIndex = at;
  const matched = blankLine.exec(text);
  return matched ? matched.index + matched[0].length : text.length;
}

/** The body after a header block, up to the next boundary-like line. */
function bodyAfter(text: string, start: number): string {
  const end = text.indexOf('\n--', start);
  return text.slice(start, end < 0 ? text.length : end);
}

/**
 * True when an escape of an 8-bit byte appears below the top header block (where DKIM signatures
 * would match). Whether the part is quoted-printable is not asked: its header may be written oddly.
 */
function quotedPrintableHasHighBytes(text: string): boolean {
  const bodyStart = headerBlockEnd(text, 0);
  return QP_HIGH_BYTE.test(bodyStart < text.length ? text.slice(bodyStart) : '');
}

/**
 * True when a base64 part could be a text part whose decoded bytes the repair would relabel:
 * anything but a single non-text Content-Type, unless its bytes are 7-bit or UTF-8 labelled UTF-8.
 */
function base64PartNeedsRepair(header: string, body: string): boolean {
  const types = [...header.matchAll(CONTENT_TYPE)].map((m) => (m[1] ?? '').toLowerCase());
  if (types.length === 1 && NON_TEXT_TYPE.test(types[0]!)) return false;
  const compact = body.replace(/[^A-Za-z0-9+/=]/g, '');
  // Padding before the end means concatenated chunks, which decoders read differently: let the repair judge.
  if (/=[^=]/.test(compact)) return true;
  const bytes = Buffer.from(compact, 'base64');
  if (!hasHighBytes(bytes)) return false;
  const charsets = [...header.matchAll(CHARSET)].map((m) => charsetKey(m[1]));
  return !(charsets.length === 1 && charsets[0] === 'utf8' && isValidUtf8(bytes));
}

/**
 * False only when `repairBodyCharsets` would certainly leave the message as it is: no 8-bit byte,
 * no quoted-printable escape of one, no UTF-7/16/32 label, and no base64 text part decoding to
 * 8-bit bytes other than valid UTF-8 labelled UTF-8. Errs towards true; a true costs only time.
 */
export function needsBodyRepair(raw: Buffer): boolean {
  if (hasHighBytes(raw)) return true;
  const text = raw.toString('latin1');
  if (RISKY_LABEL.test(text) || quotedPrintableHasHighBytes(text)) return true;
  for (const match of text.matchAll(BASE64_CTE)) {
    const start = headerBlockStart(text, match.index);
    const end = headerBlockEnd(text, match.index);
    if (base64PartNeedsRepair(text.slice(start, end), bodyAfter(text, end))) return true;
  }
  return false;
}
