// web: refresh on a timer while the tab is visible, and at once when it becomes visible again
import { useEffect, useRef } from 'preact/hooks';

/** How often the inbox and an open ticket refresh, so two agents see each other's work. */
export const POLL_MS = 10_000;

/**
 * Runs `refresh` every `intervalMs` while the page is visible; hidden tabs make no requests.
 * The first load is the caller's job.
 */
export function usePolling(refresh: () => unknown, intervalMs = POLL_MS): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = (): void => {
      if (timer === undefined) timer = setInterval(() => latest.current(), intervalMs);
    };
    const stop = (): void => {
      clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = (): void => {
      if (document.visibilityState === 'visible') {
        latest.current();
        start();
      } else stop();
    };
    if (document.visibilityState === 'visible') start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs]);
}
