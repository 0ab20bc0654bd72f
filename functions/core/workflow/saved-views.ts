// core: saved views: an agent's named inbox queries (filters, sort, search), private to that agent
import * as z from 'zod/mini';
import '../config/zod-messages';
import { InvalidInputError, NotFoundError } from '../errors';
import { listFilterFields, sortField, sortOrder } from '../api/list-query';
import type { TicketPriority, TicketStatus } from '../types';

/** Views one agent may keep: enough for every desk, label and colleague they watch, few enough to list at a glance. */
export const MAX_SAVED_VIEWS = 30;
/** Characters of a view's name. */
export const MAX_VIEW_NAME = 60;

/** The query a view holds: the parameters of `GET /api/tickets` it applies (no cursor, no limit). */
export interface SavedViewQuery {
  readonly q?: string;
  readonly status?: TicketStatus;
  readonly label?: string;
  /** A team member's address, or `none` for unassigned tickets. */
  readonly assignee?: string;
  readonly desk?: string;
  readonly priority?: TicketPriority;
  readonly requester?: string;
  readonly delivery?: 'failed';
  readonly sort?: 'updated' | 'created';
  readonly order?: 'asc' | 'desc';
}

/** One saved view of one agent. */
export interface SavedView {
  readonly id: string;
  readonly name: string;
  readonly query: SavedViewQuery;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const viewQuery = z.strictObject({ ...listFilterFields, sort: z.optional(sortField), order: z.optional(sortOrder) });

/** The keys a view's query may hold, in the order the API documents them. */
export const SAVED_VIEW_QUERY_KEYS = Object.keys(viewQuery.shape) as (keyof SavedViewQuery)[];

const savedViewInput = z.strictObject({
  name: z.string().check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(MAX_VIEW_NAME),
    z.refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters'),
  ),
  query: z._default(viewQuery, {}),
});

/** What saving a view did: the views to store, the view as saved, and whether it is new or the list changed at all. */
export interface SavedViewChange {
  readonly views: SavedView[];
  readonly view: SavedView;
  readonly created: boolean;
  /** False when a view of that name already held exactly this query: nothing to write. */
  readonly changed: boolean;
}

/** Names compare without case, surrounding or repeated spaces: "Urgent  ones" and "urgent ones" are one view. */
function nameKey(name: string): string {
  return name.normalize('NFC').replace(/\s+/g, ' ').toLowerCase();
}

/** The query with its empty text dropped, its keys in a stable order (so an unchanged view compares equal). */
function cleanQuery(query: z.infer<typeof viewQuery>): SavedViewQuery {
  const entries = SAVED_VIEW_QUERY_KEYS.flatMap((key) => {
    const value = query[key];
    return value === undefined || value === '' ? [] : [[key, value] as const];
  });
  return Object.fromEntries(entries);
}

function sameQuery(a: SavedViewQuery, b: SavedViewQuery): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Views by name, as the dashboard lists them. */
export function sortViews(views: readonly SavedView[]): SavedView[] {
  return [...views].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/**
 * Decides an agent's views after saving one: a name they already use replaces that view's query (same id), so saving
 * twice, or from two tabs, never makes two views of one name; a new name adds a view within {@link MAX_SAVED_VIEWS}.
 * Validates the name (1–60 characters, no control characters), that the query holds only list parameters with valid
 * values, and that a desk it names exists.
 * @throws zod's `$ZodError` for an invalid field; InvalidInputError naming an unknown query key or desk, or the limit.
 * @example saveView([], { name: 'Urgent', query: { priority: 'urgent', sort: 'created' } }, { id, at, deskIds: ['support'] })
 */
export function saveView(
  current: readonly SavedView[],
  input: unknown,
  context: { readonly id: string; readonly at: string; readonly deskIds: readonly string[] },
): SavedViewChange {
  const query = (input as { query?: unknown } | null)?.query;
  if (query !== null && typeof query === 'object' && !Array.isArray(query)) {
    const unknown = Object.keys(query).filter((key) => !(SAVED_VIEW_QUERY_KEYS as string[]).includes(key));
    if (unknown.length > 0) {
      throw new InvalidInputError(
        `query: ${unknown.map((k) => JSON.stringify(k)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a list parameter; a view may hold ${SAVED_VIEW_QUERY_KEYS.join(', ')}`,
      );
    }
  }
  const given = savedViewInput.parse(input);
  const wanted = cleanQuery(given.query);
  if (wanted.desk !== undefined && !context.deskIds.includes(wanted.desk)) {
    throw new InvalidInputError(`query.desk: there is no desk ${JSON.stringify(wanted.desk)} (desks: ${context.deskIds.join(', ')})`);
  }
  const key = nameKey(given.name);
  const existing = current.find((v) => nameKey(v.name) === key);
  if (existing) {
    if (existing.name === given.name && sameQuery(existing.query, wanted))
      return { views: [...current], view: existing, created: false, changed: false };
    const view = { ...existing, name: given.name, query: wanted, updatedAt: context.at };
    return { views: current.map((v) => (v.id === existing.id ? view : v)), view, created: false, changed: true };
  }
  if (current.length >= MAX_SAVED_VIEWS) {
    throw new InvalidInputError(`name: you have ${current.length} saved views, the most one agent may keep; delete one first`);
  }
  const view = { id: context.id, name: given.name, query: wanted, createdAt: context.at, updatedAt: context.at };
  return { views: [...current, view], view, created: true, changed: true };
}

/**
 * The agent's views without the one with this id.
 * @throws NotFoundError when they have none with that id (deleted already, or someone else's).
 */
export function removeView(current: readonly SavedView[], id: string): SavedView[] {
  if (!current.some((v) => v.id === id)) throw new NotFoundError(`you have no saved view ${id}`);
  return current.filter((v) => v.id !== id);
}
