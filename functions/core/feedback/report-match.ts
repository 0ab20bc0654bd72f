// core: which of our deliveries a bounce or complaint arriving as mail is about, and whom it may mark (pure)

/** One of our outgoing emails that a Message-ID in the report points to. */
export interface SentDelivery {
  readonly ticketId: string;
  readonly deliveryId: string;
  /** Whom the email went to (lower-cased). */
  readonly recipient: string;
}

export interface ReportMatch {
  /** The deliveries the report is about whose recipient it names: only these and their recipients are acted on. */
  readonly matches: readonly SentDelivery[];
  /** Why the report acts on nothing; null when it matched. */
  readonly unmatched: string | null;
}

/** A report acts on at most this many of our deliveries: one report must not reach across many tickets. */
export const MAX_MATCHED_DELIVERIES = 10;

/**
 * Matches a report to our mail. Anyone can send the desk a DSN or an ARF report naming any address, so a report acts
 * only when it carries the Message-ID of an email we sent (in its returned headers or `message/rfc822` part) and names
 * as failed exactly the recipient of that email; other addresses it names are never touched. A report that proves
 * nothing marks nobody and says why.
 * @example matchReport(['bob@example.com'], [{ ticketId, deliveryId, recipient: 'bob@example.com' }]).matches.length // 1
 */
export function matchReport(failedRecipients: readonly string[], sent: readonly SentDelivery[]): ReportMatch {
  if (sent.length === 0) return { matches: [], unmatched: 'it refers to no email the desk sent' };
  const named = new Set(failedRecipients.map((a) => a.trim().toLowerCase()).filter((a) => a.includes('@')));
  const seen = new Set<string>();
  const matches = sent.filter((delivery) => {
    if (seen.has(delivery.deliveryId) || !named.has(delivery.recipient.toLowerCase())) return false;
    seen.add(delivery.deliveryId);
    return true;
  });
  if (matches.length === 0) {
    const names = [...named].slice(0, 5).join(', ') || 'no recipient';
    return { matches: [], unmatched: `it names ${names}, but the email of ours it refers to went to someone else` };
  }
  return { matches: matches.slice(0, MAX_MATCHED_DELIVERIES), unmatched: null };
}
