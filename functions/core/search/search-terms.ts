// core: which search terms a ticket's text adds to the index (pure): words for spaced scripts, bigrams for CJK and
// other scripts written without spaces, whole addresses for people
import { isDeskAddress, type DeskConfig } from '../config/desk-config';
import type { ParsedMail, Ticket, TicketMessage } from '../types';

/** A message adds at most this many terms; each is one index item (one write unit), so the cap bounds a message's cost. */
export const MAX_TERMS_PER_MESSAGE = 250;
/** Longer "words" are hashes, base64 or URLs: nobody searches for them. */
const MAX_WORD_LENGTH = 40;
/** Query terms looked up in the index; more words narrow little and cost a Query each. */
export const MAX_QUERY_TERMS = 6;

/** Scripts written without spaces between words: indexed by overlapping character pairs (bigrams). */
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}ー々〆]/u;
const RUN = /[\p{L}\p{N}\p{M}]+/gu;
/**
 * Bounded parts (RFC 5321's 64-character local part, 253-character domain): unbounded ones backtrack over every
 * start of a long run without an `@`, which took minutes on a 40 MB body.
 */
const ADDRESS = /[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}.-]{1,253}\.\p{L}{2,63}/gu;
/**
 * Only the start of a text is indexed: {@link MAX_TERMS_PER_MESSAGE} terms are found long before this, and the cap
 * keeps an oversize body from costing the ingest function its time.
 */
const MAX_INDEXED_CHARS = 200_000;
/** Words too common to narrow a search (English, and reply prefixes of several languages). */
const STOP_WORDS = new Set([
  're',
  'fw',
  'fwd',
  'aw',
  'sv',
  'wg',
  'tr',
  'the',
  'and',
  'for',
  'with',
  'from',
  'about',
  'you',
  'your',
  'are',
  'was',
  'this',
  'that',
  'have',
  'has',
  'but',
  'not',
  'our',
  'can',
  'will',
  'its',
  'it',
  'is',
  'to',
  'of',
  'in',
  'on',
  'at',
  'be',
  'as',
  'an',
  'or',
  'if',
  'we',
  'me',
  'my',
  'so',
  'do',
  'by',
  'hi',
  'no',
]);

/**
 * The terms of a text, in order of first appearance, each once: lowercased NFKC words of two to 40 letters or
 * digits (stop words dropped), every overlapping pair of characters of a run in an unspaced script
 * (`ログイン` → `ログ`, `グイ`, `イン`), and each email address whole.
 * @example textTerms('Printer ログイン broken') // ['printer', 'ログ', 'グイ', 'イン', 'broken']
 */
export function textTerms(text: string): string[] {
  const normalized = text.slice(0, MAX_INDEXED_CHARS).normalize('NFKC').toLowerCase();
  const terms = new Set<string>(normalized.match(ADDRESS) ?? []);
  for (const run of normalized.match(RUN) ?? []) {
    for (const part of splitScripts(run)) {
      if (UNSPACED.test(part)) {
        const chars = [...part];
        for (let i = 0; i + 1 < chars.length; i += 1) terms.add(chars[i]! + chars[i + 1]!);
      } else if (part.length >= 2 && part.length <= MAX_WORD_LENGTH && !STOP_WORDS.has(part)) {
        terms.add(part);
      }
    }
  }
  return [...terms];
}

/** Splits a run of letters where it passes between an unspaced script and any other (`Windows10でログイン`). */
function splitScripts(run: string): string[] {
  const parts: string[] = [];
  let current = '';
  let unspaced: boolean | null = null;
  for (const char of run) {
    const isUnspaced = UNSPACED.test(char);
    if (unspaced !== null && isUnspaced !== unspaced) {
      parts.push(current);
      current = '';
    }
    current += char;
    unspaced = isUnspaced;
  }
  if (current) parts.push(current);
  return parts;
}

/** A person as search finds them: by address (whole, and its words) and by name. */
export interface PersonText {
  readonly address: string;
  readonly name: string;
}

/** What a message contributes to its ticket's index. */
export interface IndexedText {
  /** The ticket's subject, for the first message only (later ones repeat it). */
  readonly subject?: string;
  /** The body as written: the whole text for the first message, the new text of a reply. */
  readonly body: string;
  /** Sender and recipients (requester, Cc participants, people an agent adds). */
  readonly people: readonly PersonText[];
}

