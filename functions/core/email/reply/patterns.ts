// core: multilingual line tests for reply extraction (quote headers, separators, footers), compiled from quote-table.ts
//
// Every regex here is anchored or bounded and free of nested quantifiers over overlapping classes,
// and callers only test lines up to MAX_PATTERN_LINE characters, so matching stays linear.
import { LANGUAGE_ROWS, type HeaderFieldKind } from './quote-table';

export type { HeaderFieldKind } from './quote-table';

/** Lines longer than this are never headers, separators or footers (keeps matching cheap). */
export const MAX_PATTERN_LINE = 1000;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Every row's words of one kind, longest first so a longer phrase wins over its prefix, as one alternation. */
function alternation(pick: (row: (typeof LANGUAGE_ROWS)[number]) => readonly string[], escape = true): string {
  const words = [...new Set(LANGUAGE_ROWS.flatMap(pick))].sort((a, b) => b.length - a.length);
  return words.map((w) => (escape ? escapeRegExp(w) : w)).join('|');
}

// Invisible marks HTML mail scatters around (LRM, zero-width space, BOM, soft hyphen) and Gmail add-ons' U+1427
// tracking dot ("ᐧ"), which sits alone on a line under the reply.
const INVISIBLE = /[\u00ad\u200b-\u200f\u2060\ufeff\u1427]/g;

// The line rules each clean the line they test, and a line meets several rules in a row: remember the last one.
let lastLine = '';
let lastCleaned = '';

/** True when text holds a colon, ASCII or full-width: every header rule needs one, and most lines have none. */
const hasColon = (text: string): boolean => text.includes(':') || text.includes('：');

/** Trims a line and removes invisible marks (LRM, zero-width space) that HTML mail scatters around. */
export function cleanLine(line: string): string {
  if (line !== lastLine) {
    lastCleaned = line.replace(INVISIBLE, '').trim();
    lastLine = line;
  }
  return lastCleaned;
}

/** Undoes the HTML escapes that clients leave in plain text converted from HTML (`&lt;info@example.org&gt;`). */
export function unescapeHtmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp|quot|nbsp|#39);/g, (_m, name: string) =>
    name === 'lt' ? '<' : name === 'gt' ? '>' : name === 'amp' ? '&' : name === 'quot' ? '"' : name === 'nbsp' ? ' ' : "'",
  );
}

