// core: use cases: an agent accepts a held message into its ticket, moves it to a new ticket of its sender, or splits
// any inbound message off into a new ticket of its sender
import { isDeskAddress } from '../config/desk-config';
import { ConcurrentUpdateError, InvalidInputError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { storedMessageTerms, threadTerms } from '../search/search-terms';
import { acceptHeld, moveHeld, splitOff, type OpeningFacts } from '../tickets/held-messages';
import { acknowledgement } from '../tickets/new-ticket';
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

/** A sender who may request a ticket: an address, and not the desk's own. @throws InvalidInputError */
function assertRequester(deps: ApiDeps, message: TicketMessage): string {
  const sender = message.from.address.toLowerCase();
  if (!sender.includes('@') || isDeskAddress(deps.config, sender)) {
    throw new InvalidInputError(`message ${message.id} has no sender who could be a requester`);
  }
  return sender;
}

/** The facts of a new ticket for `message`'s sender: a fresh id and the desk's next number. */
async function openingFacts(deps: ApiDeps, agent: Agent, from: Ticket, message: TicketMessage): Promise<OpeningFacts> {
  const number = await deps.tickets.nextTicketNumber(from.deskId);
  return { from, message, id: newId(), messageItemId: newId(), number, agent, at: deps.clock().toISOString() };
}

/**
 * Moves a held message to a new ticket whose requester is its sender (no acknowledgement: the desk did not open it for
 * them). The old ticket keeps the message, settled, with a note; later replies by its Message-ID reach the new ticket.
 * @throws NotFoundError; ConcurrentUpdateError when it is no longer held or the ticket changed; InvalidInputError when
 *   the sender is missing or a desk address.
 */
export async function moveHeldMessage(deps: ApiDeps, agent: Agent, ticketId: string, messageId: string): Promise<Ticket> {
  const { ticket: before, message } = await heldMessageOf(deps, ticketId, messageId);
  const sender = assertRequester(deps, message);
  const facts = await openingFacts(deps, agent, before, message);
  const moved = moveHeld(facts);
  const noted = note(
    deps,
    agent,
    before,
    `${agent.name} moved the held message from ${sender} to a new ticket #${facts.number}.`,
    facts.at,
  );
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
  deps.log.info('held message moved', { ticketId, messageId, by: agent.email, newTicketId: moved.ticket.id, number: facts.number });
  return moved.ticket;
}

/**
 * Splits an inbound message off into a new ticket whose requester is its sender, its first message a copy of it; both
 * tickets get a note. The sender is acknowledged only when `acknowledge` is true. Later replies by the message's
 * Message-ID reach the new ticket. A message is split off once: a second split is a conflict, never a second ticket.
 * @throws NotFoundError; InvalidInputError (the ticket's first message, not inbound, held, no sender who could be a requester);
 *   ConcurrentUpdateError when it was split off already or the ticket changed.
 * @example await splitMessage(deps, agent, ticketId, messageId, { acknowledge: false })
 */
export async function splitMessage(
  deps: ApiDeps,
  agent: Agent,
  ticketId: string,
  messageId: string,
  options: { readonly acknowledge: boolean },
): Promise<Ticket> {
  const thread = await deps.desk.getThread(ticketId);
  if (!thread) throw new NotFoundError(`ticket ${ticketId} does not exist`);
  const message = thread.messages.find((m) => m.id === messageId);
  if (!message) throw new NotFoundError(`message ${messageId} of ticket ${ticketId} does not exist`);
  const before = thread.ticket;
  if (before.mergedInto) throw new InvalidInputError(`ticket #${before.number} was merged: split the message on the ticket it points to`);
  // Messages come oldest first: splitting off the one that opened the ticket would only copy the ticket.
  if (thread.messages[0]?.id === messageId) {
    throw new InvalidInputError(`message ${messageId} opened ticket #${before.number}: only a later message can be split off`);
  }
  const sender = assertRequester(deps, message);
  const facts = await openingFacts(deps, agent, before, message);
  const split = splitOff(facts);
  const oldNote = note(
    deps,
    agent,
    before,
    `${agent.name} split the message from ${sender} off into a new ticket #${facts.number}.`,
    facts.at,
  );
  const newNote = note(deps, agent, split.ticket, `${agent.name} split this ticket off #${before.number} (${before.subject}).`, facts.at);
  const ticket = { ...split.ticket, messageCount: split.ticket.messageCount + 1 };
  const ack = options.acknowledge
    ? acknowledgement(ticket, split.message, { messageId: message.messageId, references: [] }, facts.at)
    : null;
  await deps.desk.moveMessage({
    from: {
      before,
      after: ticketAfterMessage(before, oldNote, { updatesPreview: false }),
      message: oldNote,
      deliveries: [],
      splits: { message, split: split.split },
      terms: [],
    },
    ticket,
    message: split.message,
    note: newNote,
    deliveries: ack ? [ack] : [],
    terms: threadTerms(split.ticket.subject, [split.message, newNote]),
    reindexMessageId: message.messageIdTaken !== true,
  });
  deps.log.info('message split off', {
    ticketId,
    messageId,
    by: agent.email,
    newTicketId: ticket.id,
    number: facts.number,
    acknowledged: ack !== null,
  });
  return ticket;
}