/**
 * The index terms a message adds to its ticket, at most {@link MAX_TERMS_PER_MESSAGE}: people first (an address
 * is what agents search most), then the subject, then the body.
 */
export function messageTerms(indexed: IndexedText): string[] {
  const terms = new Set<string>();
  const add = (list: readonly string[]) => {
    for (const term of list) if (terms.size < MAX_TERMS_PER_MESSAGE) terms.add(term);
  };
  for (const person of indexed.people) add(textTerms(`${person.address} ${person.name}`));
  if (indexed.subject) add(textTerms(indexed.subject));
  add(textTerms(indexed.body));
  return [...terms];
}

/**
 * The terms a search for `query` must all find, rarest-looking first (longer terms narrow more); at most
 * {@link MAX_QUERY_TERMS}. Empty when the query has nothing searchable (one character, only stop words).
 */
export function queryTerms(query: string): string[] {
  return textTerms(query)
    .sort((a, b) => b.length - a.length)
    .slice(0, MAX_QUERY_TERMS);
}

/** The terms of a ticket's first mail: people, subject and the whole text (a forward's quoted part is its content). */
export function newTicketTerms(ticket: Ticket, mail: ParsedMail): string[] {
  return messageTerms({ subject: ticket.subject, body: mail.text, people: [mail.from, ticket.requester, ...ticket.participants] });
}

/**
 * The terms a reply by mail adds to `ticket`: its sender and other recipients (never a desk address), and its new text,
 * or the whole text when the reply extractor was unsure what is new. What the ticket already holds is left out: the
 * people on it and its subject's words were indexed when they joined it (each term is a write unit, and writing one
 * again changes nothing).
 */
export function inboundReplyTerms(
  mail: ParsedMail,
  config: DeskConfig,
  ticket: Pick<Ticket, 'requester' | 'participants' | 'subject'>,
): string[] {
  const onTicket = new Set([ticket.requester.address, ...ticket.participants.map((p) => p.address)].map((a) => a.toLowerCase()));
  const people = [mail.from, ...mail.to, ...mail.cc].filter(
    (p) => p.address.includes('@') && !isDeskAddress(config, p.address) && !onTicket.has(p.address.toLowerCase()),
  );
  const known = new Set(textTerms(ticket.subject));
  return messageTerms({ body: mail.replyConfidence === 'high' ? mail.reply : mail.text, people }).filter((t) => !known.has(t));
}

/** The terms of a ticket the desk opens: its subject, its people and the agent's first message. */
export function deskTicketTerms(ticket: Ticket, body: string): string[] {
  return messageTerms({ subject: ticket.subject, body, people: [ticket.requester, ...ticket.participants] });
}

/** The terms of a stored message: an inbound one's people and new text, an agent's text. */
export function storedMessageTerms(message: TicketMessage): string[] {
  return message.direction === 'inbound'
    ? messageTerms({ body: message.reply || message.text, people: [message.from, ...message.to, ...message.cc] })
    : agentMessageTerms(message.text);
}

/**
 * The terms of a thread that moves to a ticket (a merge, a held message moved to a ticket of its own): the subject and
 * every message but those still held (bodies kept in S3 count by their preview).
 */
export function threadTerms(subject: string, messages: readonly TicketMessage[]): string[] {
  const terms = new Set<string>(messageTerms({ subject, body: '', people: [] }));
  for (const message of messages) if (message.held !== true) for (const term of storedMessageTerms(message)) terms.add(term);
  return [...terms];
}

/** The terms an agent's answer or note adds (its Markdown as written). */
export function agentMessageTerms(body: string): string[] {
  return messageTerms({ body, people: [] });
}

/** The terms of a person an agent adds to a ticket. */
export function personTerms(person: PersonText): string[] {
  return messageTerms({ body: '', people: [person] });
}

/**
 * The index term of tickets with a delivery that ended unsent (see core/notify/delivery-marks.ts): `?delivery=failed`
 * lists its holders that still have `failedDeliveries`. Its space keeps it apart from every text term (words never
 * hold one).
 */
export const FAILED_DELIVERY_TERM = 'delivery failed';
