// web: what every page needs from the app shell: the API client, the signed-in user, status messages
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api/client';
import type { TeamMember } from './api/types';
import type { Session } from './auth/auth';

export interface AppContextValue {
  readonly api: ApiClient;
  readonly session: Session;
  /** The team, to show members by name; empty until it is loaded (members then show by address). */
  readonly team: readonly TeamMember[];
  /** Shows a short status line, also read out by screen readers. */
  readonly announce: (message: string, tone?: 'info' | 'error') => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

/** The app context; only pages under the signed-in shell use it. */
export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside the signed-in shell');
  return value;
}

/** A message for an error of any kind, for status lines. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
