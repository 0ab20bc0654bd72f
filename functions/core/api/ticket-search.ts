// core: the ticket list with filters, sort and search: an index walk when no text is asked for, else the tickets
// every query term's index holds, loaded, filtered and ordered in memory (a few hundred at most)
import { createdGroup } from '../../contracts';
import { InvalidInputError } from '../errors';
import { FAILED_DELIVERY_TERM, MAX_QUERY_TERMS, queryTerms } from '../search/search-terms';
import type { Ticket, TicketPriority, TicketStatus } from '../types';
import type { ApiDeps, IndexWalk, TicketPage } from './api-ports';

/** Tickets one search loads and orders at most; beyond it the answer says `partial`. */
export const SEARCH_CANDIDATES = 1000;
/** Index entries a filtered list examines per request before answering with what it found and a cursor. */
const MAX_EXAMINED = 1000;
/** Entries read per index page when a filter may drop some. */
const FILTERED_BATCH = 100;

export type SortField = 'updated' | 'created';
export type SortOrder = 'asc' | 'desc';

/** What a list may be narrowed by; absent fields do not narrow. `assignee: null` means unassigned. */
export interface TicketFilters {
  readonly status?: TicketStatus;
  readonly label?: string;
  readonly assignee?: string | null;
  readonly deskId?: string;
  readonly priority?: TicketPriority;
  readonly requester?: string;
  /** `failed`: only tickets with a delivery that ended unsent and was not retried since (`failedDeliveries`). */
  readonly delivery?: 'failed';
}

export interface FindTicketsInput {
  /** Search text: `#42`, words, addresses, names, any script. */
  readonly q?: string;
  readonly filters: TicketFilters;
  readonly sort: SortField;
  readonly order: SortOrder;
  readonly limit: number;
  readonly cursor: string | null;
}

/** A page of results; `partial` when a search had more candidates than it orders ({@link SEARCH_CANDIDATES}). */
export interface FoundTickets extends TicketPage {
  readonly partial: boolean;
}

/** True when the ticket passes every filter given. */
export function matchesFilters(ticket: Ticket, filters: TicketFilters): boolean {
  if (filters.status !== undefined && ticket.status !== filters.status) return false;
  if (filters.label !== undefined && !ticket.labels.some((l) => l.toLowerCase() === filters.label!.toLowerCase())) return false;
  if (filters.assignee !== undefined && ticket.assignee !== filters.assignee) return false;
  if (filters.deskId !== undefined && ticket.deskId !== filters.deskId) return false;
  if (filters.priority !== undefined && ticket.priority !== filters.priority) return false;
  if (filters.requester !== undefined && ticket.requester.address.toLowerCase() !== filters.requester.toLowerCase()) return false;
  if (filters.delivery === 'failed' && (ticket.failedDeliveries ?? []).length === 0) return false;
  return true;
}

/**
 * Lists tickets: filtered, sorted by last activity or creation, paged by an opaque cursor that neither misses nor
 * repeats a ticket while the tickets stay as they are. With `q` (or a requester, or `delivery`) it searches; otherwise it
 * walks the index of the status asked for (open by default).
 * @throws InvalidInputError for a cursor this list did not give out.
 * @example await findTickets(deps, { q: 'ログイン', filters: {}, sort: 'updated', order: 'desc', limit: 25, cursor: null })
 */
export async function findTickets(deps: ApiDeps, input: FindTicketsInput): Promise<FoundTickets> {
  const q = input.q?.trim() ?? '';
  if (q === '' && input.filters.requester === undefined && input.filters.delivery === undefined) return walk(deps, input);
  const { tickets, partial } = await candidates(deps, q, input.filters);
  return {
    ...keysetPage(
      // A merged ticket's words live on in the ticket it was merged into, which is the one to find.
      tickets.filter((t) => !t.mergedInto && matchesFilters(t, input.filters)),
      input,
    ),
    partial,
  };
}

async function walk(deps: ApiDeps, input: FindTicketsInput): Promise<FoundTickets> {
  const { filters } = input;
  const status = filters.status ?? 'open';
  const index: IndexWalk =
    input.sort === 'updated' && filters.assignee !== undefined
      ? { kind: 'assignee', status, assignee: filters.assignee, ascending: input.order === 'asc' }
      : { kind: input.sort === 'created' ? 'created' : 'status', status, ascending: input.order === 'asc' };
  // byCreated keeps open and pending tickets together: a list of one of them drops the others.
  const shared = index.kind === 'created' && createdGroup(status) !== status;
  const narrowing = shared || Object.keys(filters).some((k) => k !== 'status' && !(k === 'assignee' && index.kind === 'assignee'));
  const batch = narrowing ? Math.max(FILTERED_BATCH, input.limit) : input.limit;
  const wanted = { ...filters, status };
  const found: Ticket[] = [];
  let cursor = input.cursor;
  let examined = 0;
  for (;;) {
    const page = await deps.desk.walkIndex(index, batch, cursor);
    for (const entry of page.entries) {
      examined += 1;
      // The index is eventually consistent: a ticket that moved since is checked against what it is now.
      if (!matchesFilters(entry.ticket, wanted)) continue;
      found.push(entry.ticket);
      if (found.length === input.limit) {
        const last = entry === page.entries.at(-1) && page.next === null;
        return { tickets: found, cursor: last ? null : entry.cursor, partial: false };
      }
    }
    cursor = page.next;
    if (cursor === null || examined >= MAX_EXAMINED) return { tickets: found, cursor, partial: false };
  }
}

