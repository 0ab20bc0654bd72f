// core: use cases: someone opens the unsubscribe link of an email (a confirmation, nothing changes) and confirms it
import { NotFoundError } from '../errors';
import type { ApiDeps } from './api-ports';

export type UnsubscribeOutcome = 'unsubscribed' | 'invalid-link' | 'unknown-ticket';

export interface UnsubscribeLink {
  readonly ticketId: string;
  readonly address: string;
  readonly signature: string;
}

/**
 * Checks a link's signature and nothing else: what a GET of the link does. Mail gateways and link scanners open every
 * link in a message, so opening it must change nothing; the page it shows asks for a POST.
 * @example await checkUnsubscribeLink(deps, { ticketId, address: 'ann@example.com', signature })
 */
export async function checkUnsubscribeLink(deps: ApiDeps, link: UnsubscribeLink): Promise<boolean> {
  return deps.unsubscriber.verify(link.ticketId, link.address.trim().toLowerCase(), link.signature);
}

/**
 * Checks the link's signature and records the opt-out: the POST of the confirmation page and of RFC 8058 one-click
 * unsubscribe (`List-Unsubscribe-Post`). Public, so it says nothing about the ticket; a second POST changes nothing.
 * @example await followUnsubscribeLink(deps, { ticketId, address: 'ann@example.com', signature })
 */
export async function followUnsubscribeLink(deps: ApiDeps, link: UnsubscribeLink): Promise<UnsubscribeOutcome> {
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