/** True for a line that is empty, or holds only whitespace, invisible marks or delimiter characters (`--`, `__`, `ᐧ`). */
export function isEmptyOrDelimiterLine(line: string): boolean {
  return line.length <= MAX_PATTERN_LINE && /^[-_=*~#.•·\s]*$/.test(cleanLine(line));
}

/** True for a line quoted with `>` (any depth), also when plain text converted from HTML kept it as `&gt;`. */
export function isQuotedLine(line: string): boolean {
  return /^[ \t]*(?:>|&gt;)/.test(line);
}

/** True for a line that is empty or only whitespace. */
export function isBlankLine(line: string): boolean {
  return line.trim() === '';
}

// Words that open a reply header, "On <date>, <name> wrote:" in many languages (leading dashes: Zoho). A digit
// also opens one (date-first headers: "02.04.2012 14:20 …"), and so does a weekday followed by a day number.
const isHan = (word: string): boolean => /^\p{Script=Han}/u.test(word);
const OPENER = new RegExp(`^(?:[-–—]{1,5}\\s*)?(?:${alternation((row) => row.openers.filter((w) => !isHan(w)))})\\s`, 'iu');
const DATE_FIRST = /^(?:[-–—]{1,5}\s*)?(?:\d|\p{L}{2,12}\.?,?\s+\d{1,4}[\s.,/-])/u;
// Scripts without spaces between words: the opener may run into the date ("在 2025年…", "于2025年…").
const CJK_OPENER = new RegExp(`^(?:[-–—]{1,5}\\s*)?(?:${alternation((row) => row.openers.filter(isHan))})`, 'u');

/** True when a line can begin a reply header ("On", "Am", "Le", "Op", a date, …). */
export function isOpenerLine(line: string): boolean {
  const s = cleanLine(line);
  return OPENER.test(s) || DATE_FIRST.test(s) || CJK_OPENER.test(s);
}

// The verb that closes a reply header, optionally followed by the author ("schrieb Max <max@x>:") or, in
// sender-first headers, by the date ("schrieb am Fr., 28. März 2025 um 11.53 Uhr:"; times are read with a dot).
const WROTE_END = new RegExp(`(?:${alternation((row) => row.wrote)})[^:：\\n]{0,120}[:：]$`, 'iu');
const TIME = /(\d):(\d)/g;

/** True when text ends like a reply header: "… wrote:", "… schrieb …:", "… a écrit :", "…写道：". */
export function endsWithWroteVerb(text: string): boolean {
  if (!hasColon(text)) return false;
  const s = cleanLine(text);
  if (!s.endsWith(':') && !s.endsWith('：')) return false;
  return WROTE_END.test(unescapeHtmlText(s).replace(TIME, '$1.$2'));
}

// A sender-first header's first line: a name, the bracketed address (maybe HTML-escaped) and the verb that puts
// the date after it. Gmail wraps such headers, so the line may end anywhere in the date.
const SENDER_FIRST = new RegExp(
  `^[^<>:]{0,80}(?:<|&lt;)[^\\s<>@]{1,64}@[^\\s<>]{1,255}(?:>|&gt;)\\s+(?:${alternation((row) => row.senderFirst)})\\s`,
  'iu',
);

/** True for the first line of a sender-first header ("Max <max@x> schrieb am Fr., 28."). */
export function isSenderFirstLine(line: string): boolean {
  return line.includes('@') && SENDER_FIRST.test(cleanLine(line));
}

// Zoho writes its header between dashes and without a colon: "---- On <date> <name> wrote ----".
const DASHED = /^-{2,10}\s*(.{1,500}?)\s*-{2,10}$/u;

/** True for a dashed quote header ("---- On Tue, 22 Dec 2015 14:17:36 +0530 Sam <sam@x> wrote ----"). */
export function isDashedHeader(line: string): boolean {
  const s = cleanLine(line);
  if (!s.startsWith('--')) return false;
  const inner = DASHED.exec(s)?.[1];
  return inner !== undefined && endsWithWroteVerb(`${inner}:`);
}

const HAS_ADDRESS = /@[\w-]+\.\w/;
const HAS_DATE = /\d{1,2}:\d{2}|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}\s*年|\d{1,2}\s+\p{L}{3,12}\.?\s+\d{4}/u;

/** True when text names an e-mail address or a date/time, as real reply headers do. */
export function hasAddressOrDate(text: string): boolean {
  return HAS_ADDRESS.test(text) || HAS_DATE.test(text);
}

/** True when text names a date or a time. */
export function hasDate(text: string): boolean {
  return HAS_DATE.test(text);
}

/**
 * True for a verb-less header that names a date and an address and ends with a colon
 * ("26.06.2014, 14:41, "Alex" <a@example.com>:"). Weak on its own: callers also require a quote after it.
 */
export function isDatedAddressHeader(text: string): boolean {
  if (!hasColon(text)) return false;
  const s = cleanLine(text);
  if (s.length > 400 || (!s.endsWith(':') && !s.endsWith('：'))) return false;
  return HAS_ADDRESS.test(s) && HAS_DATE.test(s);
}

const FIELD_KIND = new Map<string, HeaderFieldKind>();
for (const row of LANGUAGE_ROWS) {
  for (const [kind, names] of Object.entries(row.fields) as [HeaderFieldKind, readonly string[]][]) {
    for (const name of names) if (!FIELD_KIND.has(name)) FIELD_KIND.set(name, kind);
  }
}

