// adapter: DeliveryRepository on the DynamoDB table: conditional claims, sent records, bounces, unsubscribes
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { NotFoundError } from '../core/errors';
import type {
  AddressFeedback,
  ClaimRequest,
  ClaimResult,
  Delivery,
  DeliveryRepository,
  DeliveryStatus,
  SentRecord,
  SuppressionReason,
} from '../core/notify/notify-ports';
import { addressFeedbackUpdate, deliveryBouncedUpdate, itemFields, keys, type Item, type TransactItem } from './dynamo-items';

/** A claim can be taken from a waiting delivery, or from a `sending` one whose holder stopped renewing (crashed). */
const CLAIMABLE = '(#status = :pending OR (#status = :sending AND leaseUntil < :now))';
const CLAIMABLE_VALUES = { ':pending': 'pending', ':sending': 'sending' };
/** The position of each check in the claim transaction, to tell which one failed. */
const BLOCKED_BY: Record<number, SuppressionReason> = { 1: 'undeliverable', 2: 'unsubscribed', 3: 'rate-limited' };

/** Reads a delivery item (a stream image or a GetItem result) back into a Delivery. */
export function deliveryFromItem(item: Item): Delivery {
  const delivery = itemFields(item) as unknown as Delivery;
  return { ...delivery, attempts: delivery.attempts ?? 0, lastError: delivery.lastError ?? null };
}

/**
 * The DynamoDB implementation of DeliveryRepository. A sent email costs two requests: the claim transaction
 * and the transaction recording it; every write after the claim is conditional on the claim id, so an
 * invocation that lost its lease cannot overwrite the one that took over.
 */
