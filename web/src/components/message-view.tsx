// web: one message of the thread: who, when, how it was threaded, its body, attachments and email deliveries
import { useState } from 'preact/hooks';
import type { Delivery, Message, StoredAttachment } from '../api/types';
import { authenticationSummary, fileSize, fullTime, mailboxLabel, relativeTime, threadedByLabel } from '../lib/format';
import { EmailBody } from './email-body';

const DIRECTION_LABEL: Record<Message['direction'], string> = {
  inbound: 'Customer email',
  outbound: 'Reply',
  note: 'Internal note: not sent',
};

const DELIVERY_KIND: Record<Delivery['kind'], string> = {
  ack: 'Acknowledgement',
  reply: 'Reply',
  'participant-added': '"You were added" notice',
  'agent-notice': 'Team notification',
};

export interface MessageViewProps {
  readonly message: Message;
  readonly deliveries: readonly Delivery[];
  readonly now: number;
  /** Downloads an attachment; a quarantined one only after the agent confirmed here. */
  readonly onDownload: (attachment: StoredAttachment) => void;
  readonly onRetry: (delivery: Delivery) => void;
  /** Settles a held message: into this ticket, or out to a new ticket of its sender. */
  readonly onAccept: (message: Message) => void;
  readonly onMove: (message: Message) => void;
  /** The ticket page's link for a ticket id. */
  readonly ticketHref: (ticketId: string) => string;
}

/** Renders a message as an article; inbound, outbound and notes are styled apart, a held message stands out. */
export function MessageView({ message, deliveries, now, onDownload, onRetry, onAccept, onMove, ticketHref }: MessageViewProps) {
  const headingId = `msg-${message.id}`;
  const sender = message.direction === 'inbound' ? mailboxLabel(message.from) : (message.author ?? mailboxLabel(message.from));
  const kind = message.classification?.kind;
  const [confirming, setConfirming] = useState<StoredAttachment | null>(null);
  return (
    <article class={`message ${message.direction}${message.held ? ' held' : ''}`} aria-labelledby={headingId}>
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
          {message.direction === 'inbound' && <SenderCheck message={message} />}
        </p>
        {message.direction !== 'note' && (message.to.length > 0 || message.cc.length > 0) && (
          <p class="recipients">
            to {message.to.map(mailboxLabel).join(', ')}
            {message.cc.length > 0 && <> · cc {message.cc.map(mailboxLabel).join(', ')}</>}
          </p>
        )}
      </header>
      {message.held && (
        <div class="callout held-callout" role="note" aria-label="Held message">
          <p>
            <strong>Held for review.</strong> This email matched the ticket by{' '}
            {threadedByLabel(message.threadedBy).replace(/^threaded by /, '')}, but{' '}
            {message.heldReason ?? 'its sender is not trusted on this ticket'}. It reopened nothing and nobody was emailed.
          </p>
          <div class="held-actions">
            <button type="button" class="small primary" onClick={() => onAccept(message)}>
              Accept into this ticket
            </button>
            <button type="button" class="small" onClick={() => onMove(message)}>
              Move to a new ticket
            </button>
          </div>
        </div>
      )}
      {message.heldResolution && (
        <p class="hint held-resolution">
          Was held ({message.heldReason}).{' '}
          {message.heldResolution.action === 'accepted' ? (
            <>Accepted by {message.heldResolution.by}.</>
          ) : (
            <>
              Moved by {message.heldResolution.by} to{' '}
              <a href={ticketHref(message.heldResolution.ticketId ?? '')}>ticket #{message.heldResolution.number}</a>.
            </>
          )}
        </p>
      )}
      {message.movedFrom && (
        <p class="hint">
          Moved here from <a href={ticketHref(message.movedFrom.ticketId)}>ticket #{message.movedFrom.number}</a>, where it was held.
        </p>
      )}
      {message.notices && message.notices.length > 0 && (
        <ul class="callout warn notices" aria-label="Notices">
          {message.notices.map((notice) => (
            <li key={notice}>{notice}</li>
          ))}
        </ul>
      )}
      <EmailBody html={message.html} text={message.text} reply={message.reply} label={`Message from ${sender}`} />
      {message.attachments.length > 0 && (
        <ul class="attachments" aria-label="Attachments">
          {message.attachments.map((attachment) => (
            <li key={attachment.key}>
              <button
                type="button"
                class={`small${attachment.quarantined ? ' quarantined' : ''}`}
                onClick={() => (attachment.quarantined ? setConfirming(attachment) : onDownload(attachment))}
              >
                {attachment.quarantined ? '⚠' : '⤓'} {attachment.filename || 'attachment'}{' '}
                <span class="muted">
                  ({fileSize(attachment.size)}
                  {attachment.inline ? ', inline' : ''}
                  {attachment.quarantined ? ', quarantined' : ''})
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {confirming && (
        <div class="callout warn" role="alertdialog" aria-label="Download a quarantined attachment">
          <p>
            SES found a virus in this email. <strong>{confirming.filename}</strong> may harm your computer. Download it anyway?
          </p>
          <button
            type="button"
            class="small"
            onClick={() => {
              onDownload(confirming);
              setConfirming(null);
            }}
          >
            Download anyway
          </button>{' '}
          <button type="button" class="small" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
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

/** What SES's SPF, DKIM and DMARC verdicts prove about the sender: spoofed stands out, unknown stays quiet. */
function SenderCheck({ message }: { message: Message }) {
  const verdict = message.authenticity?.verdict ?? 'unknown';
  const summary = message.authentication ? authenticationSummary(message.authentication) : '';
  const title = [message.authenticity?.reason, summary].filter(Boolean).join(' · ');
  if (verdict === 'fail') {
    return (
      <span class="chip spoofed" title={title}>
        Spoofed sender{summary ? `: ${summary}` : ''}
      </span>
    );
  }
  if (verdict === 'pass') {
    return (
      <span class="chip verified" title={title}>
        Sender verified
      </span>
    );
  }
  return (
    <span class="chip unverified" title={title || 'SES gave no SPF, DKIM or DMARC verdict'}>
      Sender not verified
    </span>
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
