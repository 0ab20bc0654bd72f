// core: removes quoted text, reply headers and forwarded/original-message blocks from plain-text lines
import {
  MAX_PATTERN_LINE,
  endsWithWroteVerb,
  hasAddressOrDate,
  hasDate,
  headerFieldKind,
  isBlankLine,
  isDashedHeader,
  isDatedAddressHeader,
  isForwardSeparator,
  isOpenerLine,
  isQuotedLine,
  isRuleLine,
  isSenderFirstLine,
  type HeaderFieldKind,
} from './patterns';

/** Reply headers wrap over at most this many lines ("On …, Name\n<addr>\nwrote:"). */
const MAX_HEADER_LINES = 4;
/** A header block may carry wrapped continuation lines (long To: lists) between its fields. */
const MAX_FIELD_CONTINUATIONS = 3;

interface Attribution {
  /** Index of the header's last line. */
  end: number;
  /**
   * A verb header naming a date or an address ("On 2 Apr 2012, Bob wrote:") is certain even without a
   * quote after it; "Bob wrote:" or a verb-less dated address only counts when a quote follows, so a
   * sentence like "Here is what John wrote:" does not cut the reply.
   */
  certain: boolean;
}

/** True when a single line of text reads as a reply header ("On … wrote:" or a dated address ending in ":"). */
export function isAttributionText(text: string): boolean {
  return endsWithWroteVerb(text) || isDatedAddressHeader(text);
}

function isPlainCandidate(line: string): boolean {
  return line.length <= MAX_PATTERN_LINE && !isBlankLine(line) && !isQuotedLine(line);
}

// A header starts at `start` when that line alone ends with the verb, or is Zoho's dashed header, or when it
// opens a header ("On", a date, or a sender-first "Max <max@x> schrieb am …") and the verb closes one of the
// next few lines. Requiring the opener for wrapped headers keeps reply text directly above ("Hi,\nOn … wrote:")
// out of the header.
function matchAttribution(lines: string[], start: number): Attribution | null {
  const first = lines[start] ?? '';
  if (!isPlainCandidate(first)) return null;
  if (isDashedHeader(first)) return { end: start, certain: hasAddressOrDate(first) };
  const senderFirst = isSenderFirstLine(first);
  const opens = senderFirst || isOpenerLine(first);
  let joined = '';
  for (let k = 0; k < MAX_HEADER_LINES; k++) {
    const line = lines[start + k];
    if (line === undefined || !isPlainCandidate(line)) break;
    joined = k === 0 ? line.trim() : `${joined} ${line.trim()}`;
    if (k > 0 && !opens) break;
    // A sender-first header always names an address, so only its date makes it certain without a quote after it.
    if (endsWithWroteVerb(joined)) return { end: start + k, certain: senderFirst ? hasDate(joined) : hasAddressOrDate(joined) };
    if (k <= 1 && isDatedAddressHeader(joined)) return { end: start + k, certain: false };
  }
  return null;
}

/** True when an Outlook-style header block starts at `start`: "Field: value" lines with a sender and a date, or three kinds. */
export function matchHeaderBlock(lines: string[], start: number): boolean {
  if (headerFieldKind(lines[start] ?? '') === null) return false;
  const kinds = new Set<HeaderFieldKind>();
  let continuations = 0;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (isBlankLine(line)) break;
    const kind = headerFieldKind(line);
    if (kind === null) {
      if (++continuations > MAX_FIELD_CONTINUATIONS) break;
      continue;
    }
    continuations = 0;
    kinds.add(kind);
    if (kinds.has('from') && (kinds.has('date') || kinds.size >= 3)) return true;
  }
  return false;
}

function nextNonBlank(lines: string[], from: number): number {
  let i = from;
  while (i < lines.length && isBlankLine(lines[i] ?? '')) i++;
  return i;
}

// Separator lines ("________", "-----Original Message-----") and blanks just above a cut belong to it.
function dropTrailingSeparators(kept: string[]): void {
  while (kept.length > 0) {
    const last = kept[kept.length - 1] ?? '';
    if (isBlankLine(last) || isRuleLine(last) || isForwardSeparator(last)) kept.pop();
    else break;
  }
}

/**
 * Keeps only the lines the sender newly wrote: drops `>` quotes and the reply headers that introduce
 * them (also interleaved), and cuts everything from a forwarded/original-message separator, an
 * Outlook-style header block, or a reply header followed by unquoted original text.
 */
export function stripQuotes(lines: string[]): string[] {
  const kept: string[] = [];
  let i = 0;
  let removedBlock = false;
  const keep = (line: string): void => {
    // Blank lines on both sides of a removed block would otherwise pile up.
    if (removedBlock && isBlankLine(line) && (kept.length === 0 || isBlankLine(kept[kept.length - 1] ?? ''))) return;
    removedBlock = false;
    kept.push(line);
  };

  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (isQuotedLine(line)) {
      while (i < lines.length && isQuotedLine(lines[i] ?? '')) i++;
      removedBlock = true;
      continue;
    }
    if (line.length <= MAX_PATTERN_LINE && !isBlankLine(line)) {
      if (isForwardSeparator(line) || matchHeaderBlock(lines, i)) {
        dropTrailingSeparators(kept);
        return kept;
      }
      const header = matchAttribution(lines, i);
      if (header) {
        const next = nextNonBlank(lines, header.end + 1);
        if (next >= lines.length) return kept;
        if (isQuotedLine(lines[next] ?? '')) {
          i = next;
          removedBlock = true;
          continue;
        }
        // A certain header followed by unquoted text: the original follows unquoted (Dutch Gmail, Outlook).
        if (header.certain) {
          dropTrailingSeparators(kept);
          return kept;
        }
      }
    }
    keep(line);
    i++;
  }
  return kept;
}
