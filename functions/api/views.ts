// adapter: the JSON shapes the dashboard API answers with (docs/api.md), cut from the core's objects
import type { TicketDetail } from '../core/api/ticket-queries';
import type { Delivery } from '../core/notify/notify-ports';
import type { Ticket, TicketMessage } from '../core/types';

/** A ticket without its internal thread bookkeeping; `version` stays so a client can send it back. */
export function ticketView(ticket: Ticket) {
  const { threadMessageIds: _ids, ...view } = ticket;
  void _ids;
  return view;
}

/** A message without its storage keys. */
export function messageView(message: TicketMessage) {
  const { bodyKey: _bodyKey, rawKey: _rawKey, ticketId: _ticketId, ...view } = message;
  void _bodyKey;
  void _rawKey;
  void _ticketId;
  return view;
}

/** A delivery's state, without the copy of the email it carries. */
export function deliveryView(delivery: Delivery) {
  return {
    id: delivery.id,
    kind: delivery.kind,
    recipient: delivery.recipient,
    status: delivery.status,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    leaseUntil: delivery.leaseUntil ?? null,
    messageItemId: delivery.messageItemId,
    createdAt: delivery.createdAt,
    updatedAt: delivery.updatedAt,
  };
}

export function ticketDetailView(detail: TicketDetail) {
  const { messages, deliveries, addressStates, ...ticket } = detail;
  return { ...ticketView(ticket), messages: messages.map(messageView), deliveries: deliveries.map(deliveryView), addressStates };
}

/** The tiny page an unsubscribe link answers with; every dynamic part is escaped. */
export function htmlPage(title: string, text: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`;
}
