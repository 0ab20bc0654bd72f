// core: what accepting or moving a held message changes (pure): the sender joins the ticket, or opens one of their own
import { InvalidInputError } from '../errors';
import { takesPart } from '../threading/sender-trust';
import type { HeldResolution, Participant, Ticket, TicketMessage } from '../types';
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

/**
 * Moving a held message opens a ticket of its own: the sender is its requester (and only participant), the message its
 * first, status open. The copy keeps the message's content and stored parts; the original stays on the old ticket,
 * settled, pointing at the new one.
 * @throws InvalidInputError when the message is not held.
 * @example moveHeld({ from: ticket, message, id: newId(), messageItemId: newId(), number: 43, agent, at })
 */
export function moveHeld(facts: {
  readonly from: Ticket;
  readonly message: TicketMessage;
  readonly id: string;
  readonly messageItemId: string;
  readonly number: number;
  readonly agent: Settler;
  readonly at: string;
}): MovedHeld {
  const { from, message } = facts;
  assertHeld(message);
  const requester = { address: message.from.address.trim().toLowerCase(), name: message.from.name };
  const { held: _held, heldResolution: _resolution, ...content } = message;
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
  return {
    ticket,
    message: copy,
    resolution: { action: 'moved', by: facts.agent.email, at: facts.at, ticketId: ticket.id, number: ticket.number },
  };
}
