// web: saved views ↔ the inbox: the query a view saves for what the inbox shows, and where applying one takes it
import type { InboxView, ListFilters, SavedViewQuery } from '../api/types';
import { routeHref } from './route';

/** What the inbox shows: a view (tab) or a search, narrowed by filters. */
export interface InboxState {
  readonly view: InboxView;
  /** Search text, or null for a tab. */
  readonly search: string | null;
  readonly filters: ListFilters;
}

/** The filters every list keeps, in the order a view's query lists them. */
const SHARED_FILTERS = ['label', 'desk', 'priority', 'requester', 'delivery'] as const;

/** Keeps the given values only: a view and the inbox both leave out what does not narrow. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/**
 * The query a view saves for the inbox as shown: the tab's status (Mine and Unassigned are open tickets by assignee,
 * `me` being the agent), or the search text with its status filter; the default order (latest activity) is left out.
 */
export function viewQueryOf(state: InboxState, me: string): SavedViewQuery {
  const { filters } = state;
  const tabAssignee = state.view === 'mine' ? me.toLowerCase() : state.view === 'unassigned' ? 'none' : undefined;
  const searching = state.search !== null;
  const tabStatus = state.view === 'mine' || state.view === 'unassigned' ? 'open' : state.view;
  return defined({
    q: state.search ?? undefined,
    status: searching ? filters.status : tabStatus,
    label: filters.label,
    assignee: searching ? filters.assignee : (tabAssignee ?? filters.assignee),
    desk: filters.desk,
    priority: filters.priority,
    requester: filters.requester,
    delivery: filters.delivery,
    sort: filters.sort === 'created' ? 'created' : undefined,
    order: filters.order === 'asc' ? 'asc' : undefined,
  });
}

/**
 * Where applying a view takes the inbox: its search, or the tab of its status (Mine or Unassigned when it is open
 * tickets of `me` or of nobody; open when it names no status), with the rest as filters.
 */
export function inboxStateOf(query: SavedViewQuery, me: string): InboxState {
  const shared = defined(Object.fromEntries(SHARED_FILTERS.map((key) => [key, query[key]])) as ListFilters);
  const order = defined({ sort: query.sort, order: query.order });
  if (query.q)
    return {
      view: 'open',
      search: query.q,
      filters: { ...shared, ...defined({ status: query.status, assignee: query.assignee }), ...order },
    };
  const status = query.status ?? 'open';
  if (status === 'open' && query.assignee === me.toLowerCase()) return { view: 'mine', search: null, filters: { ...shared, ...order } };
  if (status === 'open' && query.assignee === 'none') return { view: 'unassigned', search: null, filters: { ...shared, ...order } };
  return { view: status, search: null, filters: { ...shared, ...defined({ assignee: query.assignee }), ...order } };
}

/** The hash link of an inbox state. */
export function inboxHref(state: InboxState): string {
  return routeHref(state.search !== null ? { page: 'search', q: state.search } : { page: 'inbox', view: state.view });
}

/** True when the inbox shows exactly what the view holds (the view is highlighted as current). */
export function showsView(query: SavedViewQuery, state: InboxState, me: string): boolean {
  return JSON.stringify(viewQueryOf(inboxStateOf(query, me), me)) === JSON.stringify(viewQueryOf(state, me));
}
