// core: byte-level repair of the top header block (raw 8-bit headers, mislabelled encoded words)
import iconv from 'iconv-lite';
import { charsetKey, chooseBodyCharset, decodeBytes, hasHighBytes, isKnownCharset, isUtf7, isValidUtf8 } from './charset';

/** Header blocks beyond this are left alone: mailparser's own head limit deals with them. */
const MAX_HEADER_SCAN = 1024 * 1024;
const ENCODED_WORD = /=\?([A-Za-z0-9_.:-]{1,40})((?:\*[A-Za-z0-9-]{1,20})?)\?([BbQq])\?([^?\s]{0,4000})\?=/g;
/** A Q-encoded word as some mailers write it: raw 8-bit bytes (seen as latin1 characters) instead of `=XX` escapes. */
const RAW_8BIT_Q_WORD = /=\?([A-Za-z0-9_.:-]{1,40})((?:\*[A-Za-z0-9-]{1,20})?)\?[Qq]\?([^?\t\r\n ]{0,4000})\?=/g;

export interface HeaderRepair {
  readonly raw: Buffer;
  readonly warnings: string[];
}

/** Byte offset where the top header block ends (the blank line excluded), or -1 when not found in range. */
export function findHeaderEnd(raw: Uint8Array, maxScan = MAX_HEADER_SCAN): number {
  const limit = Math.min(raw.length, maxScan);
  if (raw[0] === 0x0a || (raw[0] === 0x0d && raw[1] === 0x0a)) return 0;
  for (let i = 0; i < limit - 1; i += 1) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return i + 1;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 1;
  }
  return -1;
}

function decodeWordBytes(encoding: string, text: string): Buffer {
  if (encoding === 'B' || encoding === 'b') return Buffer.from(text, 'base64');
  const bytes = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1');
}

/**
 * Rewrites Q words that carry raw 8-bit bytes (`=?iso-8859-1?Q?Fr<0xF6>sche?=`) as UTF-8 B words, decoded with the
 * charset the word declares (or UTF-8 when a Latin label sits over valid multi-byte UTF-8, as for bodies). Left
 * alone, the block-wide transcoding below would turn those bytes into UTF-8 and mailparser would decode them again
 * with the declared charset: "FrÃ¶sche".
 */
function decodeRaw8bitWords(field: string, charsets: Set<string>): string {
  if (!/[\x80-\xff]/.test(field) || !field.includes('=?')) return field;
  return field.replace(RAW_8BIT_Q_WORD, (word, charset: string, _lang: string, text: string) => {
    if (!/[\x80-\xff]/.test(text) || isUtf7(charset)) return word;
    const bytes = decodeWordBytes('Q', text);
    const chosen = chooseBodyCharset(bytes, charset) ?? charset;
    charsets.add(chosen);
    return `=?utf-8?B?${Buffer.from(decodeBytes(bytes, chosen), 'utf8').toString('base64')}?=`;
  });
}

/** Re-encodes UTF-7 words (mailparser refuses them) and relabels `=?utf-8?...?=` words of one header field whose bytes are not UTF-8 as windows-1252. */
function relabelField(field: string): string {
  if (!field.includes('=?')) return field;
  field = field.replace(ENCODED_WORD, (word, charset: string, _lang: string, enc: string, text: string) =>
    isUtf7(charset) ? `=?utf-8?B?${Buffer.from(iconv.decode(decodeWordBytes(enc, text), 'utf-7'), 'utf8').toString('base64')}?=` : word,
  );
  const parts: Buffer[] = [];
  for (const match of field.matchAll(ENCODED_WORD)) {
    if (charsetKey(match[1]) === 'utf8') parts.push(decodeWordBytes(match[3] ?? 'Q', match[4] ?? ''));
  }
  // Words may split one character between them, so judge the field's UTF-8 words together.
  if (parts.length === 0 || isValidUtf8(Buffer.concat(parts))) return field;
  return field.replace(ENCODED_WORD, (word, charset: string, lang: string, enc: string, text: string) =>
    charsetKey(charset) === 'utf8' ? `=?windows-1252${lang}?${enc}?${text}?=` : word,
  );
}

function declaredCharset(block: string): string | null {
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  const match = /^content-type:[^\n]{0,1000}?charset\s*=\s*"?([A-Za-z0-9_.:-]{1,40})/im.exec(unfolded);
  return match?.[1] ?? null;
}

/**
 * Makes the top header block readable by mailparser: encoded words that claim UTF-8 but hold
 * other bytes are relabelled, and raw 8-bit header text that is not UTF-8 is transcoded to UTF-8
 * from the message's declared charset (or windows-1252), since mailparser would turn it into U+FFFD.
 */
export function repairHeaderBlock(raw: Buffer): HeaderRepair {
  const end = findHeaderEnd(raw);
  if (end <= 0) return { raw, warnings: [] };
  const head = raw.subarray(0, end);
  // Nothing below changes a 7-bit block without encoded words, which is most mail.
  if (!hasHighBytes(head) && head.indexOf('=?') < 0) return { raw, warnings: [] };
  const warnings: string[] = [];
  let block = head.toString('latin1');
  const fields = block.split(/(?=\r?\n[^ \t\r\n])/);
  const rawWordCharsets = new Set<string>();
  const decodedFields = fields.map((field) => decodeRaw8bitWords(field, rawWordCharsets));
  if (rawWordCharsets.size > 0)
    warnings.push(`raw 8-bit bytes inside encoded header words were read as ${[...rawWordCharsets].join(', ')}`);
  const relabelled = decodedFields.map(relabelField).join('');
  if (relabelled !== decodedFields.join('')) warnings.push('encoded header words in UTF-7, or declared UTF-8 but not UTF-8, were re-read');
  block = relabelled;
  let bytes = Buffer.from(block, 'latin1');
  if (hasHighBytes(bytes) && !isValidUtf8(bytes)) {
    const declared = declaredCharset(block);
    const key = charsetKey(declared);
    const charset = declared && key !== 'utf8' && key !== 'usascii' && isKnownCharset(declared) ? declared : 'windows-1252';
    bytes = Buffer.from(iconv.decode(bytes, charset), 'utf8');
    warnings.push(`raw 8-bit header text is not UTF-8; read as ${charset}`);
  }
  if (warnings.length === 0) return { raw, warnings };
  return { raw: Buffer.concat([bytes, raw.subarray(end)]), warnings };
}
