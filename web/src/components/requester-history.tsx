// web: the requester's other tickets beside a ticket, each with a way to merge this ticket into it
import { useEffect, useState } from 'preact/hooks';
import type { Ticket } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { routeHref } from '../lib/route';
import { AgentName } from './agent-name';

/** Every ticket the requester opened (newest first), the current one marked; merging moves this ticket's thread there. */
export function RequesterHistory({ ticket, onMerged }: { ticket: Ticket; onMerged: (into: Ticket) => void }) {
  const { api, announce } = useApp();
  const [history, setHistory] = useState<Ticket[] | null>(null);
  useEffect(() => {
    api.history(ticket.requester.address).then(
      (page) => setHistory(page.items),
      (failure: unknown) => announce(errorMessage(failure), 'error'),
    );
  }, [api, announce, ticket.requester.address, ticket.id]);

  const merge = async (into: Ticket) => {
    if (!confirm(`Merge #${ticket.number} into #${into.number}? Its messages and people move there.`)) return;
    try {
      const target = await api.merge(ticket.id, into.id);
      announce(`#${ticket.number} merged into #${target.number}.`);
      onMerged(target);
    } catch (failure) {
      announce(errorMessage(failure), 'error');
    }
  };

  if (!history || history.length < 2) return null;
  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title">Requester's tickets</h2>
      <ul>
        {history.map((t) => (
          <li key={t.id} aria-current={t.id === ticket.id ? 'true' : undefined}>
            <a href={routeHref({ page: 'ticket', id: t.id })}>
              #{t.number} {t.subject}
            </a>{' '}
            <span class={`chip status-${t.status}`}>{t.mergedInto ? 'merged' : t.status}</span>
            {t.assignee && (
              <span class="muted">
                {' '}
                <AgentName address={t.assignee} />
              </span>
            )}
            {t.id !== ticket.id && !t.mergedInto && (
              <button type="button" class="link-button" onClick={() => void merge(t)}>
                Merge into this
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
