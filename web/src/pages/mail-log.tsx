// web: the mail log: stored mail that did not become a normal message, with its reason, Replay and the raw download
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { MailLogEntry } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { AgentName } from '../components/agent-name';
import { routeHref } from '../lib/route';

const OUTCOMES = ['', 'failed', 'ignored', 'duplicate', 'bounce', 'complaint', 'held'];

/** The mail log, newest first, filtered by outcome. */
export function MailLogPage() {
  const { api, announce } = useApp();
  const [outcome, setOutcome] = useState('');
  const [items, setItems] = useState<MailLogEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState('');

  const load = useCallback(
    async (after: string | null) => {
      try {
        const page = await api.mailLog(outcome, after);
        setItems((shown) => (after ? [...shown, ...page.items] : page.items));
        setCursor(page.cursor);
        setLoaded(true);
      } catch (failure) {
        announce(errorMessage(failure), 'error');
      }
    },
    [api, announce, outcome],
  );
  useEffect(() => {
    setLoaded(false);
    void load(null);
  }, [load]);

  const replay = async (entry: MailLogEntry) => {
    setBusy(entry.key);
    try {
      const report = await api.replayMail(entry.key);
      announce(report.alreadyDone ? `Already done: ${report.reason}` : `Replayed: ${report.outcome} (${report.reason})`);
      await load(null);
    } catch (failure) {
      announce(errorMessage(failure), 'error');
    } finally {
      setBusy('');
    }
  };
  const download = async (entry: MailLogEntry) => {
    try {
      location.href = (await api.rawMail(entry.key)).url;
    } catch (failure) {
      announce(errorMessage(failure), 'error');
    }
  };

  return (
    <section class="mail-log" aria-labelledby="mail-log-title">
      <h1 id="mail-log-title">Mail log</h1>
      <p class="hint">Every stored mail that did not become a message on a ticket, with the reason. Replay runs it through ingest again.</p>
      <label>
        Outcome{' '}
        <select value={outcome} onChange={(event) => setOutcome(event.currentTarget.value)}>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o || 'all'}
            </option>
          ))}
        </select>
      </label>
      {!loaded && <p class="loading">Loading…</p>}
      {loaded && items.length === 0 && <p class="empty">No mail here.</p>}
      {items.length > 0 && (
        <table class="mail-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Outcome</th>
              <th>From</th>
              <th>Subject</th>
              <th>Reason</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => (
              <tr key={entry.key} class={`outcome-${entry.outcome}`}>
                <td>{new Date(entry.at).toLocaleString()}</td>
                <td>
                  <span class="chip">{entry.outcome}</span>
                </td>
                <td>{entry.from ? <AgentName address={entry.from} /> : '–'}</td>
                <td>
                  {entry.ticketId ? (
                    <a href={routeHref({ page: 'ticket', id: entry.ticketId })}>{entry.subject ?? '(none)'}</a>
                  ) : (
                    (entry.subject ?? '–')
                  )}
                </td>
                <td class="reason">{entry.reason}</td>
                <td class="actions">
                  <button type="button" onClick={() => void replay(entry)} disabled={busy === entry.key}>
                    {busy === entry.key ? 'Replaying…' : 'Replay'}
                  </button>{' '}
                  <button type="button" class="link-button" onClick={() => void download(entry)}>
                    Raw mail
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" class="load-more" onClick={() => void load(cursor)}>
          Load more
        </button>
      )}
    </section>
  );
}
