// web: the app shell: sign-in gate, header with navigation and search, the routed page, shortcuts help
import type { ComponentType } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApiClient } from './api/client';
import type { TeamMember } from './api/types';
import { AppContext, errorMessage, type AppContextValue } from './app-context';
import type { Auth, Session } from './auth/auth';
import { watchSession } from './auth/session-store';
import { HelpDialog } from './components/help-dialog';
import type { AppConfig } from './config';
import { parseRoute, routeHref, type Route } from './lib/route';
import { useShortcuts } from './lib/shortcuts';
import { InboxPage } from './pages/inbox';
import { MailLogPage } from './pages/mail-log';
import { NewTicketPage } from './pages/new-ticket';
import { SignInPage } from './pages/sign-in';
import { TicketPage } from './pages/ticket';

/** Editing templates is rare, so its code loads when the page is first opened. */
function LazySettings({ deskId }: { deskId: string | null }) {
  const [page, setPage] = useState<{ Component: ComponentType<{ deskId: string | null }> } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./pages/settings').then(
      (m) => setPage({ Component: m.SettingsPage }),
      () => setFailed(true),
    );
  }, []);
  if (failed) return <p role="alert">The settings page could not be loaded. Reload to try again.</p>;
  return page ? <page.Component deskId={deskId} /> : <p class="loading">Loading settings…</p>;
}

interface Status {
  readonly message: string;
  readonly tone: 'info' | 'error';
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

/** The whole dashboard. */
/** The stored session if it can still be used: an expired local token cannot be refreshed, a Cognito one can. */
function usableSession(auth: Auth): Session | null {
  const stored = auth.current();
  return stored && (stored.expiresAt > Date.now() || stored.refreshToken) ? stored : null;
}

export function App({ config, auth }: { config: AppConfig; auth: Auth }) {
  const [session, setSession] = useState<Session | null>(() => usableSession(auth));
  // Tabs share the session: signing in or out in one signs every other tab in or out too.
  useEffect(() => watchSession(() => setSession(usableSession(auth))), [auth]);
  const signOut = useCallback(() => {
    auth.signOut();
    setSession(null);
  }, [auth]);
  const api = useMemo(
    () => createApiClient({ baseUrl: config.apiUrl, token: () => auth.token(), onUnauthorized: signOut }),
    [config.apiUrl, auth, signOut],
  );

  if (!session) return <SignInPage auth={auth} onSignedIn={setSession} />;
  return <SignedIn api={api} session={session} onSignOut={signOut} />;
}

function SignedIn({ api, session, onSignOut }: { api: AppContextValue['api']; session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const [status, setStatus] = useState<Status | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [query, setQuery] = useState('');
  // The box shows the search on screen: it empties when the agent navigates anywhere else.
  useEffect(() => setQuery(route.page === 'search' ? route.q : ''), [route]);
  const searchRef = useRef<HTMLInputElement>(null);
  const statusTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const announce = useCallback((message: string, tone: Status['tone'] = 'info') => {
    setStatus({ message, tone });
    clearTimeout(statusTimer.current);
    // Errors stay until the next message; confirmations fade.
    if (tone === 'info') statusTimer.current = setTimeout(() => setStatus(null), 5000);
  }, []);
  const [team, setTeam] = useState<readonly TeamMember[]>([]);
  useEffect(() => {
    api.team().then(
      (page) => setTeam(page.items),
      (failure: unknown) => announce(`Team members show by address: ${errorMessage(failure)}`, 'error'),
    );
  }, [api, announce]);
  const context = useMemo<AppContextValue>(() => ({ api, session, team, announce }), [api, session, team, announce]);

  useShortcuts({
    '/': () => searchRef.current?.focus(),
    '?': () => setHelpOpen(true),
    u: () => {
      location.hash = routeHref({ page: 'inbox', view: 'open' });
    },
  });

  const onSearch = (event: Event): void => {
    event.preventDefault();
    const q = query.trim();
    location.hash = routeHref(q ? { page: 'search', q } : { page: 'inbox', view: 'open' });
  };

  const section = route.page === 'settings' || route.page === 'mail' || route.page === 'new-ticket' ? route.page : 'inbox';
  return (
    <AppContext.Provider value={context}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={routeHref({ page: 'inbox', view: 'open' })}>
          sesdesk
        </a>
        <nav aria-label="Main">
          <a href={routeHref({ page: 'inbox', view: 'open' })} aria-current={section === 'inbox' ? 'page' : undefined}>
            Inbox
          </a>
          <a href={routeHref({ page: 'mail' })} aria-current={section === 'mail' ? 'page' : undefined}>
            Mail log
          </a>
          <a href={routeHref({ page: 'settings', deskId: null })} aria-current={section === 'settings' ? 'page' : undefined}>
            Settings
          </a>
          <a href={routeHref({ page: 'new-ticket' })} aria-current={route.page === 'new-ticket' ? 'page' : undefined}>
            New ticket
          </a>
        </nav>
        <form class="search" role="search" onSubmit={onSearch}>
          <label for="search" class="visually-hidden">
            Search tickets
          </label>
          <input
            id="search"
            ref={searchRef}
            type="search"
            placeholder="Search #42, address, name, any words"
            value={query}
            onInput={(event) => setQuery(event.currentTarget.value)}
          />
          <button type="submit">Search</button>
        </form>
        <div class="user">
          <span title={session.email}>{session.name}</span>
          <button type="button" class="link-button" onClick={() => setHelpOpen(true)} aria-label="Keyboard shortcuts">
            ?
          </button>
          <button type="button" class="link-button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <div class={`status ${status?.tone ?? ''}`} role={status?.tone === 'error' ? 'alert' : 'status'}>
        {status?.message}
      </div>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
      {helpOpen && <HelpDialog onClose={() => setHelpOpen(false)} />}
    </AppContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'inbox':
      return <InboxPage view={route.view} search={null} />;
    case 'search':
      return <InboxPage view="open" search={route.q} />;
    case 'ticket':
      return <TicketPage key={route.id} id={route.id} />;
    case 'settings':
      return <LazySettings deskId={route.deskId} />;
    case 'mail':
      return <MailLogPage />;
    case 'new-ticket':
      return <NewTicketPage />;
  }
}
