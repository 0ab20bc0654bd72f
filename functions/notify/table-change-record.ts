// adapter: a DynamoDB stream record → the table change the workflow reacts to (or null)
import type { DynamoDBRecord } from 'aws-lambda';
import { deliveryFromItem } from '../adapters/dynamo-delivery-repository';
import { messageFromItem, ticketFromItem } from '../adapters/dynamo-items';
import { itemFromStreamImage } from '../adapters/dynamo-table';
import { failedForGood } from '../core/notify/delivery-marks';
import type { TableChange } from '../core/workflow/table-change';
import type { WebhookKey } from '../core/workflow/workflow-ports';

/**
 * The change a record reports: a ticket created or changed, a message added, a delivery that just failed or bounced. Its `source`
 * is built from the item (ids, version), never from the record's own id, so the same change always has the same name.
 */
export function tableChangeOf(record: DynamoDBRecord): TableChange | null {
  const next = itemFromStreamImage(record.dynamodb?.NewImage);
  const previous = itemFromStreamImage(record.dynamodb?.OldImage);
  if (!next) return null;
  if (next.type === 'ticket') {
    const ticket = ticketFromItem(next);
    if (record.eventName === 'INSERT') return { kind: 'ticket-created', source: `ticket:${ticket.id}:created`, ticket };
    if (record.eventName === 'MODIFY' && previous?.type === 'ticket') {
      return { kind: 'ticket-changed', source: `ticket:${ticket.id}:v${ticket.version}`, before: ticketFromItem(previous), after: ticket };
    }
    return null;
  }
  if (next.type === 'message' && record.eventName === 'INSERT') {
    const message = messageFromItem(next);
    return { kind: 'message-added', source: `message:${message.ticketId}:${message.id}`, message };
  }
  if (next.type === 'delivery' && record.eventName === 'MODIFY' && previous?.status !== next.status) {
    const delivery = deliveryFromItem(next);
    // Failed for good when sending (`failed`), or bounced for good after SES had accepted it (`bounced`).
    if (!failedForGood(delivery.status)) return null;
    return {
      kind: 'delivery-failed',
      source: `delivery:${delivery.ticketId}:${delivery.id}:${delivery.status}:${delivery.updatedAt}`,
      delivery,
    };
  }
  return null;
}

/** The webhook delivery an agent retried (`failed → pending`), or null. */
export function webhookToRetry(record: DynamoDBRecord): WebhookKey | null {
  const next = itemFromStreamImage(record.dynamodb?.NewImage);
  const previous = itemFromStreamImage(record.dynamodb?.OldImage);
  if (record.eventName !== 'MODIFY' || next?.type !== 'webhook' || next.status !== 'pending' || previous?.status !== 'failed') return null;
  return { ticketId: next.ticketId as string, eventId: next.eventId as string, hookIndex: next.hookIndex as number };
}
