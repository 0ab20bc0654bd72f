// web: local-stack sign-in: email + the code `npm start` prints → an HS256 token from /api/auth/local
import { jwtExpiry, type Auth, type Session } from './auth';
import { loadSession, saveSession } from './session-store';

/** Margin before expiry at which a token counts as expired, so a request never leaves with a dying token. */
const SKEW_MS = 60_000;

/** Creates the local-stack sign-in. */
export function createLocalAuth(apiUrl: string): Auth {
  const base = apiUrl.replace(/\/+$/, '');
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
