// core: the fingerprint of a stored email's content: the same raw mail stored twice has one, whatever SES prepended
import { createHash } from 'node:crypto';
import { sesHeaderBlock } from '../email/classify/ses-verdicts';
import type { RawHeader } from '../email/classify/header-lines';

/** Header blocks beyond this are not looked at for SES's lines (SES's block is a dozen fields at the top). */
const HEAD_SCAN_LIMIT = 256 * 1024;

interface RawField extends RawHeader {
  /** Offset just after the field's last line (its line break included). */
  readonly end: number;
}

/** The top header fields with their byte ends, read as latin1 so offsets are byte offsets. */
function topFields(raw: Uint8Array): RawField[] {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, HEAD_SCAN_LIMIT)).toString('latin1');
  const fields: RawField[] = [];
  let start = 0;
  while (start < head.length) {
    let end = head.indexOf('\n', start);
    if (end < 0) break;
    if (end === start || (end === start + 1 && head[start] === '\r')) break; // the blank line: the body follows
    // Continuation lines start with a space or tab and belong to the same field.
    while (end + 1 < head.length && (head[end + 1] === ' ' || head[end + 1] === '\t')) {
      const next = head.indexOf('\n', end + 1);
      if (next < 0) break;
      end = next;
    }
    const line = head.slice(start, end + 1);
    const colon = line.indexOf(':');
    if (colon <= 0) break;
    fields.push({
      key: line.slice(0, colon).trim().toLowerCase(),
      value: line
        .slice(colon + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
      end: end + 1,
    });
    start = end + 1;
  }
  return fields;
}

/**
 * SHA-256 (hex) of the mail below the block SES prepended. SES's block differs each time it stores a message (receipt
 * id, time, its signature), the mail below it does not: two objects with one fingerprint are one email stored twice.
 * Without SES's own hop at the top (mail put into the bucket by hand) the whole object is hashed.
 * @example contentFingerprint(raw) // 'e3b0c442…'
 */
export function contentFingerprint(raw: Uint8Array): string {
  const fields = topFields(raw);
  const block = sesHeaderBlock(fields);
  const skip = block.sesHopSeen && block.fields.length > 0 ? fields[block.fields.length - 1]!.end : 0;
  return createHash('sha256').update(raw.subarray(skip)).digest('hex');
}
