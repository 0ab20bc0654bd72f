// core: how a ticket changes when a message lands on it (pure; used by ingest and the dashboard API alike)
import { normalizeMessageId } from '../ids';
import type { Classification, Ticket, TicketMessage, TicketStatus } from '../types';
import { previewOf } from './preview';

/** Keep References short enough for a header while still chaining the thread's start and its latest mail. */
export const MAX_THREAD_IDS = 20;

export interface MessageEffect {
  /** The status after the message; unchanged when absent. */
  readonly status?: TicketStatus;
  /** False for system notes (someone added or removed) that should not replace the inbox preview. */
  readonly updatesPreview?: boolean;
  /**
   * False for inbound mail that is not part of the conversation (a held message, a bounce): its Message-ID stays out of
   * the References of our outgoing mail.
   */
  readonly threads?: boolean;
}

/**
 * The ticket after one more message: newer activity, one more message, the next version, and, for inbound
 * mail, its Message-ID appended to the thread so outgoing mail can chain References.
 * @example const after = ticketAfterMessage(before, message, { status: 'open' })
 */
export function ticketAfterMessage(ticket: Ticket, message: TicketMessage, effect: MessageEffect = {}): Ticket {
  const updatedAt = message.createdAt > ticket.updatedAt ? message.createdAt : ticket.updatedAt;
  return {
    ...ticket,
    status: effect.status ?? ticket.status,
    updatedAt,
    messageCount: ticket.messageCount + 1,
    threadMessageIds:
      message.direction === 'inbound' && effect.threads !== false
        ? appendThreadId(ticket.threadMessageIds, message.messageId)
        : ticket.threadMessageIds,
    preview: effect.updatesPreview === false ? ticket.preview : previewOf(message),
    version: ticket.version + 1,
  };
}

/** A customer's mail reopens a closed or pending ticket; an auto-reply, bounce or complaint never changes the status. */
export function statusAfterInbound(current: TicketStatus, classification: Classification): TicketStatus {
  if (classification.kind !== 'normal') return current;
  return current === 'closed' || current === 'pending' ? 'open' : current;
}

/** Appends a Message-ID, keeping the thread's first id and its latest ones within {@link MAX_THREAD_IDS}. */
export function appendThreadId(ids: readonly string[], messageId: string): string[] {
  const all = [...ids, normalizeMessageId(messageId)];
  return all.length > MAX_THREAD_IDS ? [all[0]!, ...all.slice(-(MAX_THREAD_IDS - 1))] : all;
}
