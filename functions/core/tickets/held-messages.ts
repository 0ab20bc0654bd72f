// core: what accepting, moving or splitting off a message changes (pure): the sender joins the ticket, or opens one of their own
import { ConcurrentUpdateError, InvalidInputError } from '../errors';
import { takesPart } from '../threading/sender-trust';
import type { HeldResolution, MessageSplit, Participant, Ticket, TicketMessage } from '../types';
import { MAX_PARTICIPANTS, openedTicket } from './new-ticket';
import { previewOf } from './preview';
import { appendThreadId, statusAfterInbound } from './ticket-activity';

/** The agent who settles a held message. */
export interface Settler {
  readonly email: string;
  readonly name: string;
}

/** A ticket after one of its held messages was accepted, with the participant the sender became (null if already one). */
export interface AcceptedHeld {
  readonly after: Ticket;
  readonly participant: Participant | null;
  readonly resolution: HeldResolution;
}

/** @throws InvalidInputError when the message is not held (anymore). */
function assertHeld(message: TicketMessage): void {
  if (message.held !== true) throw new InvalidInputError(`message ${message.id} is not held`);
}

/**
 * Accepting a held message makes it a reply like any other: its sender joins the ticket (role `added`), its Message-ID
 * joins the thread our mail references, it becomes the preview, and a customer's mail reopens a closed or pending
 * ticket. `ticket` is the ticket after the agent's note, which already counts the note and bumps the version.
 * @throws InvalidInputError when the message is not held, or the ticket already has {@link MAX_PARTICIPANTS} people.
 * @example acceptHeld(ticketWithNote, heldMessage, agent, now).after.participants
 */
export function acceptHeld(ticket: Ticket, message: TicketMessage, agent: Settler, at: string): AcceptedHeld {
  assertHeld(message);
  const address = message.from.address.trim().toLowerCase();
  let participant: Participant | null = null;
  if (address.includes('@') && !takesPart(ticket, address)) {
    if (ticket.participants.length >= MAX_PARTICIPANTS) {
      throw new InvalidInputError(`the ticket already has ${MAX_PARTICIPANTS} participants: remove one before accepting ${address}`);
    }
    participant = { address, name: message.from.name, role: 'added', unsubscribed: false };
  }
  const classification = message.classification ?? { kind: 'normal' as const, reason: '', failedRecipients: [] };
  return {
    after: {
      ...ticket,
      status: statusAfterInbound(ticket.status, classification),
      participants: participant ? [...ticket.participants, participant] : ticket.participants,
      threadMessageIds: appendThreadId(ticket.threadMessageIds, message.messageId),
      preview: previewOf(message),
    },
    participant,
    resolution: { action: 'accepted', by: agent.email, at },
  };
}

export interface MovedHeld {
  /** The new ticket, requested by the held message's sender. */
  readonly ticket: Ticket;
  /** The held message's copy that opens it. */
  readonly message: TicketMessage;
  /** What the held message on the old ticket records. */
  readonly resolution: HeldResolution;
}

/** The facts that open a ticket from one message of another. */
export interface OpeningFacts {
  readonly from: Ticket;
  readonly message: TicketMessage;
  readonly id: string;
  readonly messageItemId: string;
  readonly number: number;
  readonly agent: Settler;
  readonly at: string;
}

/** A ticket of the message's sender whose first message is a copy of it (content and stored parts kept). */
function ticketOpenedBy(facts: OpeningFacts): { ticket: Ticket; message: TicketMessage } {
  const { from, message } = facts;
  const requester = { address: message.from.address.trim().toLowerCase(), name: message.from.name };
  const { held: _held, heldResolution: _resolution, splitInto: _split, ...content } = message;
  const copy: TicketMessage = {
    ...content,
    id: facts.messageItemId,
    ticketId: facts.id,
    threadedBy: 'new-ticket',
    movedFrom: { ticketId: from.id, number: from.number },
  };
  const ticket = openedTicket({
    id: facts.id,
    deskId: from.deskId,
    number: facts.number,
    subject: message.subject,
    status: 'open',
    requester,
    participants: [{ ...requester, role: 'requester', unsubscribed: false }],
    at: facts.at,
    message,
  });
  return { ticket, message: copy };
}

/**
 * Moving a held message opens a ticket of its own: the sender is its requester (and only participant), the message its
 * first, status open. The copy keeps the message's content and stored parts; the original stays on the old ticket,
 * settled, pointing at the new one.
 * @throws InvalidInputError when the message is not held.
 * @example moveHeld({ from: ticket, message, id: newId(), messageItemId: newId(), number: 43, agent, at })
 */
export function moveHeld(facts: OpeningFacts): MovedHeld {
  assertHeld(facts.message);
  const opened = ticketOpenedBy(facts);
  return {
    ...opened,
    resolution: { action: 'moved', by: facts.agent.email, at: facts.at, ticketId: opened.ticket.id, number: opened.ticket.number },
  };
}

/** A message split off into a new ticket: the ticket, its first message, and what the original records. */
export interface SplitOff {
  readonly ticket: Ticket;
  readonly message: TicketMessage;
  readonly split: MessageSplit;
}

/**
 * Splitting off an inbound message opens a ticket of its sender exactly as moving a held one does; the original stays
 * where it was, marked with where it went (a message is split off once).
 * @throws InvalidInputError when the message is not inbound or is held (accept or move it instead); ConcurrentUpdateError
 *   when it was split off already.
 * @example splitOff({ from: ticket, message, id: newId(), messageItemId: newId(), number: 44, agent, at }).ticket.requester
 */
export function splitOff(facts: OpeningFacts): SplitOff {
  const { message } = facts;
  if (message.direction !== 'inbound')
    throw new InvalidInputError(`message ${message.id} is not an inbound message: only mail can be split off`);
  if (message.held === true) throw new InvalidInputError(`message ${message.id} is held: accept it or move it to a new ticket`);
  if (message.splitInto)
    throw new ConcurrentUpdateError(`message ${message.id} was already split off into ticket #${message.splitInto.number}`);
  const opened = ticketOpenedBy(facts);
  return { ...opened, split: { ticketId: opened.ticket.id, number: opened.ticket.number, by: facts.agent.email, at: facts.at } };
}
