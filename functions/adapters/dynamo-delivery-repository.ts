// adapter: DeliveryRepository on the single table: conditional claims, sent records, bounces, unsubscribes
import { keys } from '../contracts';
import { ConcurrentUpdateError, NotFoundError } from '../core/errors';
import type { AddressFeedback } from '../core/feedback/address-feedback';
import type {
  ClaimRequest,
  ClaimResult,
  Delivery,
  DeliveryRepository,
  DeliveryStatus,
  LateEndWrite,
  SentRecord,
  SuppressionReason,
  TicketMark,
} from '../core/notify/notify-ports';
import {
  addressFeedbackUpdate,
  failedDeliveriesMark,
  failedDeliveryTermPut,
  itemFields,
  lateEndItems,
  messageIdItem,
} from './dynamo-items';
import { ConditionFailedError, type DynamoTable, type Item, type NamedItem, type TableWrite } from './dynamo-table';

/** A claim can be taken from a waiting delivery, or from a `sending` one whose holder stopped renewing (crashed). */
const CLAIMABLE = '(#status = :pending OR (#status = :sending AND leaseUntil < :now))';
const CLAIMABLE_VALUES = { ':pending': 'pending', ':sending': 'sending' };
/** What each check of the claim transaction guards. */
const BLOCKED_BY: Record<string, SuppressionReason> = { address: 'undeliverable', ticket: 'unsubscribed', rate: 'rate-limited' };

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
  constructor(private readonly table: DynamoTable) {}

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const { delivery } = request;
    const address = delivery.recipient.address.toLowerCase();
    const items: NamedItem[] = [
      {
        name: 'delivery',
        write: {
          Update: {
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
      },
      {
        // A missing address item is deliverable; a transient bounce leaves `state` unset.
        name: 'address',
        write: {
          ConditionCheck: {
            Key: keys.address(address),
            ConditionExpression: 'attribute_not_exists(#state) OR NOT (#state IN (:undeliverable, :complained))',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':undeliverable': 'undeliverable', ':complained': 'complained' },
          },
        },
      },
      {
        name: 'ticket',
        write: {
          ConditionCheck: {
            Key: keys.ticket(delivery.ticketId),
            ConditionExpression: 'attribute_exists(pk) AND NOT contains(unsubscribed, :address)',
            ExpressionAttributeValues: { ':address': address },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      },
    ];
    if (request.rate) {
      items.push({
        // One counter per address and window (its kind and period); the condition is what stops two auto-responders ping-ponging.
        name: 'rate',
        write: {
          Update: {
            Key: keys.rate(address, request.rate.window),
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
        },
      });
    }
    try {
      await this.table.transact(items);
      return { kind: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      if (error.failed('delivery')) {
        const old = error.oldItems.get('delivery');
        return {
          kind: 'taken',
          status: (old?.status as DeliveryStatus | undefined) ?? null,
          leaseUntil: (old?.leaseUntil as string | undefined) ?? null,
        };
      }
      // The ticket is gone: nothing to send, and nothing to record it on.
      if (error.failed('ticket') && !error.oldItems.has('ticket')) return { kind: 'taken', status: null, leaseUntil: null };
      return { kind: 'blocked', reason: BLOCKED_BY[error.names[0]!] ?? 'undeliverable' };
    }
  }

  async isClaimedBy(ticketId: string, deliveryId: string, claimId: string): Promise<boolean> {
    const item = await this.table.get(keys.delivery(ticketId, deliveryId));
    return item?.status === 'sending' && item.claimId === claimId;
  }

  async markSent(record: SentRecord): Promise<boolean> {
    const messageIdPuts: NamedItem[] = record.messageIds.map((id) => ({
      // Unconditional: the ids are ours and unique, and writing the same target twice changes nothing.
      name: `message-id ${id}`,
      write: { Put: { Item: messageIdItem(id, record.ticketId, record.deliveryId, record.recipient) } },
    }));
    try {
      await this.table.transact([
        {
          name: 'delivery',
          write: {
            Update: {
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
        },
        ...messageIdPuts,
      ]);
      return true;
    } catch (error) {
      if (!(error instanceof ConditionFailedError) || !error.failed('delivery')) throw error;
      // The claim was taken over, but this email did go out: replies to it must still find the ticket.
      await this.table.transact(messageIdPuts);
      return false;
    }
  }

  async release(delivery: Delivery, claimId: string, error: string, at: string, maxAttempts: number): Promise<boolean> {
    return this.ifStillClaimed(() =>
      this.table.update('delivery', {
        Key: keys.delivery(delivery.ticketId, delivery.id),
        UpdateExpression: 'SET #status = :pending, lastError = :error, updatedAt = :at REMOVE leaseUntil',
        ConditionExpression: 'claimId = :claim AND attempts < :max',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':error': error, ':at': at, ':claim': claimId, ':max': maxAttempts },
      }),
    );
  }

  async markFailed(delivery: Delivery, claimId: string, error: string, at: string, mark: TicketMark): Promise<void> {
    // Another invocation that took the claim over decides the outcome then.
    await this.ifStillClaimed(() =>
      this.endUnsent(delivery, mark, {
        Key: keys.delivery(delivery.ticketId, delivery.id),
        UpdateExpression: 'SET #status = :failed, lastError = :error, updatedAt = :at REMOVE leaseUntil',
        ConditionExpression: 'claimId = :claim',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed', ':error': error, ':at': at, ':claim': claimId },
      }),
    );
  }

  async markSuppressed(delivery: Delivery, reason: SuppressionReason, at: string, mark: TicketMark): Promise<boolean> {
    return this.ifStillClaimed(() =>
      this.endUnsent(delivery, mark, {
        Key: keys.delivery(delivery.ticketId, delivery.id),
        UpdateExpression: 'SET #status = :suppressed, lastError = :reason, updatedAt = :at',
        ConditionExpression: CLAIMABLE,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...CLAIMABLE_VALUES, ':suppressed': 'suppressed', ':reason': reason, ':at': at, ':now': at },
      }),
    );
  }

  /**
   * Writes a delivery's unsent end; when it marks the ticket, also the delivery's id into the ticket's
   * `failedDeliveries` (a set: a second write changes nothing) and the ticket's failed-delivery term, all at once.
   * Only then is it a transaction: the common suppressions cost one write, not four.
   */
  private async endUnsent(delivery: Delivery, mark: TicketMark, update: Extract<TableWrite, { Update: unknown }>['Update']): Promise<void> {
    if (!mark.marksTicket) {
      await this.table.update('delivery', update);
      return;
    }
    await this.table.transact([
      { name: 'delivery', write: { Update: update } },
      failedDeliveriesMark(delivery.ticketId, [delivery.id]),
      failedDeliveryTermPut(delivery.deskId, delivery.ticketId),
    ]);
  }

  async findByMessageId(normalizedId: string): Promise<{ ticketId: string; deliveryId: string | null } | null> {
    const item = await this.table.get(keys.messageId(normalizedId));
    if (!item) return null;
    return { ticketId: item.ticketId as string, deliveryId: (item.deliveryId as string | null | undefined) ?? null };
  }

  async getDelivery(ticketId: string, deliveryId: string): Promise<Delivery | null> {
    const item = await this.table.get(keys.delivery(ticketId, deliveryId));
    return item ? deliveryFromItem(item) : null;
  }

  async recordFeedback(feedback: readonly AddressFeedback[], end: LateEndWrite | null, at: string, reason: string): Promise<void> {
    try {
      await this.table.transact([
        ...feedback.map((entry) => addressFeedbackUpdate(entry, at)),
        ...(end ? lateEndItems(end, reason, at) : []),
      ]);
    } catch (error) {
      if (!(error instanceof ConditionFailedError) || !end) throw error;
      throw new ConcurrentUpdateError(`delivery ${end.deliveryId} is no longer sent (${error.names.join(', ')})`, { cause: error });
    }
  }

  async unsubscribeParticipant(ticketId: string, address: string): Promise<void> {
    try {
      await this.table.update('ticket', {
        Key: keys.ticket(ticketId),
        // A string set: adding an address twice is a no-op, so a second click changes nothing.
        UpdateExpression: 'ADD unsubscribed :address',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':address': new Set([address.trim().toLowerCase()]) },
      });
    } catch (error) {
      if (error instanceof ConditionFailedError) throw new NotFoundError(`ticket ${ticketId} does not exist`, { cause: error });
      throw error;
    }
  }

  /** True when the conditional write went through; false when its condition (our claim, the state) no longer held. */
  private async ifStillClaimed(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      return false;
    }
  }
}
