// web: local-stack sign-in: email + the code `npm start` prints → an HS256 token from /api/auth/local, or a `sesdesk open` link
import { jwtClaims, jwtExpiry, type Auth, type Session } from './auth';
import { loadSession, saveSession } from './session-store';

/** The fragment a `sesdesk open` link ends with (bin/cli/commands/open.ts): `#sign-in=<token>`. */
const LINK = /^#sign-in=([\w-]+\.[\w-]+\.[\w-]+)$/;

/** Margin before expiry at which a token counts as expired, so a request never leaves with a dying token. */
const SKEW_MS = 60_000;

/**
 * The session a `sesdesk open` link carries, or null for any other hash and for a token that is unreadable or
 * expired. The token is not verified here: the API verifies it on every request and answers 401 to a bad one.
 */
export function sessionFromLink(hash: string, now: number): Session | null {
  const token = LINK.exec(hash)?.[1];
  if (!token) return null;
  const claims = jwtClaims(token);
  if (typeof claims.email !== 'string' || !claims.email.includes('@')) return null;
  const expiresAt = jwtExpiry(token, now);
  if (typeof claims.exp !== 'number' || expiresAt - SKEW_MS <= now) return null;
  return { email: claims.email, name: typeof claims.name === 'string' && claims.name ? claims.name : claims.email, token, expiresAt };
}

/** Creates the local-stack sign-in; a `sesdesk open` link in the address bar signs in at once. */
export function createLocalAuth(apiUrl: string): Auth {
  const base = apiUrl.replace(/\/+$/, '');
  if (location.hash.startsWith('#sign-in=')) {
    const linked = sessionFromLink(location.hash, Date.now());
    if (linked) saveSession(linked);
    // The token must stay neither in the address bar nor in the history.
    history.replaceState(null, '', `${location.pathname}${location.search}`);
  }
  return {
    kind: 'local',
    secretLabel: 'Sign-in code',
    current: loadSession,
    async token() {
      const session = loadSession();
      return session && session.expiresAt - SKEW_MS > Date.now() ? session.token : null;
    },
    async signIn(email, code) {
      const response = await fetch(`${base}/api/auth/local`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: email.trim(), code: code.trim() }),
      });
      const json = (await response.json().catch(() => ({}))) as {
        token?: string;
        user?: { email: string; name: string };
        error?: { message?: string };
      };
      if (!response.ok || !json.token) throw new Error(json.error?.message ?? `Sign-in failed (${response.status}).`);
      const session: Session = {
        email: json.user?.email ?? email.trim(),
        name: json.user?.name ?? email.trim(),
        token: json.token,
        expiresAt: jwtExpiry(json.token, Date.now()),
      };
      saveSession(session);
      return { kind: 'signed-in', session };
    },
    signOut: () => saveSession(null),
  };
}
