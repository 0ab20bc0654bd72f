// core: uuencoded attachment bodies (Content-Transfer-Encoding: x-uuencode), which mailparser passes through raw

/** Lines of a uuencoded body past this are ignored (a 64 MB attachment at most). */
const MAX_LINES = 1_000_000;

/** True when a part says it is uuencoded and its body starts like one. */
export function looksUuencoded(transferEncoding: string | undefined, content: Uint8Array): boolean {
  if (!/^(?:x-)?uu(?:encode|e)?$/i.test((transferEncoding ?? '').trim())) return false;
  return /^\s*begin(?:-base64)? [0-7]{3,4} /.test(Buffer.from(content.subarray(0, 300)).toString('latin1'));
}

/** Decodes a `begin 644 name` ... `end` block; lines that are not uuencoded data are skipped. */
export function uudecode(content: Uint8Array): Uint8Array {
  const lines = Buffer.from(content).toString('latin1').split(/\r?\n/).slice(0, MAX_LINES);
  const start = lines.findIndex((line) => /^begin [0-7]{3,4} /.test(line.trim()));
  const out: number[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === 'end') break;
    const length = ((line.charCodeAt(0) || 32) - 32) & 0x3f;
    if (length === 0) continue;
    const values = [...line.slice(1)].map((ch) => (ch.charCodeAt(0) - 32) & 0x3f);
    const bytes: number[] = [];
    // Transports strip trailing spaces, which encode zero bits: missing characters count as 0.
    for (let i = 0; bytes.length < length; i += 4) {
      const [a = 0, b = 0, c = 0, d = 0] = values.slice(i, i + 4);
      bytes.push(((a << 2) | (b >> 4)) & 0xff, ((b << 4) | (c >> 2)) & 0xff, ((c << 6) | d) & 0xff);
    }
    out.push(...bytes.slice(0, length));
  }
  return Uint8Array.from(out);
}
