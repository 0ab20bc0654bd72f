// core: the webhook events a change makes, and one delivery of each to each hook that wants it (pure)
import type { DeskConfig, WebhookConfig } from '../config/desk-config';
import { idFor } from '../ids';
import type { TokenKeys } from '../threading/reply-token';
import type { Mailbox, Ticket, TicketMessage, TicketPriority, TicketStatus } from '../types';
import type { WebhookEventType } from './event-types';
import type { TableChange } from './table-change';

/** What every event says about its ticket. */
export interface WebhookTicket {
  readonly id: string;
  readonly number: number;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly priority: TicketPriority;
  readonly assignee: string | null;
  readonly labels: readonly string[];
  readonly requester: Mailbox;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The ticket in the dashboard. */
  readonly url: string;
}

export interface WebhookMessage {
  readonly id: string;
  readonly direction: TicketMessage['direction'];
  readonly from: Mailbox;
  readonly subject: string;
  readonly text: string;
  readonly reply: string;
  readonly author: string | null;
  readonly createdAt: string;
}

/** One change as POSTed to a webhook (DESIGN.md contract 7): the same `id` on every retry. */
export interface WebhookEvent {
  readonly id: string;
  readonly type: WebhookEventType;
  readonly at: string;
  readonly deskId: string;
  readonly ticket: WebhookTicket;
  readonly message?: WebhookMessage;
  /** `ticket.updated`: each changed field, before and after. */
  readonly changes?: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
  /**
   * `delivery.failed`: the email that could not be delivered; `status` `failed` when it could not be sent, `bounced` when
   * SES had accepted it and it bounced for good later.
   */
  readonly delivery?: { readonly id: string; readonly recipient: string; readonly status: string; readonly error: string | null };
}

/** One event to one configured hook, stored before it is POSTed (see WorkflowRepository). */
export interface NewWebhookDelivery {
  readonly ticketId: string;
  readonly eventId: string;
  readonly eventType: WebhookEventType;
  /** The hook's position in the configuration, and its URL (a changed configuration is noticed, not mis-sent). */
  readonly hookIndex: number;
  readonly url: string;
  /** The exact body: a retry sends the same bytes, so its signature is the same too. */
  readonly body: string;
  readonly createdAt: string;
}

const CHANGED_FIELDS = ['status', 'assignee', 'labels', 'priority'] as const;

/**
 * The events of one change: `ticket.created` (not for spam), `message.received` (inbound mail that is not held:
 * nothing from an unproven sender is sent on), `message.sent` (an agent's public reply), `ticket.updated` with what
 * changed (status, assignee, labels, priority; not activity), `delivery.failed` (customer mail only). Ids are
 * derived from the change, so a redelivered stream record yields the same events.
 * @example webhookEvents({ kind: 'ticket-created', source, ticket }, ticket, { keys, dashboardUrl, now })
 */
export function webhookEvents(
  change: TableChange,
  ticket: Ticket,
  options: { readonly keys: TokenKeys; readonly dashboardUrl: string; readonly now: string },
): WebhookEvent[] {
  const event = (type: WebhookEventType, extra: Partial<WebhookEvent> = {}): WebhookEvent => ({
    id: idFor(options.keys, `event:${change.source}:${type}`),
    type,
    at: options.now,
    deskId: ticket.deskId,
    ticket: ticketView(ticket, options.dashboardUrl),
    ...extra,
  });
  switch (change.kind) {
    case 'ticket-created':
      return ticket.status === 'spam' ? [] : [event('ticket.created')];
    case 'ticket-changed': {
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const field of CHANGED_FIELDS) {
        const from = change.before[field];
        const to = change.after[field];
        if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
      }
      return Object.keys(changes).length > 0 ? [event('ticket.updated', { changes })] : [];
    }
    case 'message-added': {
      const { message } = change;
      if (message.direction === 'inbound' && !message.held && ticket.status !== 'spam') {
        return [event('message.received', { message: messageView(message) })];
      }
      if (message.direction === 'outbound') return [event('message.sent', { message: messageView(message) })];
      return [];
    }
    case 'delivery-failed': {
      const { delivery } = change;
      if (delivery.kind === 'agent-notice') return [];
      return [
        event('delivery.failed', {
          delivery: { id: delivery.id, recipient: delivery.recipient.address, status: delivery.status, error: delivery.lastError },
        }),
      ];
    }
  }
}

/** Each event for each hook that wants its type and desk, with the body in the hook's format. */
export function webhookDeliveries(events: readonly WebhookEvent[], config: Pick<DeskConfig, 'webhooks'>): NewWebhookDelivery[] {
  return events.flatMap((event) =>
    config.webhooks.flatMap((hook, hookIndex) =>
      hook.events.includes(event.type) && (!hook.deskId || hook.deskId === event.deskId)
        ? [
            {
              ticketId: event.ticket.id,
              eventId: event.id,
              eventType: event.type,
              hookIndex,
              url: hook.url,
              body: webhookBody(event, hook),
              createdAt: event.at,
            },
          ]
        : [],
    ),
  );
}

/** The JSON the hook receives: the event, or `{ text }` for a Slack incoming webhook. */
export function webhookBody(event: WebhookEvent, hook: Pick<WebhookConfig, 'format'>): string {
  if (hook.format !== 'slack') return JSON.stringify(event);
  return JSON.stringify({ text: slackText(event) });
}

const SLACK_TITLES: Record<WebhookEventType, string> = {
  'ticket.created': 'New ticket',
  'message.received': 'Customer reply',
  'message.sent': 'Agent reply',
  'ticket.updated': 'Ticket updated',
  'delivery.failed': 'Delivery failed',
};

/** Slack's mrkdwn: `&`, `<` and `>` escaped so a subject cannot make a link or a mention. */
function slackText(event: WebhookEvent): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const changes = event.changes
    ? ` (${Object.entries(event.changes)
        .map(([field, c]) => `${field}: ${escape(JSON.stringify(c.from))} → ${escape(JSON.stringify(c.to))}`)
        .join(', ')})`
    : '';
  return `${SLACK_TITLES[event.type]}: <${event.ticket.url}|#${event.ticket.number} ${escape(event.ticket.subject)}>${changes}`;
}

function ticketView(ticket: Ticket, dashboardUrl: string): WebhookTicket {
  return {
    id: ticket.id,
    number: ticket.number,
    subject: ticket.subject,
    status: ticket.status,
    priority: ticket.priority,
    assignee: ticket.assignee,
    labels: ticket.labels,
    requester: ticket.requester,
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
    url: `${dashboardUrl.replace(/\/+$/, '')}/#/tickets/${ticket.id}`,
  };
}

function messageView(message: TicketMessage): WebhookMessage {
  return {
    id: message.id,
    direction: message.direction,
    from: message.from,
    subject: message.subject,
    text: message.text,
    reply: message.reply,
    author: message.author,
    createdAt: message.createdAt,
  };
}
