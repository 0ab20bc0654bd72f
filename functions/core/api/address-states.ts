// core: use case: an agent clears an address's undeliverable or complained state from one of its tickets
import { clearedState } from '../feedback/address-clearing';
import { InvalidInputError, NotFoundError } from '../errors';
import { takesPart } from '../threading/sender-trust';
import { ticketAfterMessage } from '../tickets/ticket-activity';
import { agentMessage, deskOf, loadTicket } from './agent-messages';
import type { ApiDeps } from './api-ports';
import type { Agent } from './auth';

/**
 * Clears the state a bounce or complaint put an address in, so mail to it goes out again. The address must be on the
 * ticket; the ticket gets a note with who and why, and the address keeps the cleared state in its history.
 * @throws NotFoundError (ticket, or the address is not on it), InvalidInputError (no state to clear, no reason),
 *   ConcurrentUpdateError (the ticket or the address changed meanwhile)
 * @example await clearAddressState(deps, agent, ticketId, 'bob@example.com', 'Bob fixed his mailbox')
 */
export async function clearAddressState(
  deps: ApiDeps,
  agent: Agent,
  ticketId: string,
  rawAddress: string,
  why: string,
): Promise<{ address: string; cleared: string }> {
  const before = await loadTicket(deps, ticketId, undefined);
  const address = rawAddress.trim().toLowerCase();
  if (!takesPart(before, address)) throw new NotFoundError(`${address} is not on ticket ${ticketId}`);
  if (!why.trim()) throw new InvalidInputError('reason: say why the address may get mail again');
  const at = deps.clock().toISOString();
  const cleared = clearedState((await deps.desk.getAddressStates([address])).get(address), agent.email, why, at);
  if (!cleared) throw new InvalidInputError(`address: ${address} is neither undeliverable nor complained`);
  const note = agentMessage(before, deskOf(deps.config, before), deps.config, agent, {
    direction: 'note',
    text: `${agent.name} cleared the ${cleared.state} state of ${address} (was: ${cleared.reason || 'no reason given'}). Why: ${cleared.why}`,
    to: [],
    attachments: [],
    createdAt: at,
  });
  await deps.desk.clearAddressState({
    change: { before, after: ticketAfterMessage(before, note, { updatesPreview: false }), message: note, deliveries: [], terms: [] },
    address,
    cleared,
  });
  deps.log.info('address state cleared', { ticketId, state: cleared.state, by: agent.email });
  return { address, cleared: cleared.state };
}
