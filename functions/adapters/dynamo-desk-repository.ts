// adapter: DeskRepository on the single table: index Queries for the inbox, one transaction per agent change
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AddressState, DeskRepository, InboxQuery, TicketChange, TicketPage, TicketThread } from '../core/api/api-ports';
import { ConcurrentUpdateError, InvalidInputError } from '../core/errors';
import type { Delivery } from '../core/notify/notify-ports';
import type { Ticket } from '../core/types';
import { deliveryFromItem } from './dynamo-delivery-repository';
import {
  deliveryToItem,
  keys,
  messageFromItem,
  messageToItem,
  ticketFromItem,
  ticketIndexKeys,
  type Item,
  type Key,
  type TransactItem,
} from './dynamo-items';

/** Which index serves a view and the partition it reads. */
interface IndexPartition {
  readonly indexName: 'byStatus' | 'byAssignee';
  readonly pkName: 'gsi1pk' | 'gsi2pk';
  readonly skName: 'gsi1sk' | 'gsi2sk';
  readonly pk: string;
}

function partitionOf(query: InboxQuery): IndexPartition {
  const keysOf = ticketIndexKeys({
    id: '',
    status: query.status,
    assignee: query.kind === 'assignee' ? query.assignee : null,
    updatedAt: '',
    createdAt: '',
    requester: { address: '', name: '' },
  });
  return query.kind === 'status'
    ? { indexName: 'byStatus', pkName: 'gsi1pk', skName: 'gsi1sk', pk: keysOf.gsi1pk }
    : { indexName: 'byAssignee', pkName: 'gsi2pk', skName: 'gsi2sk', pk: keysOf.gsi2pk };
}

/**
 * Cursors are the query's LastEvaluatedKey as base64url JSON. On the way back in, a cursor must have exactly
 * the key attributes of this index and point into the same partition, so a cursor cannot steer the Query
 * elsewhere (another view, another item type).
 */
function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, partition: IndexPartition): Key {
  const invalid = () => new InvalidInputError('cursor: not a cursor this list gave out (start again without one)');
  if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  const record = value as Record<string, unknown>;
  const expected = ['pk', 'sk', partition.pkName, partition.skName].sort();
  const names = Object.keys(record).sort();
  if (names.length !== expected.length || names.some((name, i) => name !== expected[i])) throw invalid();
  if (Object.values(record).some((v) => typeof v !== 'string')) throw invalid();
  const ticketKey = /^TICKET#[a-z0-9]{1,64}$/;
  if (record[partition.pkName] !== partition.pk || record.sk !== 'META' || !ticketKey.test(record.pk as string)) throw invalid();
  return record as Key;
}

