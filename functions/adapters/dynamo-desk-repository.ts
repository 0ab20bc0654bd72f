// adapter: DeskRepository on the single table: index Queries for the inbox, one transaction per agent change
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { KEY_PREFIXES, TICKET_ITEM_PREFIXES, indexPartitions, keys, type TableKey } from '../contracts';
import type {
  AddressState,
  ClearAddressWrite,
  DeskRepository,
  InboxQuery,
  MoveWrite,
  NewDeskTicketWrite,
  TicketChange,
  TicketPage,
  TicketThread,
} from '../core/api/api-ports';
import type { ClearedState } from '../core/feedback/address-clearing';
import { ConcurrentUpdateError, InvalidInputError } from '../core/errors';
import type { Delivery } from '../core/notify/notify-ports';
import type { Ticket } from '../core/types';
import { deliveryFromItem } from './dynamo-delivery-repository';
import {
  addressClearedUpdate,
  deliveryPut,
  heldSettledUpdate,
  messageFromItem,
  messageIdItem,
  messageToItem,
  ticketFromItem,
  ticketToItem,
  ticketUpdate,
} from './dynamo-items';
import { ConditionFailedError, putNew, type DynamoTable, type NamedItem } from './dynamo-table';

/** Which index serves a view and the partition it reads. */
interface IndexPartition {
  readonly indexName: 'byStatus' | 'byAssignee';
  readonly pkName: 'gsi1pk' | 'gsi2pk';
  readonly skName: 'gsi1sk' | 'gsi2sk';
  readonly pk: string;
}

function partitionOf(query: InboxQuery): IndexPartition {
  return query.kind === 'status'
    ? { indexName: 'byStatus', pkName: 'gsi1pk', skName: 'gsi1sk', pk: indexPartitions.status(query.status) }
    : { indexName: 'byAssignee', pkName: 'gsi2pk', skName: 'gsi2sk', pk: indexPartitions.assignee(query.assignee, query.status) };
}

/**
 * Cursors are the query's LastEvaluatedKey as base64url JSON. On the way back in, a cursor must have exactly
 * the key attributes of this index and point into the same partition, so a cursor cannot steer the Query
 * elsewhere (another view, another item type).
 */
function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, partition: IndexPartition): TableKey {
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
  const ticketKey = new RegExp(`^${KEY_PREFIXES.ticket}[a-z0-9]{1,64}$`);
  if (record[partition.pkName] !== partition.pk || record.sk !== 'META' || !ticketKey.test(record.pk as string)) throw invalid();
  return record as unknown as TableKey;
}

/** The DynamoDB implementation of the dashboard's queries and writes. Never Scans. */
export class DynamoDeskRepository implements DeskRepository {
  constructor(private readonly table: DynamoTable) {}

  async listTickets(query: InboxQuery, limit: number, cursor: string | null): Promise<TicketPage> {
    const partition = partitionOf(query);
    const { items, lastKey } = await this.table.queryPage({
      ...partitionQuery(partition),
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: cursor === null ? undefined : decodeCursor(cursor, partition),
    });
    return { tickets: items.map(ticketFromItem), cursor: lastKey ? encodeCursor(lastKey) : null };
  }

  countTickets(query: InboxQuery): Promise<number> {
    return this.table.count(partitionQuery(partitionOf(query)));
  }

  async ticketIdsByNumber(deskIds: readonly string[], number: number): Promise<string[]> {
    const items = await this.table.batchGet(deskIds.map((deskId) => keys.number(deskId, number)));
    return items.map((item) => item.ticketId as string);
  }

