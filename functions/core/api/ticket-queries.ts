// core: read use cases of the dashboard: inbox views, counts, search, requester history, ticket detail
import { NotFoundError } from '../errors';
import type { Delivery } from '../notify/notify-ports';
import type { IngestRecord } from '../ports';
import { subjectWords } from '../tickets/subject-words';
import type { Ticket, TicketMessage, TicketStatus } from '../types';
import type { AddressState, ApiDeps, InboxQuery, TicketPage } from './api-ports';
import type { Agent } from './auth';
import { markQuotedHtml } from '../email/mark-quoted-html';

/** Results of one search; enough for a person to scan, small enough for one BatchGetItem. */
const SEARCH_LIMIT = 50;
/** Index entries read per subject word before checking the subjects. */
const WORD_SCAN_LIMIT = 200;
/** Words of a search query looked up in the index; the others are checked against the subjects. */
const MAX_QUERY_WORDS = 5;
const HISTORY_LIMIT = 100;

export type InboxViewName = 'all' | 'mine' | 'unassigned';

export interface ListTicketsInput {
  readonly status: TicketStatus;
  readonly view: InboxViewName;
  readonly limit: number;
  readonly cursor: string | null;
}

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

/**
 * One page of an inbox view, newest activity first: a single index Query per page.
 * @throws InvalidInputError for a cursor this view did not give out.
 */
export function listTickets(deps: ApiDeps, agent: Agent, input: ListTicketsInput): Promise<TicketPage> {
  return deps.desk.listTickets(inboxQuery(agent, input.status, input.view), input.limit, input.cursor);
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

/**
 * Finds tickets by number (`#42`, `42`), requester address, or subject words (every word must appear).
 * @example await searchTickets(deps, 'printer fire')
 */
export async function searchTickets(deps: ApiDeps, query: string): Promise<Ticket[]> {
  const q = query.trim();
  const number = /^#?(\d{1,9})$/.exec(q);
  if (number) {
    const ids = await deps.desk.ticketIdsByNumber(
      deps.config.desks.map((d) => d.id),
      Number(number[1]),
    );
    return byActivity(await loadTickets(deps, ids));
  }
  if (/^[^\s@]+@[^\s@]+$/.test(q)) return deps.desk.ticketsByRequester(q.toLowerCase(), SEARCH_LIMIT);

  const words = subjectWords(q);
  if (words.length === 0) return [];
  // The rarest word gives the shortest candidate list; the other words are then checked on the subjects.
  const hits = await Promise.all(words.slice(0, MAX_QUERY_WORDS).map((word) => deps.desk.ticketIdsByWord(word, WORD_SCAN_LIMIT)));
  const rarest = hits.reduce((best, hit) => (hit.ids.length < best.ids.length ? hit : best));
  const tickets = await loadTickets(deps, rarest.ids);
  const matches = tickets.filter((ticket) => {
    const subject = new Set(subjectWords(ticket.subject));
    return words.every((word) => subject.has(word));
  });
  return byActivity(matches).slice(0, SEARCH_LIMIT);
}

/** Every ticket one address opened, newest first. */
export function requesterHistory(deps: ApiDeps, address: string): Promise<Ticket[]> {
  return deps.desk.ticketsByRequester(address.trim().toLowerCase(), HISTORY_LIMIT);
}

/**
 * A ticket with its whole thread (bodies kept in S3 loaded back), its deliveries and address states.
 * @throws NotFoundError for an unknown ticket.
 */
export async function ticketDetail(deps: ApiDeps, ticketId: string): Promise<TicketDetail> {
  const thread = await deps.desk.getThread(ticketId);
  if (!thread) throw new NotFoundError(`ticket ${ticketId} does not exist`);
  const { ticket } = thread;
  const addresses = [...new Set([ticket.requester.address, ...ticket.participants.map((p) => p.address)].map((a) => a.toLowerCase()))];
  const [messages, states] = await Promise.all([
    Promise.all(thread.messages.map((m) => withBodies(deps, m))),
    deps.desk.getAddressStates(addresses),
  ]);
  return { ...ticket, messages, deliveries: thread.deliveries, addressStates: Object.fromEntries(states) };
}

/** Ingest records that failed, newest first, for replay. */
export function failedIngests(deps: ApiDeps): Promise<IngestRecord[]> {
  return deps.tickets.listIngests('failed', 100);
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

async function loadTickets(deps: ApiDeps, ids: readonly string[]): Promise<Ticket[]> {
  if (ids.length === 0) return [];
  const found = await deps.tickets.getTickets(ids);
  return [...found.values()];
}

function byActivity(tickets: Ticket[]): Ticket[] {
  return [...tickets].sort((a, b) => (a.updatedAt === b.updatedAt ? b.id.localeCompare(a.id) : b.updatedAt.localeCompare(a.updatedAt)));
}
