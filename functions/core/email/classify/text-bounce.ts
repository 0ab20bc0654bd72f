// core: failed recipients from plain-text bounces (Exim, Gmail, Sendmail, Postfix, qmail) with no DSN part
import { normaliseAddress } from './addresses';

/** A recipient named in a human-readable bounce. */
export interface TextRecipient {
  readonly address: string;
  /** The reason lines that followed the address, for the permanence decision. */
  readonly diagnostic: string;
}

/** What the readable part of a bounce says. */
export interface TextBounce {
  readonly recipients: TextRecipient[];
  /** True when the text says delivery is still being retried (a delay warning, not a failure). */
  readonly delayed: boolean;
  /** The explanation part of the bounce, before the returned original message. */
  readonly explanation: string;
}

/** Where MTAs start quoting the returned message; nothing below is the MTA's own wording. */
const ORIGINAL_MESSAGE_MARKER = new RegExp(
  [
    /^[ \t]*-+ ?This is a copy of (?:the|your) message/,
    /^[ \t]*-+ ?(?:Original|Returned|Unsent|Undelivered) message/,
    /^[ \t]*-+ ?(?:Below this line is a copy of the message|The original message|Message header follows|Original message follows)/,
    /^(?:Return-Path|Received|DKIM-Signature|X-Received):/,
  ]
    .map((marker) => `(?:${marker.source})`)
    .join('|'),
  'im',
);

/** Phrases that introduce the list of failed (or delayed) addresses; MTAs wrap them anywhere. */
const LIST_MARKERS: readonly { readonly pattern: RegExp; readonly delayed: boolean }[] = [
  { pattern: /Delivery\s+to\s+the\s+following\s+recipients?\s+has\s+been\s+delayed/i, delayed: true },
  { pattern: /Delivery\s+to\s+the\s+following\s+recipients?\s+(?:failed|was\s+unsuccessful)/i, delayed: false },
  { pattern: /address(?:\(es\)|es)?\s+to\s+which\s+the\s+message\s+has\s+not\s+yet\s+been\s+delivered/i, delayed: true },
  { pattern: /following\s+address(?:\(es\)|es)?\s+failed/i, delayed: false },
  { pattern: /following\s+addresses?\s+had\s+transient\s+non-fatal\s+errors/i, delayed: true },
  { pattern: /following\s+addresses?\s+had\s+permanent\s+fatal\s+errors/i, delayed: false },
  { pattern: /(?:unable|not\s+able)\s+to\s+deliver\s+your\s+message\s+to\s+the\s+following\s+addresses/i, delayed: false },
];

/** Wording of delay warnings when no list marker said so. */
const DELAY_WORDING =
  /\b(?:THIS IS A WARNING MESSAGE ONLY|has not yet been delivered|will (?:be retried|continue)|still being retried|Delivery attempts will continue|delivery (?:is|has been) delayed)\b/i;

/**
 * A line led by an address: `  user@example.com`, `<user@example.com>: host … said: 550 …`,
 * `<a@b> (expanded from <c@d>): …`, `user@example.com... User unknown`.
 */
const ADDRESS_LINE =
  /^([ \t]{0,8})<?([^\s<>()"@]+@[^\s<>()":@]+?)>?[ \t]*(?:\(expanded from:?[ \t]*<?([^\s<>()]+?)>?\)[ \t]*)?(?::[ \t]*(.*)|\.\.\.[ \t]*(.*))?$/;

// One scan: the leftmost match of the alternation is the earliest of the markers.
function cutAtOriginal(body: string): string {
  const found = ORIGINAL_MESSAGE_MARKER.exec(body);
  return found ? body.slice(0, found.index) : body;
}

/** Reads address-led blocks; indented or `(reason: …)` lines after an address are its diagnostic. */
function addressBlocks(text: string): TextRecipient[] {
  const blocks: { address: string; lines: string[] }[] = [];
  let open = false;
  for (const line of text.split('\n')) {
    const match = ADDRESS_LINE.exec(line);
    const address = match ? normaliseAddress(match[3] ?? match[2] ?? '') : null;
    if (match && address) {
      blocks.push({ address, lines: [match[4] ?? match[5] ?? ''] });
      open = true;
    } else if (line.trim() === '' || !/^[ \t(]/.test(line)) {
      open = false;
    } else if (open) {
      blocks[blocks.length - 1]?.lines.push(line.trim());
    }
  }
  return blocks.map((b) => ({ address: b.address, diagnostic: b.lines.join(' ').trim() }));
}

/** Finds a status-bearing line naming the address (Sendmail transcripts, Gmail technical details). */
function diagnosticMentioning(explanation: string, address: string): string {
  for (const line of explanation.split('\n')) {
    if (line.toLowerCase().includes(address) && /\b[245]\d\d\b/.test(line)) return line.trim();
  }
  return '';
}

/** Reads the failed recipients a plain-text bounce lists; `senders` (the bounce's own From/To) are never among them. */
export function parseTextBounce(body: string, subject: string, senders: ReadonlySet<string>): TextBounce {
  const explanation = cutAtOriginal(body);
  let region = explanation;
  let delayed = DELAY_WORDING.test(explanation) || /\bdelay(?:ed)?\b/i.test(subject);
  let earliest = Number.POSITIVE_INFINITY;
  for (const marker of LIST_MARKERS) {
    const found = marker.pattern.exec(explanation);
    if (found && found.index < earliest) {
      earliest = found.index;
      region = explanation.slice(found.index + found[0].length).replace(/^[^\n]*\n/, '');
      delayed = marker.delayed;
    }
  }
  const seen = new Set<string>();
  const recipients: TextRecipient[] = [];
  for (const block of addressBlocks(region)) {
    if (senders.has(block.address) || seen.has(block.address)) continue;
    seen.add(block.address);
    const diagnostic = block.diagnostic || diagnosticMentioning(explanation, block.address);
    recipients.push({ address: block.address, diagnostic });
  }
  return { recipients, delayed, explanation };
}
