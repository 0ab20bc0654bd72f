// web: one message of the thread: who, when, how it was threaded, its body, attachments and email deliveries
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Delivery, Message, StoredAttachment } from '../api/types';
import { canRetry } from '../../../functions/core/notify/delivery-marks';
import { useApp } from '../app-context';
import { authenticationSummary, fileSize, fullTime, mailboxLabel, relativeTime, threadedByLabel } from '../lib/format';
import { agentName } from '../lib/team';
import { AgentName } from './agent-name';
import { EmailBody } from './email-body';
import { HeldCallout, HeldResolutionLine } from './held-message';
import { MarkdownBody } from './markdown-preview';

const DIRECTION_LABEL: Record<Message['direction'], string> = {
  inbound: 'Customer email',
  outbound: 'Reply',
  note: 'Internal note: not sent',
};

/** Entries the desk wrote about a change: labelled for the change, whatever was emailed shows in its deliveries. */
const EVENT_LABEL: Record<NonNullable<Message['event']>, string> = {
  'participant-added': 'Participant added',
  'participant-removed': 'Participant removed',
};

const DELIVERY_KIND: Record<Delivery['kind'], string> = {
  ack: 'Acknowledgement',
  reply: 'Reply',
  'participant-added': '"You were added" notice',
  relay: 'Relayed to another participant',
  'agent-notice': 'Team notification',
};

export interface MessageViewProps {
  readonly message: Message;
  /** Arrived after the agent started writing (shown after the API refused their reply as outdated). */
  readonly fresh?: boolean;
  readonly deliveries: readonly Delivery[];
  readonly now: number;
  /** Downloads an attachment; a quarantined one only after the agent confirmed here. */
  readonly onDownload: (attachment: StoredAttachment) => void;
  readonly onRetry: (delivery: Delivery) => void;
  /** Settles a held message: into this ticket, or out to a new ticket of its sender. */
  readonly onAccept: (message: Message) => Promise<unknown>;
  readonly onMove: (message: Message) => Promise<unknown>;
  /**
   * Splits an inbound message off into a new ticket of its sender, acknowledging them if asked. Absent for the ticket's
   * opening message: splitting that off would only copy the ticket.
   */
  readonly onSplit?: (message: Message, acknowledge: boolean) => Promise<unknown>;
  /** The ticket page's link for a ticket id. */
  readonly ticketHref: (ticketId: string) => string;
  /** A short-lived URL of a stored part, for `cid:` images in the mail's HTML. */
  readonly partUrl?: (attachment: StoredAttachment) => Promise<string>;
}

