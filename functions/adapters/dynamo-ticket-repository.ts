// adapter: TicketRepository on the single table: one read and one conditional transaction per email
import { KEY_PREFIXES, indexPartitions, keys } from '../contracts';
import { ConcurrentUpdateError, DuplicateIngestError, DuplicateMessageIdError } from '../core/errors';
import { normalizeMessageId } from '../core/ids';
import type {
  InboundReplyWrite,
  IngestLookup,
  IngestLookupRequest,
  IngestOutcomeKind,
  IngestRecord,
  MessageIdTarget,
  NewTicketWrite,
  ReportWrite,
  TicketRepository,
} from '../core/ports';
import type { Ticket } from '../core/types';
import {
  addressFeedbackUpdate,
  deliveryBouncedUpdate,
  deliveryPut,
  INGEST_CONDITION,
  ingestFromItem,
  ingestPut,
  ingestToItem,
  messageIdItem,
  messageToItem,
  ticketFromItem,
  ticketToItem,
  ticketUpdate,
} from './dynamo-items';
import { ConditionFailedError, putNew, type DynamoTable, type NamedItem } from './dynamo-table';

/**
 * The DynamoDB implementation of TicketRepository. Reads for one email are a single BatchGetItem; writes for
 * one email are a single TransactWriteItems whose first item is the conditional ingest record, so a
 * redelivered S3 event can never write twice. It writes what core decided and decides nothing itself.
 */
export class DynamoTicketRepository implements TicketRepository {
  constructor(private readonly table: DynamoTable) {}

  async lookupForIngest(request: IngestLookupRequest): Promise<IngestLookup> {
    const messageIds = [...new Set(request.messageIds.map(normalizeMessageId))];
    const items = await this.table.batchGet([
      keys.ingest(request.ingestKey),
      ...messageIds.map(keys.messageId),
      ...request.ticketIds.map(keys.ticket),
      ...request.numbers.map((n) => keys.number(n.deskId, n.number)),
    ]);

    let ingest: IngestRecord | null = null;
    const tickets = new Map<string, Ticket>();
    const messageIdTargets = new Map<string, MessageIdTarget>();
    const numbers = new Map<string, string>();
    for (const item of items) {
      const pk = item.pk as string;
      if (pk.startsWith(KEY_PREFIXES.ingest)) ingest = ingestFromItem(item);
      else if (pk.startsWith(KEY_PREFIXES.ticket)) tickets.set(item.id as string, ticketFromItem(item));
      else if (pk.startsWith(KEY_PREFIXES.messageId)) {
        messageIdTargets.set(pk.slice(KEY_PREFIXES.messageId.length), {
          ticketId: item.ticketId as string,
          deliveryId: (item.deliveryId as string | null | undefined) ?? null,
        });
      } else if (pk.startsWith(KEY_PREFIXES.number)) numbers.set(pk.slice(KEY_PREFIXES.number.length), item.ticketId as string);
    }
    return { ingest, tickets, messageIds: messageIdTargets, numbers };
  }

  async getTicket(ticketId: string): Promise<Ticket | null> {
    const item = await this.table.get(keys.ticket(ticketId));
    return item ? ticketFromItem(item) : null;
  }

  async getTickets(ticketIds: readonly string[]): Promise<Map<string, Ticket>> {
    const items = await this.table.batchGet(ticketIds.map(keys.ticket));
    return new Map(items.map((item) => [item.id as string, ticketFromItem(item)]));
  }

  async nextTicketNumber(deskId: string): Promise<number> {
    const updated = await this.table.update('counter', {
      Key: keys.counter(deskId),
      UpdateExpression: 'ADD lastNumber :one SET #type = :type',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':one': 1, ':type': 'counter' },
      ReturnValues: 'UPDATED_NEW',
    });
    return updated!.lastNumber as number;
  }

  async createTicket(write: NewTicketWrite): Promise<void> {
    const { ticket, message } = write;
    await this.write(write.ingest, message.messageId, [
      ingestPut(write.ingest),
      putNew('ticket', ticketToItem(ticket)),
      putNew('message', messageToItem(message)),
      putNew('message-id', messageIdItem(message.messageId, ticket.id, null)),
      putNew('number', { ...keys.number(ticket.deskId, ticket.number), type: 'number', ticketId: ticket.id }),
      ...write.words.map((word) =>
        putNew(`word ${word}`, { ...keys.word(word, ticket.createdAt, ticket.id), type: 'word', ticketId: ticket.id }),
      ),
      ...write.deliveries.map(deliveryPut),
    ]);
  }

  async addInboundMessage(write: InboundReplyWrite): Promise<void> {
    const { message } = write;
    await this.write(write.ingest, message.messageId, [
      ingestPut(write.ingest),
      ticketUpdate(write),
      putNew('message', messageToItem(message)),
      putNew('message-id', messageIdItem(message.messageId, write.before.id, null)),
    ]);
  }

  async recordReport(write: ReportWrite): Promise<void> {
    const at = write.ingest.at;
    await this.write(write.ingest, write.ingest.messageId ?? '', [
      ingestPut(write.ingest),
      ...write.addresses.map((feedback) => addressFeedbackUpdate(feedback, at)),
      ...(write.onTicket ? [ticketUpdate(write.onTicket), putNew('message', messageToItem(write.onTicket.message))] : []),
      ...write.bouncedDeliveries.map((delivery) => deliveryBouncedUpdate(delivery, write.reason, at)),
    ]);
  }

  async recordIngest(record: IngestRecord): Promise<void> {
    try {
      await this.table.put('ingest', { Item: ingestToItem(record), ...INGEST_CONDITION });
    } catch (error) {
      // A successful outcome is already recorded: this was a late duplicate, nothing to change.
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }

  async listIngests(outcome: IngestOutcomeKind, limit: number): Promise<IngestRecord[]> {
    const { items } = await this.table.queryPage({
      IndexName: 'byStatus',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': indexPartitions.ingestOutcome(outcome) },
      ScanIndexForward: false,
      Limit: limit,
    });
    return items.map(ingestFromItem);
  }

  /** Runs one email's transaction and turns a failed condition into the core error it means. */
  private async write(ingest: IngestRecord, messageId: string, items: NamedItem[]): Promise<void> {
    try {
      await this.table.transact(items);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      if (error.failed('ingest')) throw new DuplicateIngestError(ingest.key, { cause: error });
      if (error.failed('message-id')) throw new DuplicateMessageIdError(messageId, { cause: error });
      throw new ConcurrentUpdateError(`${error.names.join(', ')} changed concurrently`, { cause: error });
    }
  }
}
