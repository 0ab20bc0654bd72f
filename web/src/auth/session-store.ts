// web: keeps the session in localStorage, so every tab of the dashboard shares one sign-in
import type { Session } from './auth';

const KEY = 'sesdesk.session';

/** Reads the stored session, or null when there is none or it is unreadable. */
export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
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
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
}

/** Calls `onChange` when another tab signs in or out; returns the unsubscribe function. */
export function watchSession(onChange: () => void): () => void {
  const listener = (event: StorageEvent): void => {
    if (event.key === KEY || event.key === null) onChange();
  };
  addEventListener('storage', listener);
  return () => removeEventListener('storage', listener);
}
