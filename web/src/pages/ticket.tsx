// web: the ticket page: thread, deliveries, address warnings, composer and controls; refreshes by itself
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { Delivery, Message, StoredAttachment, TicketDetail, TicketPatch } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { AddressWarnings } from '../components/address-warnings';
import { DeliveryRow, MessageView } from '../components/message-view';
import { ReplyBox, type TicketNews } from '../components/reply-box';
import { RequesterHistory } from '../components/requester-history';
import { TicketControls } from '../components/ticket-controls';
import { mailboxLabel } from '../lib/format';
import { routeHref } from '../lib/route';
import { useShortcuts } from '../lib/shortcuts';
import { usePolling } from '../lib/use-polling';

/** One ticket, by id. */
export function TicketPage({ id }: { id: string }) {
  const { api, announce } = useApp();
  const [ticket, setTicket] = useState<TicketDetail | null>(null);
  const [error, setError] = useState('');
  const [internal, setInternal] = useState(false);
  const [now, setNow] = useState(Date.now());
  const textarea = useRef<HTMLTextAreaElement>(null);
  // What the agent has seen: the version a reply is sent against. Polling refreshes the thread but not this, so a
  // change by someone else is caught by the API (409) and shown before anything is sent.
  const [seen, setSeen] = useState<Seen | null>(null);
  // Messages that arrived while the agent wrote, marked New after a 409 until their reply went out.
  const [fresh, setFresh] = useState<ReadonlySet<string>>(NONE);

  const load = useCallback(async (): Promise<TicketDetail | null> => {
    try {
      const loaded = await api.ticket(id);
      setTicket(loaded);
      setSeen((current) => current ?? seenOf(loaded));
      setNow(Date.now());
      setError('');
      return loaded;
    } catch (failure) {
      setError(errorMessage(failure));
      return null;
    }
  }, [api, id]);
  useEffect(() => {
    void load();
  }, [load]);
  usePolling(load);
  /** Reloads after the agent's own change, which they have seen by making it. */
  const reloadSeen = async (): Promise<void> => {
    const loaded = await load();
    if (loaded) setSeen(seenOf(loaded));
  };
  const conflict = async (): Promise<TicketNews> => {
    const loaded = await load();
    if (!loaded || !seen) return { newMessages: 0, status: null };
    const arrived = loaded.messages.filter((m) => !seen.messageIds.has(m.id)).map((m) => m.id);
    setFresh(new Set([...fresh, ...arrived]));
    setSeen(seenOf(loaded));
    return { newMessages: arrived.length, status: loaded.status === seen.status ? null : loaded.status };
  };

  /** Runs a change; a 409 means someone else changed the ticket, so reload and say so. */
  const change = async <T,>(action: () => Promise<T>, done: string | ((result: T) => string)): Promise<boolean> => {
    try {
      const result = await action();
      announce(typeof done === 'string' ? done : done(result));
      await reloadSeen();
      return true;
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409) {
        announce('The ticket changed meanwhile; it has been reloaded. Please try again.', 'error');
        await load();
      } else announce(errorMessage(failure), 'error');
      return false;
    }
  };
  const patch = async (p: TicketPatch): Promise<void> => {
    await change(
      () => api.patchTicket(id, { ...p, version: ticket?.version }),
      p.status ? `Status set to ${p.status}.` : 'Ticket updated.',
    );
  };

  const compose = (asNote: boolean): void => {
    setInternal(asNote);
    // The textarea exists only in the Write tab; focus after the toggle rendered.
    requestAnimationFrame(() => textarea.current?.focus());
  };
  useShortcuts({
    r: () => compose(false),
    n: () => compose(true),
    e: () => {
      if (!ticket || ticket.status === 'closed') return false;
      void patch({ status: 'closed' });
      return true;
    },
  });

  const download = (attachment: StoredAttachment): void => {
    // A quarantined part is only ever requested after the agent confirmed in the message view.
    (attachment.quarantined ? api.quarantinedAttachmentUrl(attachment.key) : api.attachmentUrl(attachment.key)).then(
      ({ url }) => location.assign(url),
      (failure: unknown) => announce(errorMessage(failure), 'error'),
    );
  };
  const partUrl = useCallback((attachment: StoredAttachment) => api.attachmentUrl(attachment.key).then((r) => r.url), [api]);
  const accept = (message: Message): Promise<boolean> =>
    change(() => api.acceptHeld(id, message.id), `${message.from.address} is now a participant; the message is part of the ticket.`);
  const move = (message: Message): Promise<boolean> =>
    change(
      () => api.moveHeld(id, message.id),
      (moved) => `The message from ${message.from.address} now opens ticket #${moved.number}.`,
    );
  const split = (message: Message, acknowledge: boolean): Promise<boolean> =>
    change(
      () => api.splitMessage(id, message.id, acknowledge),
      (opened) => `The message from ${message.from.address} now opens ticket #${opened.number}.`,
    );
  const retry = (delivery: Delivery): void => {
    void change(() => api.retryDelivery(id, delivery.id), 'Delivery queued again.');
  };

  if (!ticket) {
    return error ? (
      <div class="ticket-page">
        <p class="error" role="alert">
          {error}
        </p>
        <a href={routeHref({ page: 'inbox', view: 'open' })}>Back to the inbox</a>
      </div>
    ) : (
      <p class="loading">Loading ticket…</p>
    );
  }

  const messageIds = new Set(ticket.messages.map((m) => m.id));
  // E.g. "you were added" notices, which belong to no message of the thread.
  const otherDeliveries = ticket.deliveries.filter((d) => !messageIds.has(d.messageItemId));
  return (
    <div class="ticket-page">
      <div class="ticket-head">
        <a class="back" href={routeHref({ page: 'inbox', view: 'open' })}>
          ← Inbox
        </a>
        <h1>
          <span class="number">#{ticket.number}</span> {ticket.subject || '(no subject)'}
        </h1>
        <p class="meta">
          <span class={`chip status-${ticket.status}`}>{ticket.status}</span> from {mailboxLabel(ticket.requester)}
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </div>
      <AddressWarnings
        states={ticket.addressStates}
        onClear={(address, reason) => change(() => api.clearAddress(id, address, reason), `${address} can get mail again.`)}
      />
      <div class="ticket-layout">
        <section class="thread" aria-label="Conversation">
          {ticket.messages.map((message, index) => (
            <MessageView
              key={message.id}
              message={message}
              fresh={fresh.has(message.id)}
              deliveries={ticket.deliveries.filter((d) => d.messageItemId === message.id)}
              now={now}
              onDownload={download}
              onRetry={retry}
              partUrl={partUrl}
              onAccept={accept}
              onMove={move}
              {...(index > 0 ? { onSplit: split } : {})}
              ticketHref={(ticketId) => routeHref({ page: 'ticket', id: ticketId })}
            />
          ))}
          {otherDeliveries.length > 0 && (
            <section class="message other-emails" aria-labelledby="other-emails-title">
              <h2 id="other-emails-title">Other emails of this ticket</h2>
              <ul class="deliveries">
                {otherDeliveries.map((delivery) => (
                  <DeliveryRow key={delivery.id} delivery={delivery} onRetry={retry} />
                ))}
              </ul>
            </section>
          )}
          <ReplyBox
            ticketId={ticket.id}
            ticket={ticket}
            internal={internal}
            onInternalChange={setInternal}
            textareaRef={textarea}
            version={seen?.version ?? ticket.version}
            onConflict={conflict}
            onSent={async () => {
              setFresh(NONE);
              await reloadSeen();
            }}
          />
        </section>
        <TicketControls
          ticket={ticket}
          onPatch={patch}
          onAddParticipant={(address, name) =>
            change(() => api.addParticipant(id, address, name || undefined), `${address} added and notified.`)
          }
          onRemoveParticipant={async (address) => {
            await change(() => api.removeParticipant(id, address), `${address} removed.`);
          }}
        />
        <RequesterHistory
          ticket={ticket}
          onMerged={(target) => {
            location.hash = routeHref({ page: 'ticket', id: target.id });
          }}
        />
      </div>
    </div>
  );
}

/** The state of the ticket the agent has seen. */
interface Seen {
  readonly version: number;
  readonly status: TicketDetail['status'];
  readonly messageIds: ReadonlySet<string>;
}

function seenOf(ticket: TicketDetail): Seen {
  return { version: ticket.version, status: ticket.status, messageIds: new Set(ticket.messages.map((m) => m.id)) };
}

const NONE: ReadonlySet<string> = new Set();
