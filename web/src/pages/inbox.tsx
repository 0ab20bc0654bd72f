// web: the inbox: views with counts and the agent's saved views, filters and sort, tickets with "load more", search
// results, auto-refresh
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Counts, Desk, InboxView, ListFilters, SavedView, Ticket, TicketPriority, TicketStatus } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { SavedViews, SaveViewForm } from '../components/saved-views';
import { TicketList } from '../components/ticket-list';
import { refreshLimit, PAGE_SIZE } from '../lib/page-size';
import { agentName } from '../lib/team';
import { INBOX_VIEWS, routeHref } from '../lib/route';
import { inboxHref, inboxStateOf } from '../lib/saved-views';
import { useShortcuts } from '../lib/shortcuts';
import { usePolling } from '../lib/use-polling';

const VIEW_LABELS: Record<InboxView, string> = {
  open: 'Open',
  mine: 'Mine',
  unassigned: 'Unassigned',
  pending: 'Pending',
  closed: 'Closed',
  spam: 'Spam',
};

interface ListState {
  readonly tickets: Ticket[];
  readonly cursor: string | null;
  readonly loaded: boolean;
}

const PRIORITIES: readonly TicketPriority[] = ['urgent', 'high', 'normal', 'low'];
const STATUSES: readonly TicketStatus[] = ['open', 'pending', 'closed', 'spam'];

/** The filters an agent last used, kept per agent in this browser. */
function savedFilters(email: string): ListFilters {
  try {
    return JSON.parse(localStorage.getItem(`sesdesk.filters.${email}`) ?? '{}') as ListFilters;
  } catch {
    return {};
  }
}

