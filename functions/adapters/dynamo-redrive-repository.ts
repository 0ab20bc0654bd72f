// adapter: RedriveRepository on the single table: a filtered scan for unsent deliveries, a conditional re-send request
import { DELIVERY_ITEM, keys } from '../contracts';
import type { RedriveRepository, UnsentDelivery } from '../core/notify/redrive';
import { ConditionFailedError, type DynamoTable } from './dynamo-table';

/** The DynamoDB implementation of RedriveRepository (for `sesdesk redrive`, never a request path). */
export class DynamoRedriveRepository implements RedriveRepository {
  constructor(private readonly table: DynamoTable) {}

  async *unsent(): AsyncIterable<UnsentDelivery> {
    const items = this.table.scan({
      FilterExpression: '#type = :delivery AND #status IN (:pending, :sending)',
      ProjectionExpression: 'ticketId, id, #status, updatedAt, leaseUntil',
      ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
      ExpressionAttributeValues: { ':delivery': DELIVERY_ITEM.type, ':pending': 'pending', ':sending': 'sending' },
    });
    for await (const item of items) {
      yield {
        ticketId: item.ticketId as string,
        deliveryId: item.id as string,
        status: item.status as UnsentDelivery['status'],
        updatedAt: item.updatedAt as string,
        leaseUntil: (item.leaseUntil as string | undefined) ?? null,
      };
    }
  }

  async requestSend(delivery: UnsentDelivery, at: string, cutoff: string): Promise<boolean> {
    try {
      await this.table.update('delivery', {
        Key: keys.delivery(delivery.ticketId, delivery.deliveryId),
        // `retryRequestedAt` is what tells notify that this change to `pending` asks for a send (see deliveryToSend).
        UpdateExpression: 'SET #status = :pending, retryRequestedAt = :at, updatedAt = :at REMOVE leaseUntil',
        ConditionExpression: '(#status = :pending AND updatedAt <= :cutoff) OR (#status = :sending AND leaseUntil < :at)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':at': at, ':cutoff': cutoff },
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionFailedError) return false;
      throw error;
    }
  }
}
