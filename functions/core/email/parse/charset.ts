// core: charset guessing for mail whose declared charset does not match its bytes
import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/** Charsets that mail clients write when they mean "whatever my Windows code page was". */
const LATIN_LABELS = new Set(['iso88591', 'latin1', 'l1', 'windows1252', 'cp1252', 'iso885915', 'usascii', 'ascii']);
/** Labels under which mailparser does no decoding at all: the bytes are read as UTF-8. */
const UTF8_LABELS = new Set(['', 'utf8', 'usascii', 'ascii', 'unicode11utf8']);

/** Lowercase with punctuation removed, the way iconv-lite compares charset names. */
export function charsetKey(label: string | null | undefined): string {
  return (label ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** True for the UTF-7 labels mailparser refuses to decode (safe for us: HTML is sanitised after decoding). */
export function isUtf7(label: string | null | undefined): boolean {
  return /^(?:(?:cs)?unicode11)?utf7$/.test(charsetKey(label));
}

/** True when some byte is outside 7-bit ASCII. */
export function hasHighBytes(bytes: Uint8Array): boolean {
  return !isAscii(bytes);
}

/** True when the bytes are well-formed UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/** True when iconv-lite (mailparser's decoder) knows the charset. */
export function isKnownCharset(label: string): boolean {
  return label.length > 0 && label.length <= 64 && iconv.encodingExists(label);
}

/** Finds `<meta charset=...>` or `content="text/html; charset=..."` in the start of an HTML part. */
export function sniffHtmlCharset(html: Uint8Array): string | null {
  const head = Buffer.from(html.subarray(0, 4096)).toString('latin1');
  const match = /<meta[^>]{0,300}?charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})/i.exec(head);
  return match?.[1] ?? null;
}

/**
 * Decides which charset a text body should be decoded with, or null to keep the declared one.
 * Declared UTF-8 (or ASCII, or nothing, or an unknown name) over bytes that are not UTF-8 falls
 * back to the HTML meta charset or windows-1252; declared Latin-1 over valid multi-byte UTF-8
 * is the opposite mistake and is read as UTF-8; UTF-16/32 without NUL bytes is not. Other
 * declared charsets are trusted.
 */
export function chooseBodyCharset(bytes: Uint8Array, declared: string | null, hint: string | null = null): string | null {
  const key = charsetKey(declared);
  // Text in a 16- or 32-bit encoding always has NUL bytes; without any, the label is wrong.
  if (/^(?:utf16|utf32|ucs2|ucs4|unicode)/.test(key) && !bytes.includes(0)) return isValidUtf8(bytes) ? 'utf-8' : 'windows-1252';
  if (!hasHighBytes(bytes)) return null;
  const trustedLegacy = !UTF8_LABELS.has(key) && !LATIN_LABELS.has(key) && declared !== null && isKnownCharset(declared);
  if (trustedLegacy) return null;
  const validUtf8 = isValidUtf8(bytes);
  if (validUtf8) return key === 'utf8' ? null : 'utf-8';
  if (LATIN_LABELS.has(key) && !UTF8_LABELS.has(key)) return null;
  if (hint && isKnownCharset(hint) && !UTF8_LABELS.has(charsetKey(hint))) return hint;
  return 'windows-1252';
}

/** Decodes bytes with a charset iconv-lite knows, windows-1252 otherwise. */
export function decodeBytes(bytes: Uint8Array, charset: string): string {
  return iconv.decode(Buffer.from(bytes), isKnownCharset(charset) ? charset : 'windows-1252');
}
