// adapter: TicketRepository on one DynamoDB table; every write an event can repeat is conditional
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError, DuplicateIngestError, DuplicateMessageIdError } from '../core/errors';
import { normalizeMessageId } from '../core/ids';
import type {
  BounceWrite,
  InboundReplyWrite,
  IngestLookup,
  IngestLookupRequest,
  IngestOutcomeKind,
  IngestRecord,
  MessageIdTarget,
  NewTicketWrite,
  TicketRepository,
} from '../core/ports';
import type { Ticket, TicketMessage } from '../core/types';
import { previewOf } from '../core/tickets/preview';
import {
  addressFeedbackUpdate,
  deliveryBouncedUpdate,
  deliveryToItem,
  ingestFromItem,
  ingestToItem,
  keys,
  messageToItem,
  ticketFromItem,
  ticketIndexKeys,
  ticketToItem,
  type Item,
  type Key,
  type TransactItem,
} from './dynamo-items';

/** Keep References short enough for a header while still chaining the thread's start and its latest mail. */
const MAX_THREAD_IDS = 20;
/** An ingest record can be written over only when it recorded a failure or an ignored mail (a replay). */
const INGEST_CONDITION = 'attribute_not_exists(pk) OR outcome IN (:failed, :ignored)';
const INGEST_VALUES = { ':failed': 'failed', ':ignored': 'ignored' };

/**
 * The DynamoDB implementation of TicketRepository. Reads for one email are batched into a single
 * BatchGetItem; writes for one email are a single TransactWriteItems whose first element is the
 * conditional ingest record, so a redelivered S3 event can never write twice.
 */
export class DynamoTicketRepository implements TicketRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async lookupForIngest(request: IngestLookupRequest): Promise<IngestLookup> {
    const messageIds = [...new Set(request.messageIds.map(normalizeMessageId))];
    const wanted: Key[] = [
      keys.ingest(request.ingestKey),
      ...messageIds.map(keys.messageId),
      ...request.ticketIds.map(keys.ticket),
      ...request.numbers.map((n) => keys.number(n.deskId, n.number)),
    ];
    const items = await this.batchGet(wanted);