/** Renders a message as an article; inbound, outbound and notes are styled apart, a held message stands out. */
export function MessageView({
  message,
  fresh = false,
  deliveries,
  now,
  onDownload,
  onRetry,
  onAccept,
  onMove,
  onSplit,
  ticketHref,
  partUrl,
}: MessageViewProps) {
  const { team } = useApp();
  const headingId = `msg-${message.id}`;
  const sender = message.direction === 'inbound' || !message.author ? mailboxLabel(message.from) : agentName(team, message.author);
  const kind = message.classification?.kind;
  const style = message.event ? 'event' : message.direction;
  const [confirming, setConfirming] = useState<StoredAttachment | null>(null);
  return (
    <article class={`message ${style}${message.held ? ' held' : ''}${fresh ? ' fresh' : ''}`} aria-labelledby={headingId}>
      <header>
        <h3 id={headingId}>
          <span class="who" title={message.direction === 'inbound' ? undefined : (message.author ?? undefined)}>
            {sender}
          </span>
          <span class={`chip direction-${style}`}>{message.event ? EVENT_LABEL[message.event] : DIRECTION_LABEL[message.direction]}</span>
          {fresh && <span class="chip new">New</span>}
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
      {message.held && <HeldCallout message={message} onAccept={onAccept} onMove={onMove} />}
      <HeldResolutionLine message={message} ticketHref={ticketHref} />
      {message.movedFrom && (
        <p class="hint">
          Moved here from <a href={ticketHref(message.movedFrom.ticketId)}>ticket #{message.movedFrom.number}</a>
          {message.heldReason ? ', where it was held.' : '.'}
        </p>
      )}
      {message.splitInto && (
        <p class="hint split-into">
          Split off by <AgentName address={message.splitInto.by} /> into{' '}
          <a href={ticketHref(message.splitInto.ticketId)}>ticket #{message.splitInto.number}</a>.
        </p>
      )}
      {message.notices && message.notices.length > 0 && (
        <ul class="callout warn notices" aria-label="Notices">
          {message.notices.map((notice) => (
            <li key={notice}>{notice}</li>
          ))}
        </ul>
      )}
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
        <MarkdownBody markdown={message.text} />
      )}
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
      {onSplit && message.direction === 'inbound' && !message.held && !message.splitInto && (
        <SplitAction message={message} onSplit={onSplit} />
      )}
      {confirming && (
        <QuarantineConfirm
          attachment={confirming}
          onConfirm={() => {
            onDownload(confirming);
            setConfirming(null);
          }}
          onCancel={() => setConfirming(null)}
        />
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

/** Asks before a quarantined part is fetched at all; Cancel has the focus, so Enter does not download it. */
function QuarantineConfirm(props: { attachment: StoredAttachment; onConfirm: () => void; onCancel: () => void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), [props.attachment.key]);
  return (
    <div class="callout warn quarantine-confirm" role="alertdialog" aria-label="Download a quarantined attachment">
      <p>
        SES found a virus in this email, so its attachments are quarantined. <strong>{props.attachment.filename || 'attachment'}</strong>{' '}
        may harm your computer. Download it anyway?
      </p>
      <button type="button" class="small danger" onClick={props.onConfirm}>
        Download anyway
      </button>{' '}
      <button type="button" class="small" ref={cancel} onClick={props.onCancel}>
        Cancel
      </button>
    </div>
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

/** One outgoing email's state, with Retry when it failed, bounced or was complained about, or was left sending after its lease. */
export function DeliveryRow({ delivery, onRetry }: { delivery: Delivery; onRetry: (delivery: Delivery) => void }) {
  const { team } = useApp();
  const recipient = typeof delivery.recipient === 'string' ? delivery.recipient : delivery.recipient.address;
  return (
    <li class={`delivery ${delivery.status}`} data-status={delivery.status}>
      <span>
        {DELIVERY_KIND[delivery.kind]} to <span title={recipient}>{agentName(team, recipient)}</span>:
      </span>{' '}
      <span class={`chip delivery-${delivery.status}`}>{delivery.status}</span>
      {delivery.lastError && <span class="reason"> {delivery.lastError}</span>}
      {canRetry(delivery, new Date().toISOString()) && (
        <button type="button" class="small" onClick={() => onRetry(delivery)}>
          Retry
        </button>
      )}
    </li>
  );
}

/** "Split into new ticket": asks once whether to acknowledge the sender, then opens a ticket of theirs with this mail. */
function SplitAction({ message, onSplit }: { message: Message; onSplit: NonNullable<MessageViewProps['onSplit']> }) {
  const [asking, setAsking] = useState(false);
  const [acknowledge, setAcknowledge] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <div class="split-action">
        <button type="button" class="small" onClick={() => setAsking(true)}>
          Split into new ticket
        </button>
      </div>
    );
  }
  const split = () => {
    setBusy(true);
    void onSplit(message, acknowledge).finally(() => setBusy(false));
  };
  return (
    <div class="split-action callout" role="group" aria-label={`Split the message from ${message.from.address}`}>
      <p>A new ticket of {message.from.address} opens with this email; later replies to it go there. Both tickets get a note.</p>
      <label>
        <input type="checkbox" checked={acknowledge} onChange={(e) => setAcknowledge(e.currentTarget.checked)} /> Send them the
        acknowledgement of a new ticket
      </label>
      <button type="button" class="small primary" disabled={busy} onClick={split}>
        Split
      </button>
      <button type="button" class="small" disabled={busy} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </div>
  );
}
