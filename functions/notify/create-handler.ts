// adapter: DynamoDB stream batch → processDelivery per delivery record, with a partial batch response
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { deliveryFromItem } from '../adapters/dynamo-delivery-repository';
import { itemFromStreamImage } from '../adapters/dynamo-table';
import { DELIVERY_ITEM } from '../contracts';
import type { Delivery } from '../core/notify/notify-ports';
import { processDelivery, type NotifyDeps } from '../core/notify/process-delivery';
import { processTableChange } from '../core/workflow/process-table-change';
import type { WorkflowDeps } from '../core/workflow/workflow-ports';
import type { Log } from '../core/ports';
import { deliverWebhook } from '../core/workflow/deliver-webhook';
import { tableChangeOf, webhookToRetry } from './table-change-record';

/** Lease used when no Lambda context tells how long this invocation may still run. */
const DEFAULT_LEASE_MS = 60_000;
/** The claim must outlive this invocation: a crash is then taken over soon after the function's timeout. */
const LEASE_MARGIN_MS = 2_000;

/** The part of the Lambda context the handler uses. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/**
 * The delivery a stream record asks us to send, or null. Only two changes do: a new `pending` delivery, and
 * an agent's retry (`failed → pending`, or a delivery stuck in `sending` after its lease). Everything else on the
 * table, including this function's own status updates and TTL deletions, is ignored.
 */
export function deliveryToSend(record: DynamoDBRecord): Delivery | null {
  const image = (which: 'NewImage' | 'OldImage') => itemFromStreamImage(record.dynamodb?.[which]);
  const next = image('NewImage');
  if (!next || next.type !== DELIVERY_ITEM.type || next.status !== DELIVERY_ITEM.sendableStatus) return null;
  if (record.eventName === 'INSERT') return deliveryFromItem(next);
  const previous = image('OldImage');
  const agentRetry =
    previous?.status === 'failed' || (next.retryRequestedAt !== undefined && next.retryRequestedAt !== previous?.retryRequestedAt);
  if (record.eventName === 'MODIFY' && agentRetry) return deliveryFromItem(next);
  return null;
}

/** Notifications and webhooks of one record: a change to tell about, or a webhook delivery an agent retried. */
async function workflow(deps: WorkflowDeps, record: DynamoDBRecord, leaseMs: number, retry: () => void, log: Log): Promise<void> {
  const change = tableChangeOf(record);
  const webhook = change ? null : webhookToRetry(record);
  if (!change && !webhook) return;
  try {
    const outcome = change ? await processTableChange(deps, change, leaseMs) : await deliverWebhook(deps, webhook!, leaseMs);
    if (outcome === 'retry') retry();
  } catch (error) {
    log.error('change could not be processed; the record will be retried', { source: change?.source, webhook, error: String(error) });
    retry();
  }
}

/**
 * Builds the notify handler. Records are handled in order, each on its own: one that must be retried is
 * reported in `batchItemFailures` (Lambda then resumes from the lowest one, and the records after it find
 * their deliveries already sent), and an error on one record never stops the others.
 */
export const createNotifyHandler =
  (deps: () => Promise<NotifyDeps>) =>
  async (event: DynamoDBStreamEvent, context?: InvocationContext): Promise<DynamoDBBatchResponse> => {
    const resolved = await deps();
    const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records ?? []) {
      const leaseMs = context ? context.getRemainingTimeInMillis() + LEASE_MARGIN_MS : DEFAULT_LEASE_MS;
      const retry = () => batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' });
      const delivery = deliveryToSend(record);
      if (!delivery) {
        if (resolved.workflow) await workflow(resolved.workflow, record, leaseMs, retry, resolved.log);
        continue;
      }
      try {
        if ((await processDelivery(resolved, { delivery, leaseMs })) === 'retry') retry();
      } catch (error) {
        resolved.log.error('delivery could not be processed; the record will be retried', {
          ticketId: delivery.ticketId,
          deliveryId: delivery.id,
          error: String(error),
        });
        retry();
      }
    }
    return { batchItemFailures };
  };
