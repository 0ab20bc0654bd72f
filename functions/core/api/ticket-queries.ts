// core: read use cases of the dashboard: inbox views, counts, search, requester history, ticket detail
import { NotFoundError } from '../errors';
import type { Delivery } from '../notify/notify-ports';
import { MAX_MERGE_HOPS } from '../tickets/merge-pointer';
import type { Ticket, TicketMessage, TicketStatus } from '../types';
import type { AddressState, ApiDeps, InboxQuery } from './api-ports';
import type { Agent } from './auth';
import { markQuotedHtml } from '../email/mark-quoted-html';

const HISTORY_LIMIT = 100;

export type InboxViewName = 'all' | 'mine' | 'unassigned';

/** `Ticket` with the bodies of each message loaded, its deliveries and the states of its addresses. */
export type TicketDetail = Ticket & {
  readonly messages: TicketMessage[];
  readonly deliveries: Delivery[];
  readonly addressStates: Record<string, AddressState>;
};

export interface Counts {
  readonly open: number;
  readonly pending: number;
  readonly closed: number;
  readonly spam: number;
  readonly mine: number;
  readonly unassigned: number;
}

function inboxQuery(agent: Agent, status: TicketStatus, view: InboxViewName): InboxQuery {
  if (view === 'all') return { kind: 'status', status };
  return { kind: 'assignee', status, assignee: view === 'mine' ? agent.email : null };
}

/** The numbers beside the inbox views; `mine` and `unassigned` count open tickets. */
export async function countTickets(deps: ApiDeps, agent: Agent): Promise<Counts> {
  const count = (status: TicketStatus, view: InboxViewName) => deps.desk.countTickets(inboxQuery(agent, status, view));
  const [open, pending, closed, spam, mine, unassigned] = await Promise.all([
    count('open', 'all'),
    count('pending', 'all'),
    count('closed', 'all'),
    count('spam', 'all'),
    count('open', 'mine'),
    count('open', 'unassigned'),
  ]);
  return { open, pending, closed, spam, mine, unassigned };
}

/** Every ticket one address opened, newest first. */
export async function requesterHistory(deps: ApiDeps, address: string): Promise<Ticket[]> {
  const { ids } = await deps.desk.ticketIdsByRequester(address.trim().toLowerCase(), HISTORY_LIMIT);
  const tickets = await deps.tickets.getTickets(ids);
  return ids.flatMap((id) => tickets.get(id) ?? []);
}

/**
 * A ticket with its whole thread (bodies kept in S3 loaded back), its deliveries and address states.
 * @throws NotFoundError for an unknown ticket.
 */
export async function ticketDetail(deps: ApiDeps, ticketId: string): Promise<TicketDetail> {
  let thread = await deps.desk.getThread(ticketId);
  if (!thread) throw new NotFoundError(`ticket ${ticketId} does not exist`);
  // A merged ticket answers with the ticket it was merged into (its id tells the caller where it went).
  for (let hop = 0; thread.ticket.mergedInto && hop < MAX_MERGE_HOPS; hop += 1) {
    const target = await deps.desk.getThread(thread.ticket.mergedInto);
    if (!target) break;
    thread = target;
  }
  const { ticket } = thread;
  const addresses = [...new Set([ticket.requester.address, ...ticket.participants.map((p) => p.address)].map((a) => a.toLowerCase()))];
  const [messages, states] = await Promise.all([
    Promise.all(thread.messages.map((m) => withBodies(deps, m))),
    deps.desk.getAddressStates(addresses),
  ]);
  return { ...ticket, messages, deliveries: thread.deliveries, addressStates: Object.fromEntries(states) };
}

/** A message with its full body, the quoted history of its HTML marked for the dashboard to fold (as `reply` is for its text). */
async function withBodies(deps: ApiDeps, message: TicketMessage): Promise<TicketMessage> {
  const loaded = await withStoredBody(deps, message);
  return loaded.html ? { ...loaded, html: markQuotedHtml(loaded.html) } : loaded;
}

async function withStoredBody(deps: ApiDeps, message: TicketMessage): Promise<TicketMessage> {
  if (!message.bodyKey) return message;
  try {
    const raw = await deps.store.get(deps.bucket, message.bodyKey);
    const body = JSON.parse(new TextDecoder().decode(raw)) as { text?: string; reply?: string; html?: string | null };
    return { ...message, text: body.text ?? message.text, reply: body.reply ?? message.reply, html: body.html ?? null };
  } catch (error) {
    // The preview in the item still shows something; a missing body object must not hide the whole ticket.
    deps.log.warn('message body could not be loaded', { ticketId: message.ticketId, bodyKey: message.bodyKey, error: String(error) });
    return message;
  }
}
