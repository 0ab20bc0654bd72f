// core: what a bounce or complaint does to the addresses it names and to our deliveries (pure, one rule for
// bounces arriving as mail and SES notifications alike)
import type { LateEnd } from '../notify/delivery-marks';

/** One address's new state; `state: null` only counts a transient bounce. */
export interface AddressFeedback {
  readonly address: string;
  readonly state: 'undeliverable' | 'complained' | null;
  readonly reason: string;
}

/** A bounce or complaint report, as read from a DSN, an ARF report or an SES notification. */
export interface FeedbackReport {
  readonly kind: 'bounce' | 'complaint';
  /** True for a permanent failure (5.x.x, SES `Permanent`), false for a transient one, null when the report does not say. */
  readonly permanent: boolean | null;
  /** The failed or complaining recipients, each with the report's own words about it when given. */
  readonly recipients: readonly { readonly address: string; readonly detail?: string }[];
  /** A short summary, e.g. `Permanent bounce (General)`. */
  readonly reason: string;
}

export interface FeedbackDecision {
  readonly addresses: readonly AddressFeedback[];
  /**
   * How the deliveries the report concerns end: `bounced` for a bounce for good, `complained` for a complaint, null for a
   * transient bounce (whether each one does is `lateEnd`'s decision in core/notify/delivery-marks.ts, from its status).
   */
  readonly deliveryEnd: LateEnd | null;
}

/** Reports name at most this many recipients that we act on: one report must not touch a whole list. */
export const MAX_FEEDBACK_ADDRESSES = 20;

/**
 * Decides what a report changes. A permanent bounce (or one that does not say, like most plain DSNs that carry
 * no status) makes each address undeliverable and the delivery bounced; a transient bounce is only counted and
 * the delivery may still arrive; a complaint makes each address `complained` (no more mail to it) and the delivery,
 * which did arrive, `complained`.
 * @example decideFeedback({ kind: 'bounce', permanent: false, recipients: [{ address: 'a@x.example' }], reason: 'Transient bounce' })
 */
export function decideFeedback(report: FeedbackReport): FeedbackDecision {
  const state: AddressFeedback['state'] = report.kind === 'complaint' ? 'complained' : report.permanent === false ? null : 'undeliverable';
  const seen = new Set<string>();
  const addresses: AddressFeedback[] = [];
  for (const recipient of report.recipients) {
    const address = recipient.address.trim().toLowerCase();
    if (!address.includes('@') || seen.has(address)) continue;
    seen.add(address);
    const reason = [report.reason, recipient.detail].filter(Boolean).join(': ').slice(0, 500);
    addresses.push({ address, state, reason });
    if (addresses.length >= MAX_FEEDBACK_ADDRESSES) break;
  }
  return { addresses, deliveryEnd: state === 'undeliverable' ? 'bounced' : state === 'complained' ? 'complained' : null };
}
