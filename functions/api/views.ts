// adapter: the JSON shapes the dashboard API answers with (docs/api.md), cut from the core's objects
import type { TicketDetail } from '../core/api/ticket-queries';
import { neutralizeBidi } from '../core/email/display-names';
import type { Delivery } from '../core/notify/notify-ports';
import type { Ticket, TicketMessage } from '../core/types';

/** A ticket without its internal thread bookkeeping; `version` stays so a client can send it back. */
export function ticketView(ticket: Ticket) {
  const { threadMessageIds: _ids, ...view } = ticket;
  void _ids;
  return view;
}

/**
 * A message without its storage keys; `held` always present (older items lack it), attachment names with bidi controls
 * neutralised (items stored before ingest did so).
 */
export function messageView(message: TicketMessage) {
  const { bodyKey: _bodyKey, rawKey: _rawKey, ticketId: _ticketId, ...view } = message;
  void _bodyKey;
  void _rawKey;
  void _ticketId;
  return {
    ...view,
    held: message.held === true,
    attachments: message.attachments.map((a) => ({ ...a, filename: neutralizeBidi(a.filename) })),
  };
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

/**
 * The tiny page an unsubscribe link answers with, optionally with a one-button form that POSTs to `action`; every
 * dynamic part is escaped.
 */
export function htmlPage(title: string, text: string, form?: { readonly action: string; readonly button: string }): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const confirm = form
    ? `<form method="post" action="${escape(form.action)}"><button type="submit">${escape(form.button)}</button></form>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(text)}</p>${confirm}</body></html>`;
}
