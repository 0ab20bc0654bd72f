// core: use case: someone follows the unsubscribe link of an email and leaves the ticket's mail
import { NotFoundError } from '../errors';
import type { ApiDeps } from './api-ports';

export type UnsubscribeOutcome = 'unsubscribed' | 'invalid-link' | 'unknown-ticket';

/**
 * Checks the link's signature and records the opt-out; public, so it says nothing about the ticket.
 * @example await followUnsubscribeLink(deps, { ticketId, address: 'ann@example.com', signature })
 */
export async function followUnsubscribeLink(
  deps: ApiDeps,
  link: { ticketId: string; address: string; signature: string },
): Promise<UnsubscribeOutcome> {
  const address = link.address.trim().toLowerCase();
  if (!(await deps.unsubscriber.verify(link.ticketId, address, link.signature))) return 'invalid-link';
  try {
    await deps.unsubscriber.unsubscribe(link.ticketId, address);
  } catch (error) {
    if (error instanceof NotFoundError) return 'unknown-ticket';
    throw error;
  }
  deps.log.info('participant unsubscribed', { ticketId: link.ticketId });
  return 'unsubscribed';
}
