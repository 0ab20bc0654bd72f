// web: single-key shortcuts (j/k, o, r, n, e, /, ?) that stay out of the way while the agent types
import { useEffect, useRef } from 'preact/hooks';

/** What the shortcut layer needs to know about a key event. */
export interface KeyInfo {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  /** The focused element's tag name, upper case. */
  readonly targetTag: string;
  readonly targetEditable: boolean;
}

/** The shortcut key an event means, or null when it is typing, a browser combination or not a shortcut. */
export function shortcutKey(event: KeyInfo): string | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (event.targetEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(event.targetTag)) return null;
  return event.key.length === 1 || event.key === 'Enter' ? event.key : null;
}

/** Every shortcut, for the help dialog. */
export const SHORTCUTS: readonly { keys: string; does: string }[] = [
  { keys: 'j / k', does: 'Next / previous ticket in the list' },
  { keys: 'Enter or o', does: 'Open the selected ticket' },
  { keys: 'r', does: 'Reply to the customer' },
  { keys: 'n', does: 'Write an internal note' },
  { keys: 'e', does: 'Close the ticket' },
  { keys: 'u', does: 'Back to the inbox' },
  { keys: '/', does: 'Search' },
  { keys: '?', does: 'Show this help' },
];

/**
 * Calls `handlers[key]` for shortcut keys; a handler that returns false lets the key through
 * (e.g. Enter when no row is selected).
 */
export function useShortcuts(handlers: Record<string, () => boolean | void>): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target instanceof HTMLElement ? event.target : null;
      const key = shortcutKey({
        key: event.key,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        altKey: event.altKey,
        targetTag: target?.tagName ?? '',
        targetEditable: target?.isContentEditable ?? false,
      });
      // Enter on a focused button or link is its own click, not "open the selected row".
      if (key === null || (key === 'Enter' && (target?.tagName === 'BUTTON' || target?.tagName === 'A'))) return;
      const handler = latest.current[key];
      if (handler && handler() !== false) event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