  async ticketIdsByWord(word: string, limit: number): Promise<{ ids: string[]; complete: boolean }> {
    const { items, lastKey } = await this.table.queryPage({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `${KEY_PREFIXES.word}${word}` },
      ScanIndexForward: false,
      Limit: limit,
    });
    return { ids: items.map((item) => item.ticketId as string), complete: lastKey === null };
  }

  async ticketsByRequester(address: string, limit: number): Promise<Ticket[]> {
    const { items } = await this.table.queryPage({
      IndexName: 'byRequester',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': indexPartitions.requester(address) },
      ScanIndexForward: false,
      Limit: limit,
    });
    return items.map(ticketFromItem);
  }

  async getThread(ticketId: string): Promise<TicketThread | null> {
    // META, MSG# and OUT# share the partition: one Query (paged past 1 MB) reads the whole ticket.
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.ticket(ticketId).pk },
      ConsistentRead: true,
    });
    const meta = items.find((item) => item.sk === keys.ticket(ticketId).sk);
    if (!meta) return null;
    const withPrefix = (prefix: string) => items.filter((item) => (item.sk as string).startsWith(prefix));
    return {
      ticket: ticketFromItem(meta),
      messages: withPrefix(TICKET_ITEM_PREFIXES.message).map(messageFromItem),
      deliveries: withPrefix(TICKET_ITEM_PREFIXES.delivery).map(deliveryFromItem),
    };
  }

  async getAddressStates(addresses: readonly string[]): Promise<Map<string, AddressState>> {
    const items = await this.table.batchGet(addresses.map(keys.address));
    const states = new Map<string, AddressState>();
    for (const item of items) {
      if (typeof item.state !== 'string') continue;
      const history = (item.history as ClearedState[] | undefined) ?? [];
      states.set((item.pk as string).slice(KEY_PREFIXES.address.length), {
        state: item.state,
        reason: (item.reason as string | undefined) ?? '',
        ...(history.length > 0 ? { history } : {}),
      });
    }
    return states;
  }

  async getDelivery(ticketId: string, deliveryId: string): Promise<Delivery | null> {
    const item = await this.table.get(keys.delivery(ticketId, deliveryId));
    return item ? deliveryFromItem(item) : null;
  }

  async saveChange(change: TicketChange): Promise<void> {
    const update = ticketUpdate(change);
    await this.changing(change, async () => {
      if (!change.message && change.deliveries.length === 0 && !change.settles) {
        // A lone ticket change needs no transaction (which would cost twice the write units).
        if ('Update' in update.write) await this.table.update(update.name, update.write.Update);
        return;
      }
      await this.table.transact(changeItems(change));
    });
  }

  async moveMessage(write: MoveWrite): Promise<void> {
    const { ticket, message } = write;
    await this.changing(write.from, () =>
      this.table.transact([
        ...changeItems(write.from),
        putNew('new ticket', ticketToItem(ticket)),
        putNew('new message', messageToItem(message)),
        putNew('number', { ...keys.number(ticket.deskId, ticket.number), type: 'number', ticketId: ticket.id }),
        ...write.words.map((word) =>
          putNew(`word ${word}`, { ...keys.word(word, ticket.createdAt, ticket.id), type: 'word', ticketId: ticket.id }),
        ),
        // The sender's later replies by Message-ID then reach their own ticket, where they are the requester.
        ...(write.reindexMessageId
          ? [{ name: 'message-id', write: { Put: { Item: messageIdItem(message.messageId, ticket.id, null) } } }]
          : []),
      ]),
    );
  }

  async createTicket(write: NewDeskTicketWrite): Promise<void> {
    const { ticket } = write;
    await this.table.transact([
      putNew('ticket', ticketToItem(ticket)),
      putNew('message', messageToItem(write.message)),
      putNew('number', { ...keys.number(ticket.deskId, ticket.number), type: 'number', ticketId: ticket.id }),
      ...write.words.map((word) =>
        putNew(`word ${word}`, { ...keys.word(word, ticket.createdAt, ticket.id), type: 'word', ticketId: ticket.id }),
      ),
      ...write.deliveries.map(deliveryPut),
    ]);
  }

  async clearAddressState(write: ClearAddressWrite): Promise<void> {
    await this.changing(write.change, () =>
      this.table.transact([...changeItems(write.change), addressClearedUpdate(write.address, write.cleared)]),
    );
  }

  /** Runs a ticket change's write; any failed condition (the ticket's version, a held message, an address state) is a conflict. */
  private async changing(change: TicketChange, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (error instanceof ConditionFailedError) {
        throw new ConcurrentUpdateError(`ticket ${change.before.id} changed since version ${change.before.version}: reload it`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async retryDelivery(ticketId: string, deliveryId: string, at: string): Promise<Delivery> {
    try {
      const attributes = await this.table.update('delivery', {
        Key: keys.delivery(ticketId, deliveryId),
        // Only a failed delivery, or one left `sending` by an invocation that died (its lease is over), goes
        // back: a concurrent retry or a late success must not be undone. `retryRequestedAt` tells notify that
        // this change to `pending` is an agent's request, not its own release.
        UpdateExpression: 'SET #status = :pending, updatedAt = :at, retryRequestedAt = :at REMOVE leaseUntil',
        ConditionExpression: '#status = :failed OR (#status = :sending AND leaseUntil < :at)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':failed': 'failed', ':sending': 'sending', ':at': at },
        ReturnValues: 'ALL_NEW',
      });
      return deliveryFromItem(attributes!);
    } catch (error) {
      if (error instanceof ConditionFailedError) {
        throw new ConcurrentUpdateError(`delivery ${deliveryId} is neither failed nor stuck in sending`, { cause: error });
      }
      throw error;
    }
  }
}

/** The items of one agent change: the ticket (version-checked), its new message and deliveries, a held message settled. */
function changeItems(change: TicketChange): NamedItem[] {
  return [
    ticketUpdate(change),
    ...(change.message ? [putNew('message', messageToItem(change.message))] : []),
    ...change.deliveries.map(deliveryPut),
    ...(change.settles ? [heldSettledUpdate(change.settles.message, change.settles.resolution)] : []),
  ];
}

function partitionQuery(partition: IndexPartition): Omit<QueryCommandInput, 'TableName'> {
  return {
    IndexName: partition.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': partition.pkName },
    ExpressionAttributeValues: { ':pk': partition.pk },
  };
}
