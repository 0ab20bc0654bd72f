// core: removes a trailing signature (delimiters, mobile footers, contact blocks) from reply lines
import {
  cleanLine,
  isBlankLine,
  isContactLine,
  isDashNameLine,
  isMobileFooter,
  isNameLine,
  isSignatureDelimiter,
  isStrictSignatureDelimiter,
} from './patterns';

// How many non-empty lines may follow each kind of marker for it to still start a signature: the
// weaker the marker, the shorter the tail, so a rule or a dashed line mid-message is left alone.
const AFTER_BARE_DELIMITER = 30;
const AFTER_RULE = 15;
const AFTER_DASH_NAME = 6;
const AFTER_MOBILE_FOOTER = 2;
const CONTACT_BLOCK_MAX_LINES = 10;
/** Each pass can expose a marker above the last cut; a few passes cover stacked footers. */
const MAX_PASSES = 4;

// "----", "====", "____": a rule made of one repeated mark; underscores count from two (Outlook/Mailman).
function isSignatureRule(line: string): boolean {
  const s = cleanLine(line);
  if (s.length > 200) return false;
  return /^_{2,}$/.test(s) || /^(?:-{4,}|={4,}|\*{4,}|~{4,})$/.test(s);
}

function trimTrailingBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && isBlankLine(lines[end - 1] ?? '')) end--;
  return end === lines.length ? lines : lines.slice(0, end);
}

// Index of the first line that starts a signature, or -1. Never cuts the whole message away.
function signatureStart(lines: string[]): number {
  const after = new Array<number>(lines.length).fill(0);
  for (let i = lines.length - 2; i >= 0; i--) {
    after[i] = (after[i + 1] ?? 0) + (isBlankLine(lines[i + 1] ?? '') ? 0 : 1);
  }
  let contentBefore = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const tail = after[i] ?? 0;
    if (contentBefore > 0) {
      if (isStrictSignatureDelimiter(line)) return i;
      if (isSignatureDelimiter(line) && tail <= AFTER_BARE_DELIMITER) return i;
      if (isSignatureRule(line) && tail <= AFTER_RULE) return i;
      if (isDashNameLine(line) && tail <= AFTER_DASH_NAME) return i;
      if (isMobileFooter(line) && tail <= AFTER_MOBILE_FOOTER) {
        // A name alone on the line above the footer ("Stavros\nvia mobile") belongs to it.
        const above = lines[i - 1] ?? '';
        const aboveAbove = i >= 2 ? (lines[i - 2] ?? '') : '';
        return contentBefore > 1 && isNameLine(above) && isBlankLine(aboveAbove) ? i - 1 : i;
      }
    }
    if (!isBlankLine(line)) contentBefore++;
  }
  return -1;
}

// A closing paragraph of short lines carrying contact details (name, e-mail, phone, URL).
function contactBlockStart(lines: string[]): number {
  let start = lines.length;
  while (start > 0 && !isBlankLine(lines[start - 1] ?? '')) start--;
  const block = lines.slice(start);
  if (block.length < 2 || block.length > CONTACT_BLOCK_MAX_LINES) return -1;
  if (!lines.slice(0, start).some((l) => !isBlankLine(l))) return -1;
  if (block.some((l) => cleanLine(l).length > 80)) return -1;
  const contacts = block.filter(isContactLine).length;
  const named = isNameLine(block[0] ?? '');
  return contacts >= 2 || (contacts >= 1 && named) ? start : -1;
}

/** Drops a trailing signature: `-- ` blocks, rules, "-Name" lines, mobile footers and contact blocks. */
export function stripSignature(input: string[]): string[] {
  let lines = trimTrailingBlank(input);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const cut = signatureStart(lines);
    if (cut < 0) break;
    lines = trimTrailingBlank(lines.slice(0, cut));
  }
  const contact = contactBlockStart(lines);
  return contact < 0 ? lines : trimTrailingBlank(lines.slice(0, contact));
}
