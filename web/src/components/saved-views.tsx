// web: the agent's saved views beside the inbox (one click applies one), and the form that saves the inbox as a view
import { useState } from 'preact/hooks';
import type { SavedView } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { showsView, viewQueryOf, type InboxState } from '../lib/saved-views';

export interface SavedViewsProps {
  /** The agent's views by name; null while loading. */
  readonly views: readonly SavedView[] | null;
  readonly state: InboxState;
  readonly onApply: (view: SavedView) => void;
  /** Called after a view was deleted, to load the list again. */
  readonly onChanged: () => void;
}

/** The list of the agent's views: a link-like button each (the one shown marked current) and a delete button. */
export function SavedViews({ views, state, onApply, onChanged }: SavedViewsProps) {
  const { api, announce, session } = useApp();
  const remove = async (view: SavedView): Promise<void> => {
    if (!confirm(`Delete the view “${view.name}”? Only the view goes; no ticket changes.`)) return;
    try {
      await api.deleteView(view.id);
      announce(`View “${view.name}” deleted.`);
    } catch (failure) {
      announce(errorMessage(failure), 'error');
    }
    onChanged();
  };
  return (
    <section class="saved-views" aria-labelledby="saved-views-title">
      <h2 id="saved-views-title">Saved views</h2>
      {views === null ? null : views.length === 0 ? (
        <p class="hint">Set filters, then “Save view”.</p>
      ) : (
        <ul>
          {views.map((view) => (
            <li key={view.id}>
              <button
                type="button"
                class="view-link"
                aria-current={showsView(view.query, state, session.email) ? 'true' : undefined}
                title={describeQuery(view, session.email)}
                onClick={() => onApply(view)}
              >
                {view.name}
              </button>
              <button
                type="button"
                class="link-button delete-view"
                aria-label={`Delete view ${view.name}`}
                onClick={() => void remove(view)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** `status: open · priority: urgent`: what a view holds, shown as its tooltip. */
function describeQuery(view: SavedView, me: string): string {
  const parts = Object.entries(view.query).map(([key, value]) => `${key}: ${key === 'assignee' && value === me ? 'me' : String(value)}`);
  return parts.length > 0 ? parts.join(' · ') : 'open tickets, latest activity first';
}

/** "Save view": asks for a name, then saves what the inbox shows; a name already used replaces that view. */
export function SaveViewForm({ state, views, onSaved }: { state: InboxState; views: readonly SavedView[] | null; onSaved: () => void }) {
  const { api, announce, session } = useApp();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (!naming) {
    return (
      <button type="button" class="small" onClick={() => setNaming(true)}>
        Save view
      </button>
    );
  }
  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    try {
      const saved = await api.saveView(name, viewQueryOf(state, session.email));
      // The API answers a name already used with that view, changed: same id.
      announce(`View “${saved.name}” ${views?.some((v) => v.id === saved.id) ? 'updated' : 'saved'}.`);
      setNaming(false);
      setName('');
      setError('');
      onSaved();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="save-view" aria-label="Save view" onSubmit={(event) => void save(event)}>
      <label>
        View name <input type="text" size={16} required value={name} onInput={(event) => setName(event.currentTarget.value)} />
      </label>
      <button type="submit" class="small primary" disabled={busy || name.trim() === ''}>
        Save
      </button>
      <button type="button" class="small" onClick={() => setNaming(false)}>
        Cancel
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
