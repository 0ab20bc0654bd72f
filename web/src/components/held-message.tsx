// web: a held message's callout (why it was held, accept or move it) and, once settled, what an agent did with it
import { useState } from 'preact/hooks';
import type { Message } from '../api/types';
import { AgentName } from './agent-name';

const MATCHED_BY: Partial<Record<Message['threadedBy'], string>> = {
  'message-id': 'its In-Reply-To or References (a Message-ID anyone on the thread knows)',
  'subject-tag': 'the ticket number in its subject (which anyone can type)',
};

export interface HeldCalloutProps {
  readonly message: Message;
  /** Settles the message; resolves when the change is done or refused, so the buttons can be used again. */
  readonly onAccept: (message: Message) => Promise<unknown>;
  readonly onMove: (message: Message) => Promise<unknown>;
}

/** Why the desk held this message instead of threading it, with the two ways an agent settles it. */
export function HeldCallout({ message, onAccept, onMove }: HeldCalloutProps) {
  const [busy, setBusy] = useState(false);
  const settle = (action: (message: Message) => Promise<unknown>) => {
    setBusy(true);
    void action(message).finally(() => setBusy(false));
  };
  return (
    <div class="callout held-callout" role="group" aria-label={`Held message from ${message.from.address}`}>
      <p>
        <strong>Held for review.</strong> This email matched the ticket only by {MATCHED_BY[message.threadedBy] ?? message.threadedBy}, but{' '}
        {message.heldReason ?? 'its sender is not trusted on this ticket'}. It reopened nothing and nobody was emailed about it.
      </p>
      <div class="held-actions">
        <button type="button" class="small primary" disabled={busy} onClick={() => settle(onAccept)}>
          Accept into this ticket
        </button>
        <button type="button" class="small" disabled={busy} onClick={() => settle(onMove)}>
          Move to a new ticket
        </button>
        <span class="hint">Accepting makes {message.from.address || 'the sender'} a participant.</span>
      </div>
    </div>
  );
}

/** The line a settled held message keeps: who accepted it, or where it was moved. */
export function HeldResolutionLine({ message, ticketHref }: { message: Message; ticketHref: (ticketId: string) => string }) {
  const resolution = message.heldResolution;
  if (!resolution) return null;
  return (
    <p class="hint held-resolution">
      Was held{message.heldReason ? ` (${message.heldReason})` : ''}.{' '}
      {resolution.action === 'accepted' ? (
        <>
          Accepted by <AgentName address={resolution.by} />.
        </>
      ) : (
        <>
          Moved by <AgentName address={resolution.by} /> to <a href={ticketHref(resolution.ticketId ?? '')}>ticket #{resolution.number}</a>.
        </>
      )}
    </p>
  );
}