/** The tickets a search may return: those holding every query term (and the requester's, when asked), loaded. */
async function candidates(deps: ApiDeps, q: string, filters: TicketFilters): Promise<{ tickets: Ticket[]; partial: boolean }> {
  const deskIds = filters.deskId !== undefined ? [filters.deskId] : deps.config.desks.map((d) => d.id);
  const number = /^#?(\d{1,9})$/.exec(q);
  if (number) return { tickets: await load(deps, await deps.desk.ticketIdsByNumber(deskIds, Number(number[1]))), partial: false };

  const terms = queryTerms(q);
  if (q !== '' && terms.length === 0) return { tickets: [], partial: false };
  const requester = filters.requester?.toLowerCase();
  const lists = await Promise.all([
    ...(requester !== undefined ? [deps.desk.ticketIdsByRequester(requester, SEARCH_CANDIDATES).then((l) => ({ ...l, term: null }))] : []),
    // The term outlives a retry's clearing (it is never deleted): the filter keeps only tickets still marked.
    ...(filters.delivery === 'failed'
      ? [deps.desk.ticketIdsByTerm(deskIds, FAILED_DELIVERY_TERM, SEARCH_CANDIDATES).then((l) => ({ ...l, term: FAILED_DELIVERY_TERM }))]
      : []),
    ...terms
      .slice(0, MAX_QUERY_TERMS)
      .map((term) => deps.desk.ticketIdsByTerm(deskIds, term, SEARCH_CANDIDATES).then((l) => ({ ...l, term }))),
  ]);
  // The shortest list bounds the answer; complete lists are intersected in memory, cut ones are asked per ticket.
  const [base, ...rest] = lists.sort((a, b) => a.ids.length - b.ids.length);
  let ids = base!.ids;
  for (const list of rest.filter((l) => l.complete)) {
    const holds = new Set(list.ids);
    ids = ids.filter((id) => holds.has(id));
  }
  let tickets = await load(deps, ids);
  for (const list of rest.filter((l) => !l.complete)) {
    // A cut requester list cannot be asked per ticket, but the requester filter is applied to every ticket anyway.
    if (list.term === null) continue;
    const holders = await deps.desk.ticketsHoldingTerm(list.term, tickets);
    tickets = tickets.filter((t) => holders.has(t.id));
  }
  return { tickets, partial: !base!.complete };
}

async function load(deps: ApiDeps, ids: readonly string[]): Promise<Ticket[]> {
  if (ids.length === 0) return [];
  return [...(await deps.tickets.getTickets(ids)).values()];
}

interface SearchCursor {
  readonly s: SortField;
  readonly o: SortOrder;
  readonly v: string;
  readonly id: string;
}

function sortValue(ticket: Ticket, sort: SortField): string {
  return sort === 'created' ? ticket.createdAt : ticket.updatedAt;
}

/** Orders by (sort value, id) and pages after the cursor's position: a keyset, so nothing is missed or repeated. */
function keysetPage(tickets: Ticket[], input: FindTicketsInput): TicketPage {
  const sign = input.order === 'asc' ? 1 : -1;
  const key = (t: Ticket) => [sortValue(t, input.sort), t.id] as const;
  const compare = (a: readonly [string, string], b: readonly [string, string]) =>
    sign * (a[0] === b[0] ? a[1].localeCompare(b[1]) : a[0].localeCompare(b[0]));
  const ordered = [...tickets].sort((a, b) => compare(key(a), key(b)));
  const after = input.cursor === null ? null : decodeSearchCursor(input.cursor, input);
  const rest = after === null ? ordered : ordered.filter((t) => compare(key(t), [after.v, after.id]) > 0);
  const page = rest.slice(0, input.limit);
  const last = page.at(-1);
  const more = rest.length > page.length && last !== undefined;
  return {
    tickets: page,
    cursor: more ? encodeSearchCursor({ s: input.sort, o: input.order, v: sortValue(last, input.sort), id: last.id }) : null,
  };
}

const SEARCH_CURSOR_PREFIX = 's.';

function encodeSearchCursor(cursor: SearchCursor): string {
  return SEARCH_CURSOR_PREFIX + Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeSearchCursor(cursor: string, input: FindTicketsInput): SearchCursor {
  const invalid = () => new InvalidInputError('cursor: not a cursor this search gave out (start again without one)');
  if (!cursor.startsWith(SEARCH_CURSOR_PREFIX)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor.slice(SEARCH_CURSOR_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const c = value as Partial<SearchCursor> | null;
  if (!c || c.s !== input.sort || c.o !== input.order || typeof c.v !== 'string' || typeof c.id !== 'string') throw invalid();
  return c as SearchCursor;
}
