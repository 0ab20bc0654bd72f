// core: use cases: an agent accepts a held message into its ticket, or moves it to a new ticket of its sender
import { isDeskAddress } from '../config/desk-config';
import { ConcurrentUpdateError, InvalidInputError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { storedMessageTerms, threadTerms } from '../search/search-terms';
import { acceptHeld, moveHeld } from '../tickets/held-messages';
import { ticketAfterMessage } from '../tickets/ticket-activity';
import type { Ticket, TicketMessage } from '../types';
import { agentMessage, deskOf } from './agent-messages';
import type { ApiDeps } from './api-ports';
import type { Agent } from './auth';

/** The ticket and its held message, read consistently. @throws NotFoundError, InvalidInputError (not held) */
async function heldMessageOf(deps: ApiDeps, ticketId: string, messageId: string): Promise<{ ticket: Ticket; message: TicketMessage }> {
  const thread = await deps.desk.getThread(ticketId);
  if (!thread) throw new NotFoundError(`ticket ${ticketId} does not exist`);
  const message = thread.messages.find((m) => m.id === messageId);
  if (!message) throw new NotFoundError(`message ${messageId} of ticket ${ticketId} does not exist`);
  if (message.held !== true) throw new ConcurrentUpdateError(`message ${messageId} is not held (anymore): reload the ticket`);
  return { ticket: thread.ticket, message };
}

/** The agent's note on the thread, saying what they did with whose message. */
function note(deps: ApiDeps, agent: Agent, ticket: Ticket, text: string, at: string): TicketMessage {
  return agentMessage(ticket, deskOf(deps.config, ticket), deps.config, agent, {
    direction: 'note',
    text,
    to: [],
    attachments: [],
    createdAt: at,
  });
}

/**
 * Accepts a held message: it becomes a reply on its ticket (and reopens a closed one, as a customer's mail does) and
 * its sender a participant. Recorded as a note. Nobody is emailed.
 * @throws NotFoundError; ConcurrentUpdateError when it is no longer held or the ticket changed; InvalidInputError when
 *   the ticket is full.
 * @example await acceptHeldMessage(deps, agent, ticketId, messageId)
 */
export async function acceptHeldMessage(deps: ApiDeps, agent: Agent, ticketId: string, messageId: string): Promise<Ticket> {
  const { ticket: before, message } = await heldMessageOf(deps, ticketId, messageId);
  const at = deps.clock().toISOString();
  const sender = message.from.address.toLowerCase();
  const text = `${agent.name} accepted the held message from ${sender || '(no sender)'} (matched by ${message.threadedBy}).`;
  const noted = note(deps, agent, before, text, at);
  const accepted = acceptHeld(ticketAfterMessage(before, noted, { updatesPreview: false }), message, agent, at);
  await deps.desk.saveChange({
    before,
    after: accepted.after,
    message: noted,
    deliveries: [],
    settles: { message, resolution: accepted.resolution },
    // Searchable from now on: a held message adds no terms until an agent lets it in.
    terms: storedMessageTerms(message),
  });
  deps.log.info('held message accepted', { ticketId, messageId, by: agent.email, participantAdded: accepted.participant !== null });
  return accepted.after;
}

/**
 * Moves a held message to a new ticket whose requester is its sender (no acknowledgement: the desk did not open it for
 * them). The old ticket keeps the message, settled, with a note; later replies by its Message-ID reach the new ticket.
 * @throws NotFoundError; ConcurrentUpdateError when it is no longer held or the ticket changed; InvalidInputError when
 *   the sender is missing or a desk address.
 */
export async function moveHeldMessage(deps: ApiDeps, agent: Agent, ticketId: string, messageId: string): Promise<Ticket> {
  const { ticket: before, message } = await heldMessageOf(deps, ticketId, messageId);
  const sender = message.from.address.toLowerCase();
  if (!sender.includes('@') || isDeskAddress(deps.config, sender)) {
    throw new InvalidInputError(`message ${messageId} has no sender who could be a requester`);
  }
  const number = await deps.tickets.nextTicketNumber(before.deskId);
  const at = deps.clock().toISOString();
  const moved = moveHeld({ from: before, message, id: newId(), messageItemId: newId(), number, agent, at });
  const noted = note(deps, agent, before, `${agent.name} moved the held message from ${sender} to a new ticket #${number}.`, at);
  await deps.desk.moveMessage({
    from: {
      before,
      after: ticketAfterMessage(before, noted, { updatesPreview: false }),
      message: noted,
      deliveries: [],
      settles: { message, resolution: moved.resolution },
      terms: [],
    },
    ticket: moved.ticket,
    message: moved.message,
    terms: threadTerms(moved.ticket.subject, [moved.message]),
    reindexMessageId: message.messageIdTaken !== true,
  });
  deps.log.info('held message moved', { ticketId, messageId, by: agent.email, newTicketId: moved.ticket.id, number });
  return moved.ticket;
}