// "From:", "*From:*" (Outlook plain text renders bold as asterisks), "De :" (French spacing).
const FIELD_LINE = /^\*{0,2}([\p{L}][\p{L} -]{0,20}?)\*{0,2}\s?[:：]/u;
/** The furthest FIELD_LINE's colon can be: two asterisks, a letter, 20 more, two asterisks, one space. */
const FIELD_COLON_LIMIT = 26;

const colonWithin = (s: string, limit: number): boolean => {
  const colon = s.indexOf(':');
  if (colon >= 0 && colon <= limit) return true;
  const wide = s.indexOf('：');
  return wide >= 0 && wide <= limit;
};

/** The header field a line starts with ("From: …" → 'from'), or null. */
export function headerFieldKind(line: string): HeaderFieldKind | null {
  if (!hasColon(line)) return null;
  const s = cleanLine(line);
  if (s.length > MAX_PATTERN_LINE || !colonWithin(s, FIELD_COLON_LIMIT)) return null;
  const m = FIELD_LINE.exec(s);
  if (!m?.[1]) return null;
  return FIELD_KIND.get(m[1].trim().toLowerCase()) ?? null;
}

const FORWARD_SEPARATOR = new RegExp(`^[-_=*~<>\\s]*(?:${alternation((row) => row.separators)})[-_=*~<>:：\\s]*$`, 'iu');

/** True for "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:" etc. */
export function isForwardSeparator(line: string): boolean {
  const s = cleanLine(line);
  return s.length <= 200 && FORWARD_SEPARATOR.test(s);
}

/** True for a line made only of dashes, underscores, equals signs, asterisks or tildes (at least two). */
export function isRuleLine(line: string): boolean {
  const s = cleanLine(line);
  return s.length >= 2 && s.length <= MAX_PATTERN_LINE && /^[-_=*~]+$/.test(s);
}

/** True for the conventional signature delimiter "-- " (RFC 3676) or a bare "--". */
export function isSignatureDelimiter(line: string): boolean {
  return /^--[ \t]*$/.test(line);
}

/** True for the unambiguous RFC 3676 delimiter "-- " (dash, dash, space). */
export function isStrictSignatureDelimiter(line: string): boolean {
  return line === '-- ' || line === '-- \r';
}

/** True for a dashed name line such as "-Abhishek Kona" or "-- Tim". */
export function isDashNameLine(line: string): boolean {
  const s = cleanLine(line);
  return s.length <= 50 && /^(?:-|--\s?)\p{Lu}[\p{L}.' ]{0,40}$/u.test(s);
}

const FOOTER = new RegExp(`^(?:${alternation((row) => row.footers, false)})$`, 'iu');

/** True for a mobile or client footer: "Sent from my iPhone", "Von meinem iPhone gesendet", "iPhoneから送信". */
export function isMobileFooter(line: string): boolean {
  const s = cleanLine(line);
  if (s.length > 100) return false;
  return FOOTER.test(s);
}

/** True for a line that is only a personal name: one to four capitalised words. */
export function isNameLine(line: string): boolean {
  const s = cleanLine(line);
  return s.length <= 40 && /^\p{Lu}[\p{L}.'-]*(?: \p{Lu}[\p{L}.'-]*){0,3}$/u.test(s);
}

const CONTACT = [
  /@[\w-]+\.\w/, // an e-mail address
  /(?:https?:\/\/|www\.)\S/i, // a web address
  /(?:^|\s)(?:tel|phone|mobile|mob|cell|fax|skype|t|m|f|p)\.?\s?:?\s?[+(]?\d/i, // labelled number
  /(?:^|\s)\+?\(?\d{1,4}\)?[\s.-]?\d{2,4}[\s.-]\d{3,4}(?:$|\s)/, // a phone number
];

/** True for a short line that carries contact details (address, URL, phone). */
export function isContactLine(line: string): boolean {
  const s = cleanLine(line);
  return s.length <= 80 && CONTACT.some((re) => re.test(s));
}
