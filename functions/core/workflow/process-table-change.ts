// core: use case: one table change → the team notifications and webhook events it makes, each exactly once
import type { NewDelivery } from '../ports';
import type { Ticket } from '../types';
import { decideAgentNotices, noticeDeliveries, type NoticeContext } from './agent-notices';
import { deliverWebhook } from './deliver-webhook';
import type { TableChange } from './table-change';
import { webhookDeliveries, webhookEvents, type NewWebhookDelivery } from './webhook-events';
import type { WorkflowDeps } from './workflow-ports';

/** `retry`: a webhook of this change is in flight elsewhere; the stream record should come again. */
export type ChangeOutcome = 'done' | 'retry';

/**
 * Handles one change from the table's stream:
 *
 * 1. reads the ticket (the change carries it, except for messages and deliveries), the desk's settings and, only when
 *    someone could be notified, those team members' preferences;
 * 2. decides the notifications (`decideAgentNotices`) and webhook events (`webhookEvents`), with ids derived from the
 *    change, and stores them all, each only if new: a redelivered record stores nothing twice;
 * 3. POSTs this change's webhook deliveries in order (`deliverWebhook`): ones already sent are skipped.
 *
 * The notification deliveries are ordinary delivery items: their INSERT reaches `processDelivery`, which mails them.
 * @example await processTableChange(deps, { kind: 'message-added', source, message }, 60_000)
 */
export async function processTableChange(deps: WorkflowDeps, change: TableChange, leaseMs: number): Promise<ChangeOutcome> {
  const ticket = await ticketOf(deps, change);
  if (!ticket) {
    deps.log.info('change of a ticket that no longer exists: nothing to tell', { source: change.source });
    return 'done';
  }
  const now = deps.clock().toISOString();
  const deliveries = await notices(deps, change, ticket, now);
  const events = webhookEvents(change, ticket, { keys: deps.tokenKeys, dashboardUrl: deps.config.dashboardUrl, now });
  const webhooks: NewWebhookDelivery[] = webhookDeliveries(events, deps.config);
  if (deliveries.length === 0 && webhooks.length === 0) return 'done';
  await deps.repository.recordOutgoing(deliveries, webhooks);
  if (deliveries.length > 0) {
    deps.log.info('team notification queued', {
      ticketId: ticket.id,
      source: change.source,
      recipients: deliveries.map((d) => d.recipient.address),
    });
  }
  for (const webhook of webhooks) {
    const outcome = await deliverWebhook(deps, webhook, leaseMs);
    // Later events of the ticket wait for this one: receivers get a ticket's events in order.
    if (outcome === 'retry') return 'retry';
  }
  return 'done';
}

async function ticketOf(deps: WorkflowDeps, change: TableChange): Promise<Ticket | null> {
  switch (change.kind) {
    case 'ticket-created':
      return change.ticket;
    case 'ticket-changed':
      return change.after;
    case 'message-added':
      return deps.repository.getTicket(change.message.ticketId);
    case 'delivery-failed':
      return deps.repository.getTicket(change.delivery.ticketId);
  }
}

/** The notification deliveries; preferences are read only when the change would notify someone at all. */
async function notices(deps: WorkflowDeps, change: TableChange, ticket: Ticket, now: string): Promise<NewDelivery[]> {
  const settings = await deps.settings(ticket.deskId);
  const context: NoticeContext = { ticket, team: deps.config.team, notifyTeam: settings.notifyTeam, preferences: new Map() };
  const everyone = decideAgentNotices(change, context);
  if (everyone.length === 0) return [];
  const preferences = await deps.repository.getPreferences(everyone.map((n) => n.recipient.email));
  const wanted = decideAgentNotices(change, { ...context, preferences });
  return noticeDeliveries(wanted, change, ticket, { keys: deps.tokenKeys, domain: deps.config.domain, now });
}
