// adapter: DeskRepository on the single table: index Queries for the inbox, one transaction per agent change
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { KEY_PREFIXES, TICKET_ITEM_PREFIXES, indexPartitions, keys, termPartition, type TableKey } from '../contracts';
import type {
  AddressState,
  ClearAddressWrite,
  DeskRepository,
  IdList,
  InboxQuery,
  IndexPage,
  IndexWalk,
  MoveWrite,
  NewDeskTicketWrite,
  TicketChange,
  TicketThread,
} from '../core/api/api-ports';
import type { ClearedState } from '../core/feedback/address-clearing';
import { ConcurrentUpdateError } from '../core/errors';
import { decodeCursor, encodeCursor } from './dynamo-cursor';
import { MARKING_SUPPRESSIONS, RETRYABLE_ENDS } from '../core/notify/delivery-marks';
import type { Delivery } from '../core/notify/notify-ports';
import type { MergeWrite } from '../core/api/merge-tickets';
import type { Ticket } from '../core/types';
import { deliveryFromItem } from './dynamo-delivery-repository';
import {
  addressClearedUpdate,
  deliveryPut,
  heldSettledUpdate,
  splitMarkedUpdate,
  messageFromItem,
  messageIdItem,
  messageToItem,
  termItems,
  ticketFromItem,
  ticketToItem,
  ticketUpdate,
} from './dynamo-items';
import { ConditionFailedError, putNew, type DynamoTable, type NamedItem } from './dynamo-table';

/** Which index serves a walk or a count and the partition it reads. */
interface IndexPartition {
  readonly indexName: 'byStatus' | 'byAssignee' | 'byCreated';
  readonly pkName: 'gsi1pk' | 'gsi2pk' | 'gsi4pk';
  readonly skName: 'gsi1sk' | 'gsi2sk' | 'gsi4sk';
  readonly pk: string;
}

function partitionOf(query: InboxQuery | IndexWalk): IndexPartition {
  if (query.kind === 'assignee') {
    return { indexName: 'byAssignee', pkName: 'gsi2pk', skName: 'gsi2sk', pk: indexPartitions.assignee(query.assignee, query.status) };
  }
  if (query.kind === 'created') {
    return { indexName: 'byCreated', pkName: 'gsi4pk', skName: 'gsi4sk', pk: indexPartitions.created(query.status) };
  }
  return { indexName: 'byStatus', pkName: 'gsi1pk', skName: 'gsi1sk', pk: indexPartitions.status(query.status) };
}

const TICKET_KEY = new RegExp(`^${KEY_PREFIXES.ticket}[a-z0-9]{1,64}$`);
const isTicketKey = (key: TableKey) => key.sk === 'META' && TICKET_KEY.test(key.pk);

/** The id in a ticket item's key. */
function ticketIdOf(key: Record<string, unknown>): string {
  return (key.pk as string).slice(KEY_PREFIXES.ticket.length);
}

/** The DynamoDB implementation of the dashboard's queries and writes. Never Scans. */
export class DynamoDeskRepository implements DeskRepository {
  constructor(private readonly table: DynamoTable) {}

  async walkIndex(walk: IndexWalk, limit: number, cursor: string | null): Promise<IndexPage> {
    const partition = partitionOf(walk);
    // The indexes project keys only: one Query for the order, one BatchGetItem for the tickets.
    const { items: entries, lastKey } = await this.table.queryPage({
      ...partitionQuery(partition),
      ScanIndexForward: walk.ascending,
      Limit: limit,
      ExclusiveStartKey: cursor === null ? undefined : decodeCursor(cursor, partition, isTicketKey),
    });
    const tickets = await this.ticketsById(entries.map(ticketIdOf));
    return {
      entries: entries.flatMap((entry) => {
        const ticket = tickets.get(ticketIdOf(entry));
        return ticket ? [{ ticket, cursor: encodeCursor(entry) }] : [];
      }),
      next: lastKey ? encodeCursor(lastKey) : null,
    };
  }

  countTickets(query: InboxQuery): Promise<number> {
    return this.table.count(partitionQuery(partitionOf(query)));
  }

  async ticketIdsByNumber(deskIds: readonly string[], number: number): Promise<string[]> {
    const items = await this.table.batchGet(deskIds.map((deskId) => keys.number(deskId, number)));
    return items.map((item) => item.ticketId as string);
  }

  async ticketIdsByTerm(deskIds: readonly string[], term: string, limit: number): Promise<IdList> {
    const lists = await Promise.all(
      deskIds.map((deskId) =>
        this.idsOf({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': termPartition(deskId, term) } }, 'sk', limit),
      ),
    );
    const ids = lists.flatMap((list) => list.ids);
    return { ids: ids.slice(0, limit), complete: ids.length <= limit && lists.every((list) => list.complete) };
  }

  async ticketsHoldingTerm(term: string, tickets: readonly Ticket[]): Promise<Set<string>> {
    const items = await this.table.batchGet(tickets.map((t) => keys.term(t.deskId, term, t.id)));
    return new Set(items.map((item) => item.sk as string));
  }

  ticketIdsByRequester(address: string, limit: number): Promise<IdList> {
    return this.idsOf(
      {
        IndexName: 'byRequester',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': indexPartitions.requester(address) },
        ScanIndexForward: false,
      },
      'pk',
      limit,
    );
  }

  /** Ids from a Query's items (a ticket key in `pk`, or a bare id in `sk`), paged up to `limit`. */
  private async idsOf(query: Omit<QueryCommandInput, 'TableName'>, attribute: 'pk' | 'sk', limit: number): Promise<IdList> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const { items, lastKey } = await this.table.queryPage({ ...query, Limit: limit + 1 - ids.length, ExclusiveStartKey: start });
      ids.push(...items.map((item) => (attribute === 'pk' ? ticketIdOf(item) : (item.sk as string))));
      start = lastKey ?? undefined;
    } while (start && ids.length <= limit);
    return { ids: ids.slice(0, limit), complete: ids.length <= limit };
  }

