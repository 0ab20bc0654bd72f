// web: the ticket rows of the inbox and of search results; j/k move the selection, Enter/o open it
import { useEffect, useRef } from 'preact/hooks';
import type { Ticket } from '../api/types';
import { useApp } from '../app-context';
import { fullTime, mailboxName, relativeTime } from '../lib/format';
import { routeHref } from '../lib/route';
import { agentName } from '../lib/team';

export interface TicketListProps {
  readonly tickets: readonly Ticket[];
  /** Index of the selected row, or -1. */
  readonly selected: number;
  readonly onSelect: (index: number) => void;
  readonly now: number;
}

/** An ordered list of ticket rows, each a link to the ticket. */
export function TicketList({ tickets, selected, onSelect, now }: TicketListProps) {
  const { team } = useApp();
  const links = useRef<(HTMLAnchorElement | null)[]>([]);
  useEffect(() => {
    // The selected row takes focus, so keyboard and screen-reader users are where j/k put them.
    if (selected >= 0) links.current[selected]?.focus();
  }, [selected]);

  return (
    <ol class="tickets" aria-label="Tickets">
      {tickets.map((ticket, index) => (
        <li key={ticket.id} class={index === selected ? 'selected' : undefined}>
          <a
            ref={(element) => {
              links.current[index] = element;
            }}
            href={routeHref({ page: 'ticket', id: ticket.id })}
            onFocus={() => index !== selected && onSelect(index)}
            data-ticket-number={ticket.number}
          >
            <span class="number">#{ticket.number}</span>
            <span class="subject">{ticket.subject || '(no subject)'}</span>
            <span class="requester" title={ticket.requester.address}>
              {mailboxName(ticket.requester)}
            </span>
            <span class="preview">{ticket.preview}</span>
            <span class="meta">
              <time dateTime={ticket.updatedAt} title={fullTime(ticket.updatedAt)}>
                {relativeTime(ticket.updatedAt, now)}
              </time>
              {ticket.status !== 'open' && <span class={`chip status-${ticket.status}`}>{ticket.status}</span>}
              {ticket.failedDeliveries && ticket.failedDeliveries.length > 0 && (
                <span
                  class="chip delivery-failed"
                  title="An email of this ticket failed, bounced, was complained about or was held back: open it to see why and retry"
                >
                  delivery failed
                </span>
              )}
              {ticket.assignee ? (
                <span class="assignee" title={ticket.assignee}>
                  {agentName(team, ticket.assignee)}
                </span>
              ) : (
                <span class="assignee none">unassigned</span>
              )}
              {ticket.labels.map((label) => (
                <span key={label} class="chip label">
                  {label}
                </span>
              ))}
            </span>
          </a>
        </li>
      ))}
    </ol>
  );
}
