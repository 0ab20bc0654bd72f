// core: which ended deliveries mark their ticket, so agents find mail that never reached its recipient
import type { SuppressionReason } from './notify-ports';

/** How a delivery ended without being sent. */
export type UnsentEnd = { readonly status: 'failed' } | { readonly status: 'suppressed'; readonly reason: SuppressionReason };

/**
 * True when an agent must look at the ticket: the mail failed for good, or was held back because its address is
 * undeliverable or it hit a rate limit. Not for suppressions the desk means (acknowledgements turned off, the desk's own
 * address, a recipient who unsubscribed): those are no problem to solve and would bury the ones that are.
 * @example marksTicket({ status: 'suppressed', reason: 'acknowledgements-disabled' }) // false
 */
export function marksTicket(end: UnsentEnd): boolean {
  if (end.status === 'failed') return true;
  return end.reason === 'undeliverable' || end.reason === 'rate-limited';
}
