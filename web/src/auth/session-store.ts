// web: keeps the session in sessionStorage, so it lasts as long as the tab and no longer
import type { Session } from './auth';

const KEY = 'sesdesk.session';

/** Reads the stored session, or null when there is none or it is unreadable. */
export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Session>;
    if (typeof value.token !== 'string' || typeof value.email !== 'string' || typeof value.expiresAt !== 'number') return null;
    return value as Session;
  } catch {
    return null;
  }
}

/** Stores a session, or forgets it when given null. */
export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