export class DynamoDeliveryRepository implements DeliveryRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const { delivery } = request;
    const address = delivery.recipient.address.toLowerCase();
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.delivery(delivery.ticketId, delivery.id),
          UpdateExpression: 'SET #status = :sending, leaseUntil = :lease, claimId = :claim, updatedAt = :now ADD attempts :one',
          ConditionExpression: CLAIMABLE,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...CLAIMABLE_VALUES,
            ':now': request.now,
            ':lease': request.leaseUntil,
            ':claim': request.claimId,
            ':one': 1,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        // A missing address item is deliverable; a transient bounce leaves `state` unset.
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.address(address),
          ConditionExpression: 'attribute_not_exists(#state) OR NOT (#state IN (:undeliverable, :complained))',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':undeliverable': 'undeliverable', ':complained': 'complained' },
        },
      },
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.ticket(delivery.ticketId),
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(unsubscribed, :address)',
          ExpressionAttributeValues: { ':address': address },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ];
    if (request.rate) {
      items.push({
        // One counter per address and day; the condition is what stops two auto-responders ping-ponging.
        Update: {
          TableName: this.tableName,
          Key: keys.rate(address, request.rate.day),
          UpdateExpression: 'SET #type = :type, address = :address, expiresAt = :ttl ADD #count :one',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#type': 'type', '#count': 'count' },
          ExpressionAttributeValues: {
            ':type': 'rate',
            ':address': address,
            ':ttl': request.rate.expiresAt,
            ':one': 1,
            ':limit': request.rate.limit,
          },
        },
      });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { kind: 'claimed' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (failed < 0) throw error;
      if (failed === 0) {
        const old = reasons[0]?.Item ? unmarshall(reasons[0].Item) : null;
        return {
          kind: 'taken',
          status: (old?.status as DeliveryStatus | undefined) ?? null,
          leaseUntil: (old?.leaseUntil as string | undefined) ?? null,
        };
      }
      // The ticket is gone: nothing to send, and nothing to record it on.
      if (failed === 2 && !reasons[2]?.Item) return { kind: 'taken', status: null, leaseUntil: null };
      return { kind: 'blocked', reason: BLOCKED_BY[failed] ?? 'undeliverable' };
    }
  }

  async isClaimedBy(ticketId: string, deliveryId: string, claimId: string): Promise<boolean> {
    const { Item: item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.delivery(ticketId, deliveryId), ConsistentRead: true }),
    );
    return item?.status === 'sending' && item.claimId === claimId;
  }

  async markSent(record: SentRecord): Promise<boolean> {
    const messageIdPuts: TransactItem[] = record.messageIds.map((id) => ({
      // Unconditional: the ids are ours and unique, and writing the same target twice changes nothing.
      Put: {
        TableName: this.tableName,
        Item: { ...keys.messageId(id), type: 'msgid', ticketId: record.ticketId, deliveryId: record.deliveryId },
      },
    }));
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.delivery(record.ticketId, record.deliveryId),
                UpdateExpression:
                  'SET #status = :sent, sesMessageId = :ses, messageIds = :ids, sentAt = :at, updatedAt = :at, lastError = :null REMOVE leaseUntil',
                ConditionExpression: 'claimId = :claim',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':sent': 'sent',
                  ':ses': record.sesMessageId,
                  ':ids': record.messageIds,
                  ':at': record.at,
                  ':null': null,
                  ':claim': record.claimId,
                },
              },
            },
            ...messageIdPuts,
          ],
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || error.CancellationReasons?.[0]?.Code !== 'ConditionalCheckFailed')
        throw error;
      // The claim was taken over, but this email did go out: replies to it must still find the ticket.
      await this.client.send(new TransactWriteCommand({ TransactItems: messageIdPuts }));
      return false;
    }
  }

  async release(delivery: Delivery, claimId: string, error: string, at: string, maxAttempts: number): Promise<'released' | 'exhausted'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.delivery(delivery.ticketId, delivery.id),
          UpdateExpression: 'SET #status = :pending, lastError = :error, updatedAt = :at REMOVE leaseUntil',
          ConditionExpression: 'claimId = :claim AND attempts < :max',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':error': error, ':at': at, ':claim': claimId, ':max': maxAttempts },
        }),
      );
      return 'released';
    } catch (failure) {
      if (!(failure instanceof ConditionalCheckFailedException)) throw failure;
      await this.markFailed(delivery, claimId, `${error} (gave up after ${maxAttempts} attempts)`, at);
      return 'exhausted';
    }
  }

  async markFailed(delivery: Delivery, claimId: string, error: string, at: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.delivery(delivery.ticketId, delivery.id),
          UpdateExpression: 'SET #status = :failed, lastError = :error, updatedAt = :at REMOVE leaseUntil',
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':error': error, ':at': at, ':claim': claimId },
        }),
      );
    } catch (failure) {
      // Another invocation took the claim over; its outcome stands.
      if (!(failure instanceof ConditionalCheckFailedException)) throw failure;
    }
  }

  async markSuppressed(delivery: Delivery, reason: SuppressionReason, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.delivery(delivery.ticketId, delivery.id),
          UpdateExpression: 'SET #status = :suppressed, lastError = :reason, updatedAt = :at',
          ConditionExpression: CLAIMABLE,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...CLAIMABLE_VALUES, ':suppressed': 'suppressed', ':reason': reason, ':at': at, ':now': at },
        }),
      );
      return true;
    } catch (failure) {
      if (!(failure instanceof ConditionalCheckFailedException)) throw failure;
      return false;
    }
  }

  async findByMessageId(normalizedId: string): Promise<{ ticketId: string; deliveryId: string | null } | null> {
    const { Item: item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.messageId(normalizedId) }));
    if (!item) return null;
    return { ticketId: item.ticketId as string, deliveryId: (item.deliveryId as string | null | undefined) ?? null };
  }

  async recordFeedback(
    feedback: readonly AddressFeedback[],
    delivery: { ticketId: string; deliveryId: string } | null,
    at: string,
    reason: string,
  ): Promise<void> {
    const items = feedback.slice(0, 50).map((entry) => addressFeedbackUpdate(this.tableName, entry, at));
    if (delivery) items.push(deliveryBouncedUpdate(this.tableName, delivery, reason, at));
    if (items.length > 0) await this.client.send(new TransactWriteCommand({ TransactItems: items }));
  }

  async unsubscribeParticipant(ticketId: string, address: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.ticket(ticketId),
          // A string set: adding an address twice is a no-op, so a second click changes nothing.
          UpdateExpression: 'ADD unsubscribed :address',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':address': new Set([address.trim().toLowerCase()]) },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new NotFoundError(`ticket ${ticketId} does not exist`, { cause: error });
      throw error;
    }
  }
}
