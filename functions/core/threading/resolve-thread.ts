// core: decides which ticket an inbound mail belongs to, in the order DESIGN.md fixes
import type { Ticket, ThreadedBy } from '../types';
import type { ThreadCandidates } from './thread-candidates';

export type ThreadDecision =
  | { readonly rule: Exclude<ThreadedBy, 'new-ticket' | 'agent'>; readonly ticketId: string }
  | { readonly rule: 'new-ticket'; readonly ticketId: null };

export interface ThreadFacts {
  readonly candidates: ThreadCandidates;
  /** Tickets that exist, by id (from tokens, Message-IDs and the subject tag). */
  readonly tickets: ReadonlyMap<string, Ticket>;
  /** Ticket id each known Message-ID points at. */
  readonly messageIdTickets: ReadonlyMap<string, string>;
  /** The ticket the subject tag names on this desk, if it exists. */
  readonly taggedTicketId: string | null;
  readonly sender: string;
  readonly deskId: string;
}

/**
 * Picks the ticket: (1) a verified reply token, (2) a stored Message-ID in In-Reply-To/References,
 * (3) the subject tag, but only when the sender already takes part in that ticket (a stranger who copies
 * `[#42]` into a subject must not reach ticket 42), (4) otherwise a new ticket.
 * A rule only matches a ticket of the same desk that still exists.
 */
export function resolveThread(facts: ThreadFacts): ThreadDecision {
  const onDesk = (id: string | null | undefined): id is string => {
    const ticket = id ? facts.tickets.get(id) : undefined;
    return ticket !== undefined && ticket.deskId === facts.deskId;
  };

  const byToken = facts.candidates.tokenTicketIds.find(onDesk);
  if (byToken) return { rule: 'reply-token', ticketId: byToken };

  for (const id of facts.candidates.messageIds) {
    const ticketId = facts.messageIdTickets.get(id);
    if (onDesk(ticketId)) return { rule: 'message-id', ticketId };
  }

  if (onDesk(facts.taggedTicketId)) {
    const ticket = facts.tickets.get(facts.taggedTicketId)!;
    const sender = facts.sender.toLowerCase();
    if (ticket.participants.some((p) => p.address === sender)) return { rule: 'subject-tag', ticketId: ticket.id };
  }

  return { rule: 'new-ticket', ticketId: null };
}
