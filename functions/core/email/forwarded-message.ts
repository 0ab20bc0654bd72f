// core: the original mail inside a forward (an inline "Forwarded message" block, or an attached message as mailparser renders it), pure
import type { Mailbox } from '../types';

/** The mail a forward carries, as far as its quoted header block (or attached message) tells. */
export interface ForwardedOriginal {
  readonly from: Mailbox;
  readonly replyTo: readonly Mailbox[];
  /** The original subject; null when the block names none. */
  readonly subject: string | null;
  /** The original text, below its header block. */
  readonly text: string;
  /** What the forwarder wrote above the block (often "can you take this?"); empty when nothing. */
  readonly note: string;
}

/**
 * Lines that open a forwarded block, per mail client: Gmail, Thunderbird, Apple Mail, Outlook (with its language
 * variants for German, French and Spanish, the desk's most common after English).
 */
const SEPARATORS: readonly RegExp[] = [
  /^-{2,}\s*(forwarded message|weitergeleitete nachricht|message transf[ée]r[ée]|mensaje reenviado)\s*-{2,}$/i,
  /^(begin forwarded message|anfang der weitergeleiteten nachricht|d[ée]but du message r[ée]exp[ée]di[ée]|inicio del mensaje reenviado)\s*:$/i,
  /^-{2,}\s*(original message|urspr[üu]ngliche nachricht|message d'origine|mensaje original)\s*-{2,}$/i,
  // Outlook's rule before the header block: only a forward when From follows.
  /^_{10,}$/,
];

/** Header names of a quoted block, by what they mean. */
const FIELDS: Readonly<Record<string, 'from' | 'subject' | 'replyTo' | 'other'>> = {
  from: 'from',
  von: 'from',
  de: 'from',
  subject: 'subject',
  betreff: 'subject',
  objet: 'subject',
  asunto: 'subject',
  'reply-to': 'replyTo',
  'antwort an': 'replyTo',
  'répondre à': 'replyTo',
  'responder a': 'replyTo',
  to: 'other',
  an: 'other',
  à: 'other',
  para: 'other',
  cc: 'other',
  date: 'other',
  datum: 'other',
  sent: 'other',
  gesendet: 'other',
  envoyé: 'other',
  enviado: 'other',
  fecha: 'other',
};

/** How far into the forward the separator may sit: below that it is a quote in a longer mail, not a forward. */
const MAX_NOTE_LINES = 40;

/**
 * The original mail of a forward in `text`, or null when the text is not one: within the first
 * {@link MAX_NOTE_LINES} lines, a separator line and then a header block whose From names an address, or a header
 * block with From and Subject on its own paragraph (how mailparser renders an attached message/rfc822, and how
 * Outlook writes a forward without its rule).
 * @example inlineForwarded('FYI\n\n---------- Forwarded message ---------\nFrom: Ann <ann@example.com>\nSubject: Help\n\nIt broke.')
 */
export function inlineForwarded(text: string): ForwardedOriginal | null {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < Math.min(lines.length, MAX_NOTE_LINES); i++) {
    const line = stripMarkup(lines[i]!);
    if (SEPARATORS.some((re) => re.test(line))) {
      let first = i + 1;
      while (first < lines.length && stripMarkup(lines[first]!) === '') first++;
      const block = headerBlock(lines, first);
      if (block.from) return original(lines, i, block);
    } else if (/^from\s?:/i.test(line) && (i === 0 || stripMarkup(lines[i - 1]!) === '')) {
      const block = headerBlock(lines, i);
      if (block.from && block.subject !== undefined) return original(lines, i, block);
    }
  }
  return null;
}

interface HeaderBlock {
  readonly from: Mailbox | null;
  readonly subject?: string;
  readonly replyTo?: string;
  /** The line after the block. */
  readonly end: number;
}

/** Reads `Name: value` lines from `first` to the first blank line (or a line that is no field). */
function headerBlock(lines: readonly string[], first: number): HeaderBlock {
  const fields: { from?: string; subject?: string; replyTo?: string } = {};
  let last: keyof typeof fields | null = null;
  let i = first;
  for (; i < lines.length; i++) {
    const line = stripMarkup(lines[i]!);
    if (line === '') break;
    const field = /^([^:]{1,20}?)\s?:\s*(.*)$/.exec(line);
    const meaning = field ? FIELDS[field[1]!.trim().toLowerCase()] : undefined;
    if (field && meaning) {
      last = meaning === 'other' ? null : meaning;
      if (last && fields[last] === undefined) fields[last] = field[2]!.trim();
    } else if (last && /^\s/.test(lines[i]!)) {
      // A folded continuation of the field above (long subjects wrap).
      fields[last] = `${fields[last]} ${line}`;
    } else break;
  }
  return { from: fields.from === undefined ? null : mailboxOf(fields.from), subject: fields.subject, replyTo: fields.replyTo, end: i };
}

function original(lines: readonly string[], start: number, block: HeaderBlock): ForwardedOriginal {
  const replyTo = block.replyTo === undefined ? null : mailboxOf(block.replyTo);
  return {
    from: block.from!,
    replyTo: replyTo ? [replyTo] : [],
    subject: block.subject ?? null,
    text: lines.slice(block.end).join('\n').trim(),
    note: lines.slice(0, start).join('\n').trim(),
  };
}

/** Gmail's plain text bolds field names (`*From:*`), some clients quote the block (`> From:`). */
function stripMarkup(line: string): string {
  return line
    .replace(/^(>\s?)+/, '')
    .replace(/\*([^*]+):\*/, '$1:')
    .trim();
}

/** `Name <a@b>`, `"Name" <a@b>`, `Name [mailto:a@b]` (Outlook), or a bare address; null without an address. */
export function mailboxOf(value: string): Mailbox | null {
  const bracketed = /^(.*?)\s*[<[](?:mailto:)?([^\s<>[\]]+@[^\s<>[\]]+)[>\]]\s*$/i.exec(value);
  if (bracketed) return { address: bracketed[2]!.toLowerCase(), name: bracketed[1]!.trim().replace(/^"(.*)"$/, '$1') };
  const bare = /^<?([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>?$/.exec(value.trim());
  return bare ? { address: bare[1]!.toLowerCase(), name: '' } : null;
}

/** A subject without the forwarder's prefixes (`Fwd:`, `FW:`, `WG:`, `TR:`, `RV:`), any number of them. */
export function withoutForwardPrefix(subject: string): string {
  return subject.replace(/^(\s*(fwd?|wg|tr|rv)\s*:\s*)+/i, '').trim();
}