/** The inbox for one view, or search results when `search` is set. */
export function InboxPage({ view, search }: { view: InboxView; search: string | null }) {
  const { api, announce, session, team } = useApp();
  const [filters, setFilters] = useState<ListFilters>(() => savedFilters(session.email));
  const changeFilters = (next: ListFilters) => {
    localStorage.setItem(`sesdesk.filters.${session.email}`, JSON.stringify(next));
    setFilters(next);
  };
  const [counts, setCounts] = useState<Counts | null>(null);
  const [list, setList] = useState<ListState>({ tickets: [], cursor: null, loaded: false });
  const [selected, setSelected] = useState(-1);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());
  const [views, setViews] = useState<SavedView[] | null>(null);
  const [desks, setDesks] = useState<Desk[]>([]);
  const shown = useRef(0);
  const state = { view, search, filters };

  const loadViews = useCallback(() => {
    api.views().then(
      (page) => setViews(page.items),
      (failure: unknown) => announce(errorMessage(failure), 'error'),
    );
  }, [api, announce]);
  useEffect(() => {
    loadViews();
    api.desks().then(
      (page) => setDesks(page.items),
      () => setDesks([]),
    );
  }, [api, loadViews]);
  const applyView = (saved: SavedView): void => {
    const next = inboxStateOf(saved.query, session.email);
    changeFilters(next.filters);
    location.hash = inboxHref(next);
  };
  shown.current = list.tickets.length;

  const refresh = useCallback(async () => {
    try {
      const [nextCounts, page] = await Promise.all([
        api.counts(),
        api.tickets({ view, limit: refreshLimit(shown.current), filters, ...(search !== null ? { q: search } : {}) }),
      ]);
      setCounts(nextCounts);
      setList({ tickets: page.items, cursor: page.cursor, loaded: true });
      setNow(Date.now());
      setError('');
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }, [api, view, search, filters]);

  useEffect(() => {
    shown.current = 0;
    setList({ tickets: [], cursor: null, loaded: false });
    setSelected(-1);
    void refresh();
  }, [refresh]);
  usePolling(refresh);

  const loadMore = async (): Promise<void> => {
    if (!list.cursor) return;
    setLoadingMore(true);
    try {
      const page = await api.tickets({ view, cursor: list.cursor, limit: PAGE_SIZE, filters, ...(search !== null ? { q: search } : {}) });
      const known = new Set(list.tickets.map((t) => t.id));
      setList({ tickets: [...list.tickets, ...page.items.filter((t) => !known.has(t.id))], cursor: page.cursor, loaded: true });
    } catch (failure) {
      announce(errorMessage(failure), 'error');
    } finally {
      setLoadingMore(false);
    }
  };

  const current = list.tickets[selected];
  const open = (): boolean => {
    if (!current) return false;
    location.hash = routeHref({ page: 'ticket', id: current.id });
    return true;
  };
  useShortcuts({
    j: () => setSelected((index) => Math.min(list.tickets.length - 1, index + 1)),
    k: () => setSelected((index) => Math.max(0, index - 1)),
    o: open,
    Enter: open,
    e: () => {
      if (!current || current.status === 'closed') return false;
      api.patchTicket(current.id, { status: 'closed', version: current.version }).then(
        () => {
          announce(`Ticket #${current.number} closed.`);
          void refresh();
        },
        (failure: unknown) => announce(errorMessage(failure), 'error'),
      );
      return true;
    },
  });

  const title = search !== null ? `Search: ${search}` : `${VIEW_LABELS[view]} tickets`;
  const byAssignee = search === null && (view === 'mine' || view === 'unassigned');
  const narrowed =
    filters.label || filters.priority || filters.delivery || filters.desk || filters.requester || (filters.assignee && !byAssignee);
  const text = (name: 'label' | 'requester') => (event: Event) => {
    const value = (event.currentTarget as HTMLInputElement).value.trim();
    // Addresses are stored lowercased; labels match without case anyway and keep how they were typed.
    changeFilters({ ...filters, [name]: (name === 'label' ? value : value.toLowerCase()) || undefined });
  };
  return (
    <div class="inbox">
      <aside class="inbox-side">
        <nav class="views" aria-label="Inbox views">
          {INBOX_VIEWS.map((v) => (
            <a key={v} href={routeHref({ page: 'inbox', view: v })} aria-current={search === null && v === view ? 'page' : undefined}>
              {VIEW_LABELS[v]}
              <span class="count" aria-label={counts ? `${counts[v]} tickets` : undefined}>
                {counts ? counts[v] : ''}
              </span>
            </a>
          ))}
        </nav>
        <SavedViews views={views} state={state} onApply={applyView} onChanged={loadViews} />
      </aside>
      <section class="list" aria-labelledby="list-title">
        <div class="list-head">
          <h1 id="list-title">{title}</h1>
          <SaveViewForm state={state} views={views} onSaved={loadViews} />
        </div>
        <form class="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
          {search !== null && (
            <FilterSelect
              label="Status"
              value={filters.status}
              options={STATUSES.map((status) => [status, status] as const)}
              onChange={(status) => changeFilters({ ...filters, status })}
            />
          )}
          {desks.length > 1 && (
            <FilterSelect
              label="Desk"
              value={filters.desk}
              options={desks.map((desk) => [desk.id, desk.name] as const)}
              onChange={(desk) => changeFilters({ ...filters, desk })}
            />
          )}
          <label>
            Label <input type="text" size={10} value={filters.label ?? ''} onChange={text('label')} />
          </label>
          {!byAssignee && (
            <label>
              Assignee{' '}
              <select
                value={filters.assignee ?? ''}
                onChange={(event) => changeFilters({ ...filters, assignee: event.currentTarget.value || undefined })}
              >
                <option value="">anyone</option>
                <option value="none">nobody</option>
                {team.map((member) => (
                  <option key={member.email} value={member.email}>
                    {agentName(team, member.email)}
                  </option>
                ))}
                {filters.assignee && filters.assignee !== 'none' && !team.some((m) => m.email === filters.assignee) && (
                  <option value={filters.assignee}>{filters.assignee}</option>
                )}
              </select>
            </label>
          )}
          <label>
            Requester <input type="text" size={14} placeholder="address" value={filters.requester ?? ''} onChange={text('requester')} />
          </label>
          <FilterSelect
            label="Priority"
            value={filters.priority}
            options={PRIORITIES.map((priority) => [priority, priority] as const)}
            onChange={(priority) => changeFilters({ ...filters, priority })}
          />
          <label>
            <input
              type="checkbox"
              checked={filters.delivery === 'failed'}
              onChange={(event) => changeFilters({ ...filters, delivery: event.currentTarget.checked ? 'failed' : undefined })}
            />{' '}
            Failed delivery
          </label>
          <label>
            Sort{' '}
            <select
              value={`${filters.sort ?? 'updated'}-${filters.order ?? 'desc'}`}
              onChange={(event) => {
                const [sort, order] = event.currentTarget.value.split('-') as ['updated' | 'created', 'asc' | 'desc'];
                changeFilters({ ...filters, sort, order });
              }}
            >
              <option value="updated-desc">latest activity</option>
              <option value="updated-asc">oldest activity</option>
              <option value="created-desc">newest</option>
              <option value="created-asc">oldest</option>
            </select>
          </label>
          {(narrowed || (search !== null && filters.status)) && (
            <button type="button" class="link-button" onClick={() => changeFilters({ sort: filters.sort, order: filters.order })}>
              Clear filters
            </button>
          )}
        </form>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {!list.loaded && !error && <p class="loading">Loading…</p>}
        {list.loaded && list.tickets.length === 0 && <p class="empty">{search !== null ? 'No ticket matches.' : 'Nothing here. Calm.'}</p>}
        <TicketList tickets={list.tickets} selected={selected} onSelect={setSelected} now={now} />
        {list.cursor && (
          <button type="button" class="load-more" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
      </section>
    </div>
  );
}

/** A select of one filter: any (no narrowing) or one of `options`, each `[value, text]`. */
function FilterSelect<T extends string>(props: {
  label: string;
  value: T | undefined;
  options: readonly (readonly [T, string])[];
  onChange: (value: T | undefined) => void;
}) {
  return (
    <label>
      {props.label}{' '}
      <select value={props.value ?? ''} onChange={(event) => props.onChange((event.currentTarget.value || undefined) as T | undefined)}>
        <option value="">any</option>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
