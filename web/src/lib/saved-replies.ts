// web: filling a saved reply's placeholders for a ticket, and the ticket change its actions make
import type { SavedReply, TeamMember, Ticket, TicketPatch } from '../api/types';
import { agentName } from './team';

/** What the placeholders of a saved reply stand for on one ticket. */
export function savedReplyValues(
  ticket: Pick<Ticket, 'number' | 'subject' | 'requester'>,
  signedInName: string,
  deskName: string,
): Record<string, string> {
  const name = ticket.requester.name.trim();
  return {
    'customer.name': name || ticket.requester.address,
    'customer.firstName': name.split(/\s+/)[0] ?? '',
    'ticket.number': String(ticket.number),
    'ticket.subject': ticket.subject,
    'agent.name': signedInName,
    'desk.name': deskName,
  };
}

/** The body with each known placeholder filled (the server refuses unknown ones when the reply is saved). */
export function fillSavedReply(body: string, values: Readonly<Record<string, string>>): string {
  return body.replace(/\{\{\s*([a-zA-Z][\w.]*)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * The ticket change a saved reply makes besides its status (which goes with the message itself), or null when there is
 * none.
 */
export function savedReplyPatch(reply: SavedReply, ticket: Pick<Ticket, 'labels'>): TicketPatch | null {
  const patch: TicketPatch = {
    ...(reply.labels.length > 0 ? { labels: [...new Set([...ticket.labels, ...reply.labels])] } : {}),
    ...(reply.assignee ? { assignee: reply.assignee } : {}),
  };
  return Object.keys(patch).length > 0 ? patch : null;
}

/** True when picking the reply changes more than the text. */
export function savedReplyActs(reply: SavedReply): boolean {
  return reply.status !== null || reply.labels.length > 0 || reply.assignee !== null;
}

/** In words, what sending will also do: "close the ticket, add billing, assign to Bob". */
export function savedReplyActions(reply: SavedReply, team: readonly TeamMember[]): string[] {
  return [
    ...(reply.status ? [reply.status === 'closed' ? 'close the ticket' : `set the status to ${reply.status}`] : []),
    ...(reply.labels.length > 0 ? [`add ${reply.labels.join(', ')}`] : []),
    ...(reply.assignee ? [`assign to ${agentName(team, reply.assignee)}`] : []),
  ];
}

/** The `;word` being typed just before the caret (a saved reply's search), or null. */
export function savedReplyQuery(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s);([^\s;]*)$/.exec(text.slice(0, caret));
  return match ? { start: caret - match[2]!.length - 1, query: match[2]! } : null;
}
