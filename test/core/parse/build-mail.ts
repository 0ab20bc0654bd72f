// test support for the parser suites: raw messages assembled from strings and byte arrays
import iconv from 'iconv-lite';

/** Joins string pieces (as UTF-8) and byte pieces into one raw message. */
export function mail(...pieces: (string | Uint8Array)[]): Buffer {
  return Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece))));
}

/** The text encoded in a legacy charset, as raw bytes. */
export function bytesIn(charset: string, text: string): Buffer {
  return iconv.encode(text, charset);
}

/** A single-part text/plain message with the given headers and body bytes. */
export function plain(headers: string, body: string | Uint8Array): Buffer {
  return mail(
    `From: a@example.com\r\nTo: b@example.com\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <m1@example.com>\r\n${headers}\r\n`,
    body,
  );
}
