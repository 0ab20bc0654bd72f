// web: the saved-reply picker of the composer: a menu button, or `;` typed in the reply box followed by a word
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SavedReply, Ticket } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { fillSavedReply, savedReplyActions, savedReplyActs, savedReplyQuery, savedReplyValues } from '../lib/saved-replies';

export interface SavedRepliesState {
  readonly replies: SavedReply[] | null;
  readonly error: string;
  readonly open: boolean;
  readonly query: string;
  /** The `;word` in the reply box the pick replaces; null when the menu was opened by its button. */
  readonly anchor: { readonly start: number; readonly end: number } | null;
  readonly values: Readonly<Record<string, string>>;
  readonly setOpen: (open: boolean) => void;
  readonly setQuery: (query: string) => void;
  /** After each keystroke in the reply box: `;word` opens the menu filtered by the word. */
  onTyped(textarea: HTMLTextAreaElement): void;
  /** Escape closes the menu; true when the key was used. */
  onKey(event: KeyboardEvent): boolean;
}

/** Loads the team's saved replies (and the desk's name for placeholders) once per composer. */
export function useSavedReplies(ticket: Pick<Ticket, 'number' | 'subject' | 'requester' | 'deskId'>): SavedRepliesState {
  const { api, session } = useApp();
  const [replies, setReplies] = useState<SavedReply[] | null>(null);
  const [deskName, setDeskName] = useState('');
  const [error, setError] = useState('');
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [anchor, setAnchor] = useState<SavedRepliesState['anchor']>(null);
  useEffect(() => {
    api.replies().then(
      (r) => setReplies(r.items),
      (failure: unknown) => setError(errorMessage(failure)),
    );
    api.desks().then(
      (r) => setDeskName(r.items.find((d) => d.id === ticket.deskId)?.name ?? ''),
      () => undefined,
    );
  }, [api, ticket.deskId]);
  const values = useMemo(() => savedReplyValues(ticket, session.name, deskName), [ticket, session.name, deskName]);
  return {
    replies,
    error,
    open,
    query,
    anchor,
    values,
    setOpen: (next) => {
      setOpen(next);
      if (!next) setAnchor(null);
    },
    setQuery,
    onTyped(textarea) {
      const found = savedReplyQuery(textarea.value, textarea.selectionStart);
      if (found) {
        setOpen(true);
        setQuery(found.query);
        setAnchor({ start: found.start, end: textarea.selectionStart });
      } else if (anchor) {
        setOpen(false);
        setAnchor(null);
      }
    },
    onKey(event) {
      if (open && event.key === 'Escape') {
        event.preventDefault();
        setOpen(false);
        setAnchor(null);
        return true;
      }
      return false;
    },
  };
}

/** The menu; picking a reply hands the composer its new text (the `;word` replaced, or the reply appended). */
export function SavedReplyMenu({
  state,
  body,
  onPick,
}: {
  state: SavedRepliesState;
  body: string;
  onPick: (reply: SavedReply, text: string) => void;
}) {
  const { team } = useApp();
  const words = state.query.toLowerCase();
  const shown = (state.replies ?? []).filter((r) => !words || r.title.toLowerCase().includes(words));
  const pick = (reply: SavedReply): void => {
    const filled = fillSavedReply(reply.body, state.values);
    const text = state.anchor
      ? body.slice(0, state.anchor.start) + filled + body.slice(state.anchor.end)
      : body.trim()
        ? `${body.trimEnd()}\n\n${filled}`
        : filled;
    onPick(reply, text);
    state.setOpen(false);
  };
  return (
    <div class="saved-replies">
      <button type="button" class="small" aria-expanded={state.open} onClick={() => state.setOpen(!state.open)}>
        Saved replies
      </button>{' '}
      <span class="muted">or type ; and a word</span>
      {state.open && (
        <div class="saved-reply-menu" role="group" aria-label="Saved replies">
          {!state.anchor && (
            <input
              type="search"
              aria-label="Find a saved reply"
              placeholder="Find a saved reply…"
              value={state.query}
              onInput={(event) => state.setQuery(event.currentTarget.value)}
            />
          )}
          {state.error && <p class="error">{state.error}</p>}
          {state.replies === null && !state.error && <p class="loading">Loading…</p>}
          {state.replies !== null && shown.length === 0 && <p class="muted">No saved reply matches.</p>}
          <ul>
            {shown.map((reply) => (
              <li key={reply.id}>
                <button type="button" onClick={() => pick(reply)}>
                  <strong>{reply.title}</strong>
                  {savedReplyActs(reply) && <span class="muted"> · {savedReplyActions(reply, team).join(', ')}</span>}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
