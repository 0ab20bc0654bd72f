// adapter: TicketRepository on the single table: one read and one conditional transaction per email
import { KEY_PREFIXES, indexPartitions, keys } from '../contracts';
import { ConcurrentUpdateError, DuplicateContentError, DuplicateIngestError } from '../core/errors';
import { normalizeMessageId } from '../core/ids';
import type {
  EmailClaims,
  InboundReplyWrite,
  IngestLookup,
  IngestLookupRequest,
  IngestRecord,
  MailLogOutcome,
  MailLogPage,
  MessageIdTarget,
  NewTicketWrite,
  ReportWrite,
  StoredContent,
  TicketRepository,
} from '../core/ports';
import type { Delivery } from '../core/notify/notify-ports';
import type { Ticket } from '../core/types';
import {
  addressFeedbackUpdate,
  contentPut,
  deliveryPut,
  failedDeliveriesMark,
  failedDeliveryTermPut,
  INGEST_CONDITION,
  ingestFromItem,
  ingestPut,
  ingestToItem,
  lateEndUpdate,
  messageIdItem,
  messageToItem,
  ticketFromItem,
  ticketToItem,
  termItems,
  ticketUpdate,
} from './dynamo-items';
import { decodeCursor, encodeCursor } from './dynamo-cursor';
import { deliveryFromItem } from './dynamo-delivery-repository';
import { ConditionFailedError, putNew, type DynamoTable, type NamedItem } from './dynamo-table';

