// core: Message-ID, In-Reply-To and References in one normalised `<id>` form
import { createHash } from 'node:crypto';

/** RFC 5322 caps a line at 998 characters; no real id is longer. */
const MAX_ID_LENGTH = 998;
/** A References chain longer than this is abuse, not a thread. */
const MAX_IDS = 500;

function wrap(id: string): string | null {
  const bare = id.trim().replace(/^["'<]+|[>"',;]+$/g, '');
  if (bare.length === 0 || bare.length > MAX_ID_LENGTH || /[\s<>]/.test(bare)) return null;
  return `<${bare}>`;
}

/**
 * Every id in an In-Reply-To or References value, `<id>` form, in order, deduplicated. Handles
 * ids separated by whitespace or by commas (Exchange, iOS), a whole value in quotes, and bare ids.
 * @example parseIdList('"<a@x>,<b@y>"') // ['<a@x>', '<b@y>']
 */
export function parseIdList(value: string | null | undefined): string[] {
  if (!value) return [];
  const found: string[] = [];
  const bracketed = value.match(/<[^<>]{1,998}>/g);
  const candidates = bracketed ?? value.split(/[\s,]+/).filter((token) => token.includes('@'));
  for (const candidate of candidates) {
    const id = wrap(candidate.slice(candidate.startsWith('<') ? 1 : 0, candidate.endsWith('>') ? -1 : undefined));
    if (id && !found.includes(id)) found.push(id);
    if (found.length >= MAX_IDS) break;
  }
  return found;
}

/** The single id of a Message-ID value in `<id>` form, or null when there is none. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const bracketed = /<([^<>]{1,998})>/.exec(value);
  return wrap(bracketed?.[1] ?? value.split(/\s+/).find((token) => token.length > 0) ?? '');
}

export interface MessageIdSeed {
  readonly from: string;
  readonly date: string | null;
  readonly subject: string;
  readonly to: readonly string[];
  readonly body: string;
}

/**
 * A stable id for a message that has none. Built from what the author wrote (not the raw bytes),
 * so it stays the same when SES or a relay prepends headers to a redelivered copy.
 */
export function deriveMessageId(seed: MessageIdSeed): string {
  const bodyHash = createHash('sha256').update(seed.body).digest('hex');
  const digest = createHash('sha256')
    .update(JSON.stringify([seed.from, seed.date, seed.subject, [...seed.to].sort(), bodyHash]))
    .digest('hex');
  return `<derived-${digest.slice(0, 32)}@sesdesk.invalid>`;
}
