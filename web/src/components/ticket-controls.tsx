// web: the ticket's side panel: status, priority, assignee, labels, participants (with undeliverable warnings)
import { useState } from 'preact/hooks';
import type { TicketDetail, TicketPatch, TicketPriority, TicketStatus } from '../api/types';
import { useApp } from '../app-context';
import { TICKET_PRIORITIES } from '../../../functions/core/types';
import { parseLabels } from '../lib/format';
import { agentName } from '../lib/team';
import { AgentName } from './agent-name';

const STATUSES: readonly TicketStatus[] = ['open', 'pending', 'closed', 'spam'];

export interface TicketControlsProps {
  readonly ticket: TicketDetail;
  readonly onPatch: (patch: TicketPatch) => Promise<void>;
  readonly onAddParticipant: (address: string, name: string) => Promise<boolean>;
  readonly onRemoveParticipant: (address: string) => Promise<void>;
}

/** Controls that change the ticket; each applies at once and the page reloads the ticket. */
export function TicketControls({ ticket, onPatch, onAddParticipant, onRemoveParticipant }: TicketControlsProps) {
  const { session, team } = useApp();
  const [assignee, setAssignee] = useState('');
  const others = team.filter((member) => member.email !== ticket.assignee);
  const [label, setLabel] = useState('');
  const [address, setAddress] = useState('');
  const [name, setName] = useState('');

  return (
    <aside class="controls" aria-label="Ticket details">
      <section>
        <label for="status">Status</label>
        <select id="status" value={ticket.status} onChange={(event) => void onPatch({ status: event.currentTarget.value as TicketStatus })}>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </section>

      <section>
        <label for="priority">Priority</label>
        <select
          id="priority"
          value={ticket.priority}
          onChange={(event) => void onPatch({ priority: event.currentTarget.value as TicketPriority })}
        >
          {TICKET_PRIORITIES.map((priority) => (
            <option key={priority} value={priority}>
              {priority}
            </option>
          ))}
        </select>
      </section>

      <section aria-labelledby="assignee-title">
        <h2 id="assignee-title">Assignee</h2>
        <p class="assignee-now">{ticket.assignee ? <AgentName address={ticket.assignee} /> : 'Nobody'}</p>
        <div class="row">
          {ticket.assignee !== session.email && (
            <button type="button" class="small" onClick={() => void onPatch({ assignee: session.email })}>
              Assign to me
            </button>
          )}
          {ticket.assignee && (
            <button type="button" class="small" onClick={() => void onPatch({ assignee: null })}>
              Unassign
            </button>
          )}
        </div>
        {others.length > 0 && (
          <form
            class="row"
            onSubmit={(event) => {
              event.preventDefault();
              if (assignee) void onPatch({ assignee }).then(() => setAssignee(''));
            }}
          >
            <label for="assign-to" class="visually-hidden">
              Assign to
            </label>
            <select id="assign-to" value={assignee} onChange={(event) => setAssignee(event.currentTarget.value)}>
              <option value="">Assign to…</option>
              {others.map((member) => (
                <option key={member.email} value={member.email}>
                  {agentName(team, member.email)}
                </option>
              ))}
            </select>
            <button type="submit" class="small" disabled={!assignee}>
              Assign
            </button>
          </form>
        )}
      </section>

      <section aria-labelledby="labels-title">
        <h2 id="labels-title">Labels</h2>
        <ul class="chips">
          {ticket.labels.map((l) => (
            <li key={l} class="chip label">
              {l}
              <button
                type="button"
                class="chip-remove"
                aria-label={`Remove label ${l}`}
                onClick={() => void onPatch({ labels: ticket.labels.filter((x) => x !== l) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            const added = parseLabels(label);
            if (added.length) void onPatch({ labels: [...new Set([...ticket.labels, ...added])] }).then(() => setLabel(''));
          }}
        >
          <label for="add-label" class="visually-hidden">
            Add labels (comma-separated)
          </label>
          <input id="add-label" placeholder="billing, urgent" value={label} onInput={(event) => setLabel(event.currentTarget.value)} />
          <button type="submit" class="small">
            Add
          </button>
        </form>
      </section>

      <section aria-labelledby="participants-title">
        <h2 id="participants-title">Participants</h2>
        <ul class="participants">
          {ticket.participants.map((p) => {
            const state = ticket.addressStates[p.address];
            return (
              <li key={p.address}>
                <span class="who" title={p.address}>
                  {p.name || agentName(team, p.address)}
                </span>
                <span class="muted">
                  {' '}
                  {p.role}
                  {p.unsubscribed ? ', unsubscribed' : ''}
                </span>
                {state && (
                  <span class="chip warn" title={state.reason}>
                    {state.state}
                  </span>
                )}
                {p.role !== 'requester' && (
                  <button
                    type="button"
                    class="small"
                    aria-label={`Remove ${p.address}`}
                    onClick={() => void onRemoveParticipant(p.address)}
                  >
                    Remove
                  </button>
                )}
              </li>
            );
          })}
        </ul>
        <form
          class="add-participant"
          onSubmit={(event) => {
            event.preventDefault();
            if (address.trim())
              void onAddParticipant(address.trim(), name.trim()).then((added) => {
                if (added) {
                  setAddress('');
                  setName('');
                }
              });
          }}
        >
          <label for="participant-address">Add participant</label>
          <input
            id="participant-address"
            type="email"
            placeholder="name@example.com"
            required
            value={address}
            onInput={(event) => setAddress(event.currentTarget.value)}
          />
          <label for="participant-name" class="visually-hidden">
            Name (optional)
          </label>
          <input id="participant-name" placeholder="Name (optional)" value={name} onInput={(event) => setName(event.currentTarget.value)} />
          <button type="submit" class="small">
            Add and notify
          </button>
        </form>
      </section>
    </aside>
  );
}
