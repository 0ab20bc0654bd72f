// core: which ended deliveries mark their ticket, so agents find mail that never reached its recipient
import type { Delivery, DeliveryStatus, SuppressionReason } from './notify-ports';

/** How a delivery ended without being sent. */
export type UnsentEnd = { readonly status: 'failed' } | { readonly status: 'suppressed'; readonly reason: SuppressionReason };

/** How a delivery SES had accepted ended after all, by a later report: a bounce for good, or the recipient's complaint. */
export type LateEnd = 'bounced' | 'complained';

/** Any end of a delivery that may need an agent: unsent, or reported back later. */
export type DeliveryEnd = UnsentEnd | { readonly status: LateEnd };

/** The ends an agent's retry takes back to `pending` (a delivery stuck in `sending` past its lease is retried too). */
export const RETRYABLE_ENDS = ['failed', 'bounced', 'complained'] as const satisfies readonly DeliveryStatus[];

/**
 * The suppressions that mark a ticket, and so may be retried: the address was undeliverable (an agent may have cleared
 * it since) or a rate limit held the mail (its window passes). A retry that meets them again is suppressed again.
 */
export const MARKING_SUPPRESSIONS = ['undeliverable', 'rate-limited'] as const satisfies readonly SuppressionReason[];

/**
 * True when an agent must look at the ticket: the mail failed for good, bounced for good or was complained about after
 * SES accepted it, or was held back because its address is undeliverable or it hit a rate limit. Not for suppressions the
 * desk means (acknowledgements turned off, the desk's own address, a recipient who unsubscribed): those are no problem to
 * solve and would bury the ones that are.
 * @example marksTicket({ status: 'suppressed', reason: 'acknowledgements-disabled' }) // false
 */
export function marksTicket(end: DeliveryEnd): boolean {
  if (end.status !== 'suppressed') return true;
  return (MARKING_SUPPRESSIONS as readonly SuppressionReason[]).includes(end.reason);
}

/**
 * True when an agent's Retry applies (the API and the dashboard both ask this): a delivery that ended in one of
 * {@link RETRYABLE_ENDS}, a suppression that marked its ticket, or a send left `sending` past its lease (`now` ISO).
 * @example canRetry({ status: 'suppressed', lastError: 'undeliverable' }, now) // true
 */
export function canRetry(delivery: Pick<Delivery, 'status' | 'lastError' | 'leaseUntil'>, now: string): boolean {
  if (delivery.status === 'sending') return typeof delivery.leaseUntil === 'string' && delivery.leaseUntil < now;
  if (delivery.status === 'suppressed') return (MARKING_SUPPRESSIONS as readonly (string | null)[]).includes(delivery.lastError);
  return (RETRYABLE_ENDS as readonly DeliveryStatus[]).includes(delivery.status);
}

/**
 * True for the statuses in which a customer's mail will not arrive: the team's "delivery failed" notification and the
 * `delivery.failed` webhook event are made when a delivery enters one. A complaint is not one: that mail arrived.
 * (`WORKFLOW_STREAM_FILTERS` in contracts.ts lists the same statuses; a unit test keeps them equal.)
 */
export function failedForGood(status: DeliveryStatus): boolean {
  return status === 'failed' || status === 'bounced';
}

/** What a report SES or a mail server sends back about a delivery does to that delivery. */
export interface LateEndDecision {
  /** The delivery's new status; null when it keeps its own. */
  readonly end: LateEnd | null;
  /** Whether the ticket gets the delivery's id in `failedDeliveries` and the failed-delivery term with that end. */
  readonly marksTicket: boolean;
  /** True when the delivery already ended this way: the report is a copy of one recorded before, and changes nothing. */
  readonly recorded: boolean;
}

/**
 * Decides a late report's effect on the delivery it is about, from the delivery's status as read. Only a `sent` delivery
 * ends (`bounced` for a bounce for good, `complained` for a complaint), so a redelivered report, or a second report about
 * the same mail, ends nothing again and marks nothing again. A transient bounce (`reported` null) changes nothing: the
 * mail may still arrive. A delivery that is not `sent` (retried meanwhile, ended another way) keeps its status.
 * @example lateEnd('bounced', 'sent') // { end: 'bounced', marksTicket: true, recorded: false }
 */
export function lateEnd(reported: LateEnd | null, status: DeliveryStatus): LateEndDecision {
  if (reported !== null && status === reported) return { end: null, marksTicket: false, recorded: true };
  if (reported === null || status !== 'sent') return { end: null, marksTicket: false, recorded: false };
  return { end: reported, marksTicket: marksTicket({ status: reported }), recorded: false };
}