  private async ticketsById(ids: readonly string[]): Promise<Map<string, Ticket>> {
    // The index a page comes from is eventually consistent itself: half a read unit a ticket is enough.
    const items = ids.length === 0 ? [] : await this.table.batchGet(ids.map(keys.ticket), { consistent: false });
    return new Map(items.map((item) => [item.id as string, ticketFromItem(item)]));
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
      if (!change.message && change.deliveries.length === 0 && !change.settles && !change.splits) {
        // A lone ticket change needs no transaction (which would cost twice the write units).
        if ('Update' in update.write) await this.table.update(update.name, update.write.Update);
        return;
      }
      await this.table.transact(changeItems(change));
    });
  }

  async moveMessage(write: MoveWrite): Promise<void> {
    const { ticket, message } = write;
    await this.table.batchPut(termItems(ticket.deskId, ticket.id, write.terms));
    await this.changing(write.from, () =>
      this.table.transact([
        ...changeItems(write.from),
        putNew('new ticket', ticketToItem(ticket)),
        putNew('new message', messageToItem(message)),
        ...(write.note ? [putNew('new ticket note', messageToItem(write.note))] : []),
        ...(write.deliveries ?? []).map(deliveryPut),
        putNew('number', { ...keys.number(ticket.deskId, ticket.number), type: 'number', ticketId: ticket.id }),
        // The sender's later replies by Message-ID then reach their own ticket, where they are the requester.
        ...(write.reindexMessageId
          ? [{ name: 'message-id', write: { Put: { Item: messageIdItem(message.messageId, ticket.id, null) } } }]
          : []),
      ]),
    );
  }

  async createTicket(write: NewDeskTicketWrite): Promise<void> {
    const { ticket } = write;
    await this.table.batchPut(termItems(ticket.deskId, ticket.id, write.terms));
    await this.table.transact([
      putNew('ticket', ticketToItem(ticket)),
      putNew('message', messageToItem(write.message)),
      putNew('number', { ...keys.number(ticket.deskId, ticket.number), type: 'number', ticketId: ticket.id }),
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
    await this.addTerms(change.before, change.terms);
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

  async mergeTickets(write: MergeWrite): Promise<void> {
    // The messages move in the transaction, so a merge that fails leaves the target's thread as it was.
    await this.addTerms(write.target.before, write.terms);
    try {
      await this.table.transact([
        { ...ticketUpdate(write.source), name: 'source' },
        { ...ticketUpdate(write.target), name: 'target' },
        putNew('source note', messageToItem(write.notes.source)),
        putNew('target note', messageToItem(write.notes.target)),
        ...write.moved.map((m) => ({ name: `message ${m.id}`, write: { Put: { Item: messageToItem(m) } } })),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailedError) {
        throw new ConcurrentUpdateError(`${error.names.join(' and ')} ticket changed during the merge: reload and try again`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * Index entries of an existing ticket go before the write they belong to, those it holds already skipped: a write
   * that then fails leaves a term that finds the ticket, harmless, never a message that search misses.
   */
  private addTerms(ticket: Pick<Ticket, 'deskId' | 'id'>, terms: readonly string[]): Promise<void> {
    return this.table.putMissing(termItems(ticket.deskId, ticket.id, terms));
  }

  async retryDelivery(ticketId: string, deliveryId: string, at: string): Promise<Delivery> {
    try {
      const attributes = await this.table.update('delivery', {
        Key: keys.delivery(ticketId, deliveryId),
        // Only a delivery that ended failed, bounced or complained about, suppressed in a way that marked its ticket, or
        // one left `sending` by an invocation that died (its lease is over), goes back: a concurrent retry or a late success must not be undone.
        // `retryRequestedAt` tells notify that this change to `pending` is an agent's request, not its own release.
        UpdateExpression: 'SET #status = :pending, updatedAt = :at, retryRequestedAt = :at REMOVE leaseUntil',
        ConditionExpression:
          `#status IN (${RETRYABLE_ENDS.map((_, i) => `:end${i}`).join(', ')}) OR (#status = :sending AND leaseUntil < :at)` +
          ` OR (#status = :suppressed AND lastError IN (${MARKING_SUPPRESSIONS.map((_, i) => `:why${i}`).join(', ')}))`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':sending': 'sending',
          ':suppressed': 'suppressed',
          ':at': at,
          ...Object.fromEntries(RETRYABLE_ENDS.map((end, i) => [`:end${i}`, end])),
          ...Object.fromEntries(MARKING_SUPPRESSIONS.map((reason, i) => [`:why${i}`, reason])),
        },
        ReturnValues: 'ALL_NEW',
      });
      // The retry takes the mark off (a new failure puts it back). Not in one transaction with the delivery (an update
      // that returns the item cannot be one): a crash in between leaves the ticket marked; a second retry is refused.
      await this.table.update('ticket', {
        Key: keys.ticket(ticketId),
        UpdateExpression: 'DELETE failedDeliveries :id',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':id': new Set([deliveryId]) },
      });
      return deliveryFromItem(attributes!);
    } catch (error) {
      if (error instanceof ConditionFailedError) {
        throw new ConcurrentUpdateError(
          `delivery ${deliveryId} is neither ended (failed, bounced, complained, suppressed and marked) nor stuck in sending`,
          {
            cause: error,
          },
        );
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
    ...(change.splits ? [splitMarkedUpdate(change.splits.message, change.splits.split)] : []),
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
