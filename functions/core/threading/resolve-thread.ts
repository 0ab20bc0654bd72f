// core: decides which ticket an inbound mail belongs to, in the order DESIGN.md fixes, and whether it waits for an agent
import type { Authenticity, Ticket } from '../types';
import { untrustedBecause } from './sender-trust';
import type { ThreadCandidates } from './thread-candidates';

/** The rules that name a ticket without proving who writes: they thread only a trusted sender. */
export type WeakRule = 'message-id' | 'subject-tag';

export type ThreadDecision =
  | { readonly rule: 'reply-token'; readonly ticketId: string; readonly held: null }
  /** `held`: why the message waits on the ticket for an agent instead of threading (null when it threads). */
  | { readonly rule: WeakRule; readonly ticketId: string; readonly held: string | null }
  | { readonly rule: 'new-ticket'; readonly ticketId: null; readonly held: null };

export interface ThreadFacts {
  readonly candidates: ThreadCandidates;
  /** Tickets that exist, by id (from tokens, Message-IDs and the subject tag). */
  readonly tickets: ReadonlyMap<string, Ticket>;
  /** Ticket id each known Message-ID points at. */
  readonly messageIdTickets: ReadonlyMap<string, string>;
  /** The ticket the subject tag names on this desk, if it exists. */
  readonly taggedTicketId: string | null;
  /** The From address. */
  readonly sender: string;
  /** What SES's verdicts prove about the sender (see senderAuthenticity). */
  readonly authenticity: Authenticity;
  readonly deskId: string;
}

const NEW_TICKET: ThreadDecision = { rule: 'new-ticket', ticketId: null, held: null };

/**
 * Picks the ticket: (1) a verified reply token threads whoever writes: it is signed and names the ticket; (2) a stored
 * Message-ID in In-Reply-To/References, newest first, and (3) the `[#n]` subject tag thread only a sender who is on that
 * ticket and not spoofed (a Message-ID is known to everyone the thread reached, a tag to anyone); (4) otherwise a new
 * ticket. When rules 2 and 3 match only tickets the sender is not trusted on, the first match (rule 2 before 3) is
 * returned with `held` saying why: the mail waits there for an agent. A rule only matches a ticket of the same desk
 * that still exists.
 * @example resolveThread(facts) // { rule: 'message-id', ticketId: '01j…', held: 'the sender … is not the requester or a participant of ticket #4' }
 */
export function resolveThread(facts: ThreadFacts): ThreadDecision {
  const onDesk = (id: string | null | undefined): Ticket | undefined => {
    const ticket = id ? facts.tickets.get(id) : undefined;
    return ticket !== undefined && ticket.deskId === facts.deskId ? ticket : undefined;
  };

  const byToken = facts.candidates.tokenTicketIds.find((id) => onDesk(id));
  if (byToken) return { rule: 'reply-token', ticketId: byToken, held: null };

  const weak: { rule: WeakRule; ticket: Ticket }[] = [];
  for (const id of facts.candidates.messageIds) {
    const ticket = onDesk(facts.messageIdTickets.get(id));
    if (ticket && !weak.some((m) => m.ticket.id === ticket.id)) weak.push({ rule: 'message-id', ticket });
  }
  const tagged = onDesk(facts.taggedTicketId);
  if (tagged) weak.push({ rule: 'subject-tag', ticket: tagged });

  const judged = weak.map((match) => ({ ...match, held: untrustedBecause(match.ticket, facts.sender, facts.authenticity) }));
  const pick = judged.find((match) => match.held === null) ?? judged[0];
  return pick ? { rule: pick.rule, ticketId: pick.ticket.id, held: pick.held } : NEW_TICKET;
}
