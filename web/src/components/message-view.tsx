// web: one message of the thread: who, when, how it was threaded, its body, attachments and email deliveries
import type { Delivery, Message, StoredAttachment } from '../api/types';
import { fileSize, fullTime, mailboxLabel, relativeTime, threadedByLabel } from '../lib/format';
import { EmailBody } from './email-body';
import { MarkdownBody } from './markdown-preview';

const DIRECTION_LABEL: Record<Message['direction'], string> = {
  inbound: 'Customer email',
  outbound: 'Reply',
  note: 'Internal note: not sent',
};

const DELIVERY_KIND: Record<Delivery['kind'], string> = {
  ack: 'Acknowledgement',
  reply: 'Reply',
  'participant-added': '"You were added" notice',
  relay: 'Relayed to another participant',
};

export interface MessageViewProps {
  readonly message: Message;
  readonly deliveries: readonly Delivery[];
  readonly now: number;
  readonly onDownload: (attachment: StoredAttachment) => void;
  readonly onRetry: (delivery: Delivery) => void;
  /** A short-lived URL of a stored part, for `cid:` images in the mail's HTML. */
  readonly partUrl?: (attachment: StoredAttachment) => Promise<string>;
}

/** Renders a message as an article; inbound, outbound and notes are styled apart. */
export function MessageView({ message, deliveries, now, onDownload, onRetry, partUrl }: MessageViewProps) {
  const headingId = `msg-${message.id}`;
  const sender = message.direction === 'inbound' ? mailboxLabel(message.from) : (message.author ?? mailboxLabel(message.from));
  const kind = message.classification?.kind;
  return (
    <article class={`message ${message.direction}`} aria-labelledby={headingId}>
      <header>
        <h3 id={headingId}>
          <span class="who">{sender}</span>
          <span class={`chip direction-${message.direction}`}>{DIRECTION_LABEL[message.direction]}</span>
        </h3>
        <p class="meta">
          <time dateTime={message.createdAt} title={fullTime(message.createdAt)}>
            {relativeTime(message.createdAt, now)}
          </time>
          {' · '}
          <span class="threaded-by">{threadedByLabel(message.threadedBy)}</span>
          {kind && kind !== 'normal' && (
            <span class="chip warn" title={message.classification?.reason}>
              {kind}
            </span>
          )}
        </p>
        {message.direction !== 'note' && (message.to.length > 0 || message.cc.length > 0) && (
          <p class="recipients">
            to {message.to.map(mailboxLabel).join(', ')}
            {message.cc.length > 0 && <> · cc {message.cc.map(mailboxLabel).join(', ')}</>}
          </p>
        )}
      </header>
      {message.direction === 'inbound' ? (
        <EmailBody
          html={message.html}
          text={message.text}
          reply={message.reply}
          label={`Message from ${sender}`}
          parts={message.attachments}
          partUrl={partUrl}
        />
      ) : (
        <MarkdownBody markdown={message.text} label={`Message from ${sender}`} />
      )}
      {message.attachments.length > 0 && (
        <ul class="attachments" aria-label="Attachments">
          {message.attachments.map((attachment) => (
            <li key={attachment.key}>
              <button type="button" class="small" onClick={() => onDownload(attachment)}>
                ⤓ {attachment.filename || 'attachment'}{' '}
                <span class="muted">
                  ({fileSize(attachment.size)}
                  {attachment.inline ? ', inline' : ''})
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {deliveries.length > 0 && (
        <ul class="deliveries" aria-label="Email deliveries">
          {deliveries.map((delivery) => (
            <DeliveryRow key={delivery.id} delivery={delivery} onRetry={onRetry} />
          ))}
        </ul>
      )}
    </article>
  );
}

/** One outgoing email's state, with Retry when it failed or was left sending after its lease. */
export function DeliveryRow({ delivery, onRetry }: { delivery: Delivery; onRetry: (delivery: Delivery) => void }) {
  const recipient = typeof delivery.recipient === 'string' ? delivery.recipient : delivery.recipient.address;
  const stuck = delivery.status === 'sending' && typeof delivery.leaseUntil === 'string' && delivery.leaseUntil < new Date().toISOString();
  return (
    <li class={`delivery ${delivery.status}`} data-status={delivery.status}>
      <span>
        {DELIVERY_KIND[delivery.kind]} to {recipient}:
      </span>{' '}
      <span class={`chip delivery-${delivery.status}`}>{delivery.status}</span>
      {delivery.lastError && <span class="reason"> {delivery.lastError}</span>}
      {(delivery.status === 'failed' || stuck) && (
        <button type="button" class="small" onClick={() => onRetry(delivery)}>
          Retry
        </button>
      )}
    </li>
  );
}