const isIngestKey = (key: { pk: string; sk: string }) => key.sk === 'INGEST' && key.pk.startsWith(KEY_PREFIXES.ingest);

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
      ...(request.fingerprint ? [keys.content(request.fingerprint)] : []),
      ...messageIds.map(keys.messageId),
      ...request.ticketIds.map(keys.ticket),
      ...request.numbers.map((n) => keys.number(n.deskId, n.number)),
    ]);

    let ingest: IngestRecord | null = null;
    let content: StoredContent | null = null;
    const tickets = new Map<string, Ticket>();
    const messageIdTargets = new Map<string, MessageIdTarget>();
    const numbers = new Map<string, string>();
    for (const item of items) {
      const pk = item.pk as string;
      if (pk.startsWith(KEY_PREFIXES.ingest)) ingest = ingestFromItem(item);
      else if (pk.startsWith(KEY_PREFIXES.content))
        content = { key: item.key as string, ticketId: (item.ticketId as string | null | undefined) ?? null };
      else if (pk.startsWith(KEY_PREFIXES.ticket)) tickets.set(item.id as string, ticketFromItem(item));
      else if (pk.startsWith(KEY_PREFIXES.messageId)) {
        messageIdTargets.set(pk.slice(KEY_PREFIXES.messageId.length), {
          ticketId: item.ticketId as string,
          deliveryId: (item.deliveryId as string | null | undefined) ?? null,
          recipient: (item.recipient as string | null | undefined) ?? null,
        });
      } else if (pk.startsWith(KEY_PREFIXES.number)) numbers.set(pk.slice(KEY_PREFIXES.number.length), item.ticketId as string);
    }
    return { ingest, tickets, messageIds: messageIdTargets, numbers, content };
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

  async nextRoundRobinTurn(deskId: string, rule: string): Promise<number> {
    const updated = await this.table.update('counter', {
      Key: keys.roundRobin(deskId, rule),
      UpdateExpression: 'ADD turns :one SET #type = :type',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':one': 1, ':type': 'round-robin' },
      ReturnValues: 'UPDATED_NEW',
    });
    return updated!.turns as number;
  }

  async createTicket(write: NewTicketWrite): Promise<void> {
    const { ticket, message } = write;
    // Index entries first (idempotent puts): a crash before the transaction leaves entries that a redelivery
    // writes again, never a ticket search cannot find.
    await this.table.batchPut(termItems(ticket.deskId, ticket.id, write.terms));
    await this.write(write.ingest, write.claims.fingerprint, [
      ingestPut(write.ingest),
      ...claimItems(write.claims, write.ingest, ticket.id),
      putNew('ticket', ticketToItem(ticket)),
      putNew('message', messageToItem(message)),
      putNew('number', { ...keys.number(ticket.deskId, ticket.number), type: 'number', ticketId: ticket.id }),
      ...write.deliveries.map(deliveryPut),
    ]);
  }

  async addInboundMessage(write: InboundReplyWrite): Promise<void> {
    // Terms the ticket holds already are skipped (see putMissing): a reply repeats many of its thread's words.
    await this.table.putMissing(termItems(write.before.deskId, write.before.id, write.terms));
    await this.write(write.ingest, write.claims.fingerprint, [
      ingestPut(write.ingest),
      ...claimItems(write.claims, write.ingest, write.before.id),
      ticketUpdate(write),
      putNew('message', messageToItem(write.message)),
      ...(write.deliveries ?? []).map(deliveryPut),
    ]);
  }

  async recordReport(write: ReportWrite): Promise<void> {
    const at = write.ingest.at;
    const onTicketId = write.onTicket?.before.id ?? null;
    // One mark per ticket: a transaction may touch an item once, so the ticket the report is noted on takes its ids in
    // its own update.
    const marks = new Map<string, { deskId: string; ids: string[] }>();
    for (const end of write.endedDeliveries.filter((e) => e.marksTicket)) {
      const mark = marks.get(end.ticketId) ?? { deskId: end.deskId, ids: [] };
      marks.set(end.ticketId, { ...mark, ids: [...mark.ids, end.deliveryId] });
    }
    await this.write(write.ingest, write.fingerprint, [
      ingestPut(write.ingest),
      ...(write.fingerprint ? [contentPut(write.fingerprint, write.ingest.key, onTicketId)] : []),
      ...write.addresses.map((feedback) => addressFeedbackUpdate(feedback, at)),
      ...(write.onTicket
        ? [ticketUpdate(write.onTicket, marks.get(write.onTicket.before.id)?.ids), putNew('message', messageToItem(write.onTicket.message))]
        : []),
      ...write.endedDeliveries.map((end) => lateEndUpdate(end, write.reason, at)),
      ...[...marks].flatMap(([ticketId, { deskId, ids }]) => [
        ...(ticketId === onTicketId ? [] : [failedDeliveriesMark(ticketId, ids)]),
        failedDeliveryTermPut(deskId, ticketId),
      ]),
    ]);
  }

  async getDeliveries(deliveries: readonly { ticketId: string; deliveryId: string }[]): Promise<Map<string, Delivery>> {
    const items = await this.table.batchGet(deliveries.map((d) => keys.delivery(d.ticketId, d.deliveryId)));
    return new Map(items.map((item) => [item.id as string, deliveryFromItem(item)]));
  }

  async recordIngest(record: IngestRecord): Promise<void> {
    try {
      await this.table.put('ingest', { Item: ingestToItem(record), ...INGEST_CONDITION });
    } catch (error) {
      // A successful outcome is already recorded: this was a late duplicate, nothing to change.
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }

  async listMailLog(outcome: MailLogOutcome | null, limit: number, cursor: string | null): Promise<MailLogPage> {
    const partition =
      outcome === null
        ? { indexName: 'byAssignee', pkName: 'gsi2pk', skName: 'gsi2sk', pk: indexPartitions.mailLog() }
        : { indexName: 'byStatus', pkName: 'gsi1pk', skName: 'gsi1sk', pk: indexPartitions.ingestOutcome(outcome) };
    const { items: entries, lastKey } = await this.table.queryPage({
      IndexName: partition.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partition.pkName },
      ExpressionAttributeValues: { ':pk': partition.pk },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: cursor === null ? undefined : decodeCursor(cursor, partition, isIngestKey),
    });
    // The index holds keys only; the records come in one batch and keep the index's order.
    const records = new Map(
      (
        await this.table.batchGet(
          entries.map((e) => ({ pk: e.pk as string, sk: e.sk as string })),
          { consistent: false },
        )
      ).map((i) => [i.pk, i]),
    );
    return {
      records: entries.flatMap((entry) => {
        const item = records.get(entry.pk);
        return item ? [ingestFromItem(item)] : [];
      }),
      cursor: lastKey ? encodeCursor(lastKey) : null,
    };
  }

  async getIngest(key: string): Promise<IngestRecord | null> {
    const item = await this.table.get(keys.ingest(key));
    return item ? ingestFromItem(item) : null;
  }

  /** Runs one email's transaction and turns a failed condition into the core error it means. */
  private async write(ingest: IngestRecord, fingerprint: string | null, items: NamedItem[]): Promise<void> {
    try {
      await this.table.transact(items);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      if (error.failed('ingest')) throw new DuplicateIngestError(ingest.key, { cause: error });
      if (error.failed('content') && fingerprint) throw new DuplicateContentError(fingerprint, { cause: error });
      // `message-id`: another email took this Message-ID meanwhile; the retry reads it and keeps its own id unindexed.
      throw new ConcurrentUpdateError(`${error.names.join(', ')} changed concurrently`, { cause: error });
    }
  }
}

/** The content and Message-ID items an email's write claims, each conditional on being new. */
function claimItems(claims: EmailClaims, ingest: IngestRecord, ticketId: string): NamedItem[] {
  return [
    ...(claims.fingerprint ? [contentPut(claims.fingerprint, ingest.key, ticketId)] : []),
    ...(claims.messageId ? [putNew('message-id', messageIdItem(claims.messageId, ticketId, null))] : []),
  ];
}
