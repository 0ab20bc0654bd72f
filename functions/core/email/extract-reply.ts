// core: reply extraction — keeps only what the sender newly wrote (quotes, headers, signatures removed)
import type { ReplyConfidence } from '../types';
import {
  MAX_PATTERN_LINE,
  endsWithWroteVerb,
  headerFieldKind,
  isDashedHeader,
  isDatedAddressHeader,
  isEmptyOrDelimiterLine,
  isForwardSeparator,
} from './reply/patterns';
import { stripQuotes } from './reply/strip-quotes';
import { stripSignature } from './reply/strip-signature';

/** The new text of a message and how sure the extractor is that it is only that. */
export interface SeparatedReply {
  readonly reply: string;
  readonly confidence: ReplyConfidence;
}

// Lines of only delimiters or invisible marks (a Gmail add-on's "ᐧ", a lone "--", zero-width spaces) under the reply.
function dropTrailingNoise(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && isEmptyOrDelimiterLine(lines[end - 1] ?? '')) end--;
  return end === lines.length ? lines : lines.slice(0, end);
}

function extractLines(text: string): string[] {
  const lines = dropTrailingNoise(stripSignature(dropTrailingNoise(stripQuotes(text.replace(/\r\n?/g, '\n').split('\n')))));
  let start = 0;
  while (start < lines.length && (lines[start] ?? '').trim() === '') start++;
  return lines.slice(start).map((line) => line.trimEnd());
}

// A line the extractor saw as a possible quote header but did not cut at: a header it did not trust (no quote
// after it), or a client header block. Its presence in the reply means the quoted history may still be there.
function looksLikeQuoteStart(lines: readonly string[], index: number): boolean {
  const line = lines[index] ?? '';
  if (line.length > MAX_PATTERN_LINE || line.trim() === '') return false;
  if (endsWithWroteVerb(line) || isDatedAddressHeader(line) || isDashedHeader(line) || isForwardSeparator(line)) return true;
  return headerFieldKind(line) === 'from' && headerFieldKind(lines[index + 1] ?? '') !== null;
}

function confidenceOf(source: string, lines: readonly string[]): ReplyConfidence {
  if (lines.every((line) => line.trim() === '')) return source.trim() === '' ? 'high' : 'none';
  return lines.some((_line, i) => looksLikeQuoteStart(lines, i)) ? 'low' : 'high';
}

/**
 * Separates what the sender newly wrote in a plain-text body from what they quoted, and says how sure that is:
 * `high` when the text was cut at a recognised quote header, quote, separator or signature, or has nothing that
 * looks quoted; `low` when the reply still holds a line that looks like a quote header the extractor did not
 * trust enough to cut at; `none` when nothing new could be told apart (everything looked quoted).
 *
 * @example
 * separateReply('Thanks!\n\nOn Mon, 2 Apr 2012, Bob <bob@example.com> wrote:\n> Hi'); // { reply: 'Thanks!', confidence: 'high' }
 */
export function separateReply(text: string): SeparatedReply {
  const lines = extractLines(text);
  return { reply: lines.join('\n').trimEnd(), confidence: confidenceOf(text, lines) };
}

/**
 * Returns only what the sender newly wrote in a plain-text body: `>` quotes and their
 * "On … wrote:" headers (many languages, also interleaved, wrapped or dashed), Outlook header blocks,
 * original/forwarded-message blocks, signatures and mobile footers are removed (quote-table.ts lists
 * the formats). Blank-line layout inside the reply is kept. Runs in linear time on any input.
 *
 * @example
 * extractReply('Thanks!\n\nOn Mon, 2 Apr 2012, Bob <bob@example.com> wrote:\n> Hi'); // 'Thanks!'
 */
export function extractReply(text: string): string {
  return separateReply(text).reply;
}
