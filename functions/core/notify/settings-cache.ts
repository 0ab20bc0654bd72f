// core: desk settings cached per container, so sending an email costs no settings read
import type { DeskSettings } from '../settings/desk-settings';

/** How long an edit in the dashboard may take to reach outgoing mail. */
export const SETTINGS_CACHE_MS = 60_000;

/**
 * Wraps a settings read with a time-limited cache per desk.
 * @example const settings = cachedSettings((id) => repo.getSettings(id), () => Date.now());
 */
export function cachedSettings(
  read: (deskId: string) => Promise<DeskSettings>,
  now: () => number,
  ttlMs = SETTINGS_CACHE_MS,
): (deskId: string) => Promise<DeskSettings> {
  const cache = new Map<string, { at: number; value: Promise<DeskSettings> }>();
  return (deskId) => {
    const hit = cache.get(deskId);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = read(deskId);
    cache.set(deskId, { at: now(), value });
    // A failed read must not be served from the cache until it expires.
    value.catch(() => cache.delete(deskId));
    return value;
  };
}