/** The DynamoDB implementation of the dashboard's queries and writes. Never Scans. */
export class DynamoDeskRepository implements DeskRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listTickets(query: InboxQuery, limit: number, cursor: string | null): Promise<TicketPage> {
    const partition = partitionOf(query);
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        ...this.partitionQuery(partition),
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor === null ? undefined : decodeCursor(cursor, partition),
      }),
    );
    return { tickets: Items.map(ticketFromItem), cursor: LastEvaluatedKey ? encodeCursor(LastEvaluatedKey) : null };
  }

  async countTickets(query: InboxQuery): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ ...this.partitionQuery(partitionOf(query)), Select: 'COUNT', ExclusiveStartKey: start }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async ticketIdsByNumber(deskIds: readonly string[], number: number): Promise<string[]> {
    const items = await this.batchGet(deskIds.map((deskId) => keys.number(deskId, number)));
    return items.map((item) => item.ticketId as string);
  }

  async ticketIdsByWord(word: string, limit: number): Promise<{ ids: string[]; complete: boolean }> {
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `WORD#${word}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return { ids: Items.map((item) => item.ticketId as string), complete: LastEvaluatedKey === undefined };
  }

  async ticketsByRequester(address: string, limit: number): Promise<Ticket[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byRequester',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': `REQUESTER#${address}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map(ticketFromItem);
  }

  async getThread(ticketId: string): Promise<TicketThread | null> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    // META, MSG# and OUT# share the partition: one Query (paged past 1 MB) reads the whole ticket.
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.ticket(ticketId).pk },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const meta = items.find((item) => item.sk === 'META');
    if (!meta) return null;
    return {
      ticket: ticketFromItem(meta),
      messages: items.filter((item) => (item.sk as string).startsWith('MSG#')).map(messageFromItem),
      deliveries: items.filter((item) => (item.sk as string).startsWith('OUT#')).map(deliveryFromItem),
    };
  }

  async getAddressStates(addresses: readonly string[]): Promise<Map<string, AddressState>> {
    const items = await this.batchGet(addresses.map(keys.address));
    const states = new Map<string, AddressState>();
    for (const item of items) {
      if (typeof item.state !== 'string') continue;
      states.set((item.pk as string).slice('ADDR#'.length), { state: item.state, reason: (item.reason as string | undefined) ?? '' });
    }
    return states;
  }

  async getDelivery(ticketId: string, deliveryId: string): Promise<Delivery | null> {
    const { Item: item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.delivery(ticketId, deliveryId), ConsistentRead: true }),
    );
    return item ? deliveryFromItem(item) : null;
  }

  async saveChange(change: TicketChange): Promise<void> {
    const update = this.ticketUpdate(change.before, change.after);
    if (!change.message && change.deliveries.length === 0) {
      try {
        await this.client.send(new UpdateCommand({ TableName: this.tableName, ...update }));
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw this.conflict(change.before, error);
        throw error;
      }
      return;
    }
    const items: TransactItem[] = [
      { Update: { TableName: this.tableName, ...update } },
      ...(change.message ? [this.putNew(messageToItem(change.message))] : []),
      ...change.deliveries.map((delivery) => this.putNew(deliveryToItem(delivery))),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) {
        throw this.conflict(change.before, error);
      }
      throw error;
    }
  }

  async retryDelivery(ticketId: string, deliveryId: string, at: string): Promise<Delivery> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.delivery(ticketId, deliveryId),
          // Only a failed delivery, or one left `sending` by an invocation that died (its lease is over), goes
          // back: a concurrent retry or a late success must not be undone. `retryRequestedAt` tells notify that
          // this change to `pending` is an agent's request, not its own release.
          UpdateExpression: 'SET #status = :pending, updatedAt = :at, retryRequestedAt = :at REMOVE leaseUntil',
          ConditionExpression: '#status = :failed OR (#status = :sending AND leaseUntil < :at)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':failed': 'failed', ':sending': 'sending', ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return deliveryFromItem(Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConcurrentUpdateError(`delivery ${deliveryId} is neither failed nor stuck in sending`, { cause: error });
      }
      throw error;
    }
  }

  private partitionQuery(partition: IndexPartition): QueryCommandInput {
    return {
      TableName: this.tableName,
      IndexName: partition.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partition.pkName },
      ExpressionAttributeValues: { ':pk': partition.pk },
    };
  }

  /** Rewrites every field an agent can change, plus the index keys, guarded by the version read before. */
  private ticketUpdate(before: Ticket, after: Ticket) {
    const index = ticketIndexKeys(after);
    return {
      Key: keys.ticket(before.id),
      UpdateExpression:
        'SET #status = :status, assignee = :assignee, labels = :labels, participants = :participants, updatedAt = :updatedAt, ' +
        'preview = :preview, messageCount = :count, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk, version = :next',
      ConditionExpression: 'version = :version',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': after.status,
        ':assignee': after.assignee,
        ':labels': after.labels,
        ':participants': after.participants,
        ':updatedAt': after.updatedAt,
        ':preview': after.preview,
        ':count': after.messageCount,
        ':gsi1pk': index.gsi1pk,
        ':gsi1sk': index.gsi1sk,
        ':gsi2pk': index.gsi2pk,
        ':gsi2sk': index.gsi2sk,
        ':version': before.version,
        ':next': before.version + 1,
      },
    };
  }

  private conflict(before: Ticket, cause: unknown): ConcurrentUpdateError {
    return new ConcurrentUpdateError(`ticket ${before.id} changed since version ${before.version}: reload it`, { cause });
  }

  private putNew(item: Item): TransactItem {
    return { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  private async batchGet(wanted: Key[]): Promise<Item[]> {
    const unique = [...new Map(wanted.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
    const found: Item[] = [];
    for (let start = 0; start < unique.length; start += 100) {
      let pending: Key[] = unique.slice(start, start + 100);
      for (let round = 0; pending.length > 0; round += 1) {
        if (round > 8) throw new Error(`DynamoDB left ${pending.length} keys unprocessed after retries`);
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
        const result = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
        found.push(...(result.Responses?.[this.tableName] ?? []));
        pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Key[];
      }
    }
    return found;
  }
}
