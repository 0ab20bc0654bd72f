// core: a message with more MIME parts than the parser takes, cut before the part that crosses the limit
/** What mailsplit throws once a message has more parts than `maxChildNodes`. */
const PARTS_LIMIT_ERROR = /max allowed child nodes exceeded/i;

/** True for the error mailparser gives when a message has more parts than allowed. */
export function isPartsLimitError(error: unknown): boolean {
  return error instanceof Error && PARTS_LIMIT_ERROR.test(error.message);
}

export interface CutMessage {
  /** The message up to the line that would start the part past the limit. */
  readonly raw: Buffer;
  /** Bytes left out, and the boundary-like lines among them (about one a part). */
  readonly droppedBytes: number;
  readonly droppedParts: number;
}

/**
 * Cuts a message before its `maxParts`-th line that starts with `--`. Every MIME part after the first begins on such a
 * (boundary) line, so the rest parses with fewer parts than the limit whatever the nesting; a text line that happens to
 * start with `--` only moves the cut earlier. The first parts, where mail clients put the text, are kept.
 */
export function cutAfterParts(raw: Buffer, maxParts: number): CutMessage {
  let seen = 0;
  let cut = raw.length;
  for (let i = 0; i < raw.length - 1; i++) {
    if ((i === 0 || raw[i - 1] === 0x0a) && raw[i] === 0x2d && raw[i + 1] === 0x2d) {
      seen += 1;
      if (seen === maxParts - 1) {
        cut = i;
        break;
      }
    }
  }
  let droppedParts = 0;
  for (let i = cut; i < raw.length - 1; i++) {
    if ((i === cut || raw[i - 1] === 0x0a) && raw[i] === 0x2d && raw[i + 1] === 0x2d) droppedParts += 1;
  }
  return { raw: raw.subarray(0, cut), droppedBytes: raw.length - cut, droppedParts };
}