    let ingest: IngestRecord | null = null;
    const tickets = new Map<string, Ticket>();
    const messageIdTargets = new Map<string, MessageIdTarget>();
    const numbers = new Map<string, string>();
    for (const item of items) {
      const pk = item.pk as string;
      if (pk.startsWith('INGEST#')) ingest = ingestFromItem(item);
      else if (pk.startsWith('TICKET#')) tickets.set(item.id as string, ticketFromItem(item));
      else if (pk.startsWith('MSGID#')) {
        messageIdTargets.set(pk.slice('MSGID#'.length), {
          ticketId: item.ticketId as string,
          deliveryId: (item.deliveryId as string | null | undefined) ?? null,
        });
      } else if (pk.startsWith('NUM#')) numbers.set(pk.slice('NUM#'.length), item.ticketId as string);
    }
    return { ingest, tickets, messageIds: messageIdTargets, numbers };
  }

  async getTicket(ticketId: string): Promise<Ticket | null> {
    const { Item: item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.ticket(ticketId), ConsistentRead: true }),
    );
    return item ? ticketFromItem(item) : null;
  }

  async getTickets(ticketIds: readonly string[]): Promise<Map<string, Ticket>> {
    const items = await this.batchGet([...new Set(ticketIds)].map(keys.ticket));
    return new Map(items.map((item) => [item.id as string, ticketFromItem(item)]));
  }

  async nextTicketNumber(deskId: string): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.counter(deskId),
        UpdateExpression: 'ADD lastNumber :one SET #type = :type',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':one': 1, ':type': 'counter' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Attributes!.lastNumber as number;
  }

  async createTicket(write: NewTicketWrite): Promise<void> {
    const { ticket, message } = write;
    const items: TransactItem[] = [
      this.ingestPut(write.ingest),
      this.putNew(ticketToItem(ticket)),
      this.putNew(messageToItem(message)),
      this.putNew(this.messageIdItem(message.messageId, ticket.id, null)),
      this.putNew({ ...keys.number(ticket.deskId, ticket.number), type: 'number', ticketId: ticket.id }),
      ...write.words.map((word) =>
        this.putNew({ pk: `WORD#${word}`, sk: `${ticket.createdAt}#${ticket.id}`, type: 'word', ticketId: ticket.id }),
      ),
      ...write.deliveries.map((delivery) => this.putNew(deliveryToItem(delivery))),
    ];
    await this.transact(items, { 0: 'ingest', 3: 'message-id' }, message.messageId);
  }

  async addInboundMessage(write: InboundReplyWrite): Promise<void> {
    const { ticket, message } = write;
    const updated = this.touch(ticket, message, write.newStatus);
    await this.transact(
      [
        this.ingestPut(write.ingest),
        this.ticketUpdate(ticket, updated),
        this.putNew(messageToItem(message)),
        this.putNew(this.messageIdItem(message.messageId, ticket.id, null)),
      ],
      { 0: 'ingest', 3: 'message-id' },
      message.messageId,
    );
  }

  async recordBounce(write: BounceWrite): Promise<void> {
    const at = write.ingest.at;
    const state =
      write.classification.kind === 'complaint' ? 'complained' : write.classification.permanent === false ? null : 'undeliverable';
    const items: TransactItem[] = [this.ingestPut(write.ingest)];
    for (const address of write.classification.failedRecipients.slice(0, 20)) {
      items.push(addressFeedbackUpdate(this.tableName, { address, state, reason: write.classification.reason }, at));
    }
    if (write.ticket && write.message) {
      items.push(this.ticketUpdate(write.ticket, this.touch(write.ticket, write.message, write.ticket.status)));
      items.push(this.putNew(messageToItem(write.message)));
    }
    for (const delivery of write.deliveries.slice(0, 10))
      items.push(deliveryBouncedUpdate(this.tableName, delivery, write.classification.reason, at));
    await this.transact(items, { 0: 'ingest' }, write.ingest.messageId ?? '');
  }

  async recordIngest(record: IngestRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: ingestToItem(record),
          ConditionExpression: INGEST_CONDITION,
          ExpressionAttributeValues: INGEST_VALUES,
        }),
      );
    } catch (error) {
      // A successful outcome is already recorded: this was a late duplicate, nothing to change.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async listIngests(outcome: IngestOutcomeKind, limit: number): Promise<IngestRecord[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byStatus',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `INGEST#${outcome}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map(ingestFromItem);
  }

  /** The ticket after one more message: newer activity, preview, thread ids, status. */
  private touch(ticket: Ticket, message: TicketMessage, status: Ticket['status']): Ticket {
    const updatedAt = message.createdAt > ticket.updatedAt ? message.createdAt : ticket.updatedAt;
    const ids = [...ticket.threadMessageIds, normalizeMessageId(message.messageId)];
    const threadMessageIds = ids.length > MAX_THREAD_IDS ? [ids[0]!, ...ids.slice(-(MAX_THREAD_IDS - 1))] : ids;
    return { ...ticket, status, updatedAt, threadMessageIds, preview: previewOf(message), messageCount: ticket.messageCount + 1 };
  }

  /** Rewrites the fields ingest changes, guarded by the version read before (optimistic locking). */
  private ticketUpdate(before: Ticket, after: Ticket): TransactItem {
    const index = ticketIndexKeys(after);
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.ticket(before.id),
        UpdateExpression:
          'SET #status = :status, updatedAt = :updatedAt, threadMessageIds = :ids, preview = :preview, messageCount = :count, ' +
          'gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk, version = :next',
        ConditionExpression: 'version = :version',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': after.status,
          ':updatedAt': after.updatedAt,
          ':ids': after.threadMessageIds,
          ':preview': after.preview,
          ':count': after.messageCount,
          ':gsi1pk': index.gsi1pk,
          ':gsi1sk': index.gsi1sk,
          ':gsi2pk': index.gsi2pk,
          ':gsi2sk': index.gsi2sk,
          ':version': before.version,
          ':next': before.version + 1,
        },
      },
    };
  }

  private messageIdItem(messageId: string, ticketId: string, deliveryId: string | null): Item {
    return { ...keys.messageId(normalizeMessageId(messageId)), type: 'msgid', ticketId, deliveryId };
  }

  private ingestPut(record: IngestRecord): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: ingestToItem(record),
        ConditionExpression: INGEST_CONDITION,
        ExpressionAttributeValues: INGEST_VALUES,
      },
    };
  }

  private putNew(item: Item): TransactItem {
    return { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  /**
   * Runs a transaction and turns a failed condition into the core error it means: `meaning` maps an item's
   * position to what its condition guards. Any other failed condition is a lost race (retry the event).
   */
  private async transact(items: TransactItem[], meaning: Record<number, 'ingest' | 'message-id'>, messageId: string): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (failed < 0) throw error;
      const what = meaning[failed];
      if (what === 'ingest')
        throw new DuplicateIngestError((items[0]?.Put?.Item as { key?: string } | undefined)?.key ?? '', { cause: error });
      if (what === 'message-id') throw new DuplicateMessageIdError(messageId, { cause: error });
      throw new ConcurrentUpdateError(`item ${failed} of the transaction changed concurrently`, { cause: error });
    }
  }

  private async batchGet(wanted: Key[]): Promise<Item[]> {
    const unique = [...new Map(wanted.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
    const found: Item[] = [];
    for (let start = 0; start < unique.length; start += 100) {
      let pending: Key[] = unique.slice(start, start + 100);
      for (let round = 0; pending.length > 0; round += 1) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(result.Responses?.[this.tableName] ?? []));
        pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Key[];
        if (round > 8 && pending.length > 0) throw new Error(`DynamoDB left ${pending.length} keys unprocessed after retries`);
      }
    }
    return found;
  }
}
