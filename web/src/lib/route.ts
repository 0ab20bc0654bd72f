// web: hash routes (#/inbox/open, #/search/<q>, #/tickets/<id>, #/settings/<deskId>): work on any static host without rewrites
import type { InboxView } from '../api/types';

export type Route =
  | { readonly page: 'inbox'; readonly view: InboxView }
  | { readonly page: 'search'; readonly q: string }
  | { readonly page: 'ticket'; readonly id: string }
  | { readonly page: 'settings'; readonly deskId: string | null }
  | { readonly page: 'new-ticket' };

export const INBOX_VIEWS: readonly InboxView[] = ['open', 'mine', 'unassigned', 'pending', 'closed', 'spam'];

/** Reads a location hash; anything unknown is the open inbox. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [page, arg] = parts;
  if (page === 'new') return { page: 'new-ticket' };
  if (page === 'tickets' && arg) return { page: 'ticket', id: arg };
  if (page === 'search' && arg) return { page: 'search', q: arg };
  if (page === 'settings') return { page: 'settings', deskId: arg ?? null };
  const view = INBOX_VIEWS.find((v) => v === arg);
  return { page: 'inbox', view: view ?? 'open' };
}

/** The hash link of a route. */
export function routeHref(route: Route): string {
  switch (route.page) {
    case 'inbox':
      return `#/inbox/${route.view}`;
    case 'search':
      return `#/search/${encodeURIComponent(route.q)}`;
    case 'ticket':
      return `#/tickets/${encodeURIComponent(route.id)}`;
    case 'settings':
      return route.deskId ? `#/settings/${encodeURIComponent(route.deskId)}` : '#/settings';
    case 'new-ticket':
      return '#/new';
  }
}
