// adapter: how core objects map to DynamoDB items and writes (keys from functions/contracts.ts)
import { indexPartitions, keys, ticketIndexKeys } from '../contracts';
import type { ClearedState } from '../core/feedback/address-clearing';
import type { AddressFeedback } from '../core/feedback/address-feedback';
import type { LateEndWrite } from '../core/notify/notify-ports';
import { FAILED_DELIVERY_TERM } from '../core/search/search-terms';
import { normalizeMessageId } from '../core/ids';
import { MAIL_LOG_OUTCOMES, type IngestRecord, type NewDelivery, type TicketTransition } from '../core/ports';
import type { HeldResolution, MessageSplit, Participant, Ticket, TicketMessage } from '../core/types';
import { putNew, type Item, type NamedItem, type TableWrite } from './dynamo-table';

export function ticketToItem(ticket: Ticket): Item {
  return { ...keys.ticket(ticket.id), type: 'ticket', ...ticket, ...ticketIndexKeys(ticket) };
}

export function ticketFromItem(item: Item): Ticket {
  const unsubscribed = item.unsubscribed instanceof Set ? (item.unsubscribed as Set<string>) : new Set<string>();
  const participants = ((item.participants as Participant[] | undefined) ?? []).map((p) => ({
    ...p,
    unsubscribed: p.unsubscribed || unsubscribed.has(p.address),
  }));
  return {
    id: item.id as string,
    deskId: item.deskId as string,
    number: item.number as number,
    subject: item.subject as string,
    status: item.status as Ticket['status'],
    requester: item.requester as Ticket['requester'],
    participants,
    assignee: (item.assignee as string | null | undefined) ?? null,
    labels: (item.labels as string[] | undefined) ?? [],
    // Tickets stored before priorities existed are normal ones.
    priority: (item.priority as Ticket['priority'] | undefined) ?? 'normal',
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    messageCount: (item.messageCount as number | undefined) ?? 0,
    threadMessageIds: (item.threadMessageIds as string[] | undefined) ?? [],
    preview: (item.preview as string | undefined) ?? '',
    version: (item.version as number | undefined) ?? 0,
    ...(typeof item.mergedInto === 'string' ? { mergedInto: item.mergedInto } : {}),
    ...(typeof item.changedBy === 'string' ? { changedBy: item.changedBy } : {}),
    // A string set, which DynamoDB drops when its last id is taken out.
    ...(item.failedDeliveries instanceof Set && item.failedDeliveries.size > 0
      ? { failedDeliveries: [...(item.failedDeliveries as Set<string>)].sort() }
      : {}),
  };
}

/**
 * Writes a ticket change core decided: every field that can change, and the index keys, guarded by the version
 * read before (optimistic locking: a concurrent change makes the condition fail). `marked`: deliveries whose ids the
 * ticket keeps in `failedDeliveries` from now on (see {@link failedDeliveriesMark}).
 */
export function ticketUpdate(change: TicketTransition, marked: readonly string[] = []): NamedItem {
  const { before, after } = change;
  // Core bumps the version with every decided change; anything else would let two writers pass the same check.
  if (after.version !== before.version + 1)
    throw new Error(`ticket ${before.id}: a change must move version ${before.version} to ${before.version + 1}`);
  const index = ticketIndexKeys(after);
  return {
    name: 'ticket',
    write: {
      Update: {
        Key: keys.ticket(before.id),
        UpdateExpression:
          'SET #status = :status, assignee = :assignee, labels = :labels, priority = :priority, participants = :participants, updatedAt = :updatedAt, ' +
          'threadMessageIds = :ids, preview = :preview, messageCount = :count, ' +
          'gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk, gsi4pk = :gsi4pk, version = :next, changedBy = :changedBy' +
          (after.mergedInto ? ', mergedInto = :mergedInto' : '') +
          // ADD, not SET: a mark notify adds meanwhile (it keeps the version) must not be overwritten.
          (marked.length > 0 ? ' ADD failedDeliveries :marked' : ''),
        ConditionExpression: 'version = :version',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': after.status,
          ':assignee': after.assignee,
          ':labels': after.labels,
          ':priority': after.priority,
          ':participants': after.participants,
          ':updatedAt': after.updatedAt,
          ':ids': after.threadMessageIds,
          ':preview': after.preview,
          ':count': after.messageCount,
          ':gsi1pk': index.gsi1pk,
          ':gsi1sk': index.gsi1sk,
          ':gsi2pk': index.gsi2pk,
          ':gsi2sk': index.gsi2sk,
          ':gsi4pk': index.gsi4pk,
          ':version': before.version,
          ':next': after.version,
          ...(after.mergedInto ? { ':mergedInto': after.mergedInto } : {}),
          ':changedBy': after.changedBy ?? null,
          ...(marked.length > 0 ? { ':marked': new Set(marked) } : {}),
        },
      },
    },
  };
}

/**
 * The index items of a ticket's search terms: one per term, keyed by desk, term and ticket and holding nothing
 * else, so writing one again (a redelivered event, a term two messages share) changes nothing.
 */
export function termItems(deskId: string, ticketId: string, terms: readonly string[]): Item[] {
  return [...new Set(terms)].map((term) => ({ ...keys.term(deskId, term, ticketId), type: 'term' }));
}

export function messageToItem(message: TicketMessage): Item {
  return { ...keys.message(message), type: 'message', ...message };
}

/** An item's own attributes, without the table's key and type attributes. */
export function itemFields(item: Item): Item {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return rest;
}

export function messageFromItem(item: Item): TicketMessage {
  const message = itemFields(item) as unknown as TicketMessage;
  return { ...message, bodyKey: message.bodyKey ?? null, held: message.held === true };
}

/** Settles a held message (accepted or moved), only while it is still held: two agents cannot settle it twice. */
export function heldSettledUpdate(message: TicketMessage, resolution: HeldResolution): NamedItem {
  return {
    name: 'held message',
    write: {
      Update: {
        Key: keys.message(message),
        UpdateExpression: 'SET held = :false, heldResolution = :resolution',
        ConditionExpression: 'held = :true',
        ExpressionAttributeValues: { ':false': false, ':true': true, ':resolution': resolution },
      },
    },
  };
}

/** Marks an inbound message as split off into a new ticket; only once. */
export function splitMarkedUpdate(message: TicketMessage, split: MessageSplit): NamedItem {
  return {
    name: 'split message',
    write: {
      Update: {
        Key: keys.message(message),
        UpdateExpression: 'SET splitInto = :split',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(splitInto)',
        ExpressionAttributeValues: { ':split': split },
      },
    },
  };
}

/** Clears an address's blocking state, appending what was cleared to its history; only while it is still in that state. */
export function addressClearedUpdate(address: string, cleared: ClearedState): NamedItem {
  return {
    name: `address ${address}`,
    write: {
      Update: {
        Key: keys.address(address),
        UpdateExpression: 'REMOVE #state, reason SET history = list_append(if_not_exists(history, :empty), :entry), updatedAt = :at',
        ConditionExpression: '#state = :state',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':empty': [], ':entry': [cleared], ':at': cleared.clearedAt, ':state': cleared.state },
      },
    },
  };
}

/**
 * The index item of a Message-ID: which ticket (and, for our outgoing mail, which delivery to whom) it belongs to. The
 * recipient lets a bounce prove it is about that email's recipient without reading the delivery.
 */
export function messageIdItem(messageId: string, ticketId: string, deliveryId: string | null, recipient: string | null = null): Item {
  return {
    ...keys.messageId(normalizeMessageId(messageId)),
    type: 'msgid',
    ticketId,
    deliveryId,
    ...(recipient ? { recipient: recipient.toLowerCase() } : {}),
  };
}

/** Claims an email content for the object that brought it first: a second object with it is a duplicate. */
export function contentPut(fingerprint: string, s3Key: string, ticketId: string | null): NamedItem {
  return putNew('content', { ...keys.content(fingerprint), type: 'content', key: s3Key, ticketId });
}

/**
 * An ingest record. Only mail-log outcomes are indexed (by outcome on byStatus, all together on byAssignee): mail
 * that became a ticket or a reply writes no index entry at all.
 */
export function ingestToItem(record: IngestRecord): Item {
  const logged = (MAIL_LOG_OUTCOMES as readonly string[]).includes(record.outcome);
  const sk = `${record.at}#${record.key}`;
  return {
    ...keys.ingest(record.key),
    type: 'ingest',
    ...record,
    ...(logged ? { gsi1pk: indexPartitions.ingestOutcome(record.outcome), gsi1sk: sk, gsi2pk: indexPartitions.mailLog(), gsi2sk: sk } : {}),
  };
}

export function ingestFromItem(item: Item): IngestRecord {
  return {
    key: item.key as string,
    bucket: item.bucket as string,
    outcome: item.outcome as IngestRecord['outcome'],
    reason: item.reason as string,
    ticketId: (item.ticketId as string | null | undefined) ?? null,
    messageId: (item.messageId as string | null | undefined) ?? null,
    at: item.at as string,
    attempts: (item.attempts as number | undefined) ?? 1,
    from: (item.from as string | null | undefined) ?? null,
    subject: (item.subject as string | null | undefined) ?? null,
  };
}

/** An ingest record can be written over only when it recorded a failure, an ignored mail or a duplicate (a replay). */
export const INGEST_CONDITION = {
  ConditionExpression: 'attribute_not_exists(pk) OR outcome IN (:failed, :ignored, :duplicate)',
  ExpressionAttributeValues: { ':failed': 'failed', ':ignored': 'ignored', ':duplicate': 'duplicate' },
} as const;

/** The ingest record as the first item of an email's transaction: its condition is what makes ingest idempotent. */
export function ingestPut(record: IngestRecord): NamedItem {
  return { name: 'ingest', write: { Put: { Item: ingestToItem(record), ...INGEST_CONDITION } } };
}

/** A delivery item starts `pending`; the notify function moves it through sending → sent | failed. */
export function deliveryToItem(delivery: NewDelivery): Item {
  return {
    ...keys.delivery(delivery.ticketId, delivery.id),
    type: 'delivery',
    ...delivery,
    status: 'pending',
    attempts: 0,
    lastError: null,
    updatedAt: delivery.createdAt,
  };
}

/** Creates a delivery item; it is new by construction (fresh id). */
export function deliveryPut(delivery: NewDelivery): NamedItem {
  return putNew(`delivery ${delivery.id}`, deliveryToItem(delivery));
}

/**
 * Writes what core decided about an address: a state (undeliverable, complained) stops mail to it; `state: null`
 * only counts a transient bounce.
 */
export function addressFeedbackUpdate(feedback: AddressFeedback, at: string): NamedItem {
  const { address, state, reason } = feedback;
  const write: TableWrite = {
    Update: {
      Key: keys.address(address),
      UpdateExpression: state
        ? 'SET #type = :type, address = :address, #state = :state, reason = :reason, updatedAt = :at ADD bounces :one'
        : 'SET #type = :type, address = :address, lastTransient = :reason, updatedAt = :at ADD transientBounces :one',
      ExpressionAttributeNames: state ? { '#type': 'type', '#state': 'state' } : { '#type': 'type' },
      ExpressionAttributeValues: {
        ':type': 'address',
        ':address': address.toLowerCase(),
        ':reason': reason,
        ':at': at,
        ':one': 1,
        ...(state ? { ':state': state } : {}),
      },
    },
  };
  return { name: `address ${address}`, write };
}

/**
 * Ends one of our sent deliveries as a later report decided (`bounced`, `complained`), with the reason agents see; only
 * while it is still `sent`, the state core decided on, so a copy of the report or a race with a retry ends nothing twice.
 */
export function lateEndUpdate(end: LateEndWrite, reason: string, at: string): NamedItem {
  return {
    name: `delivery ${end.deliveryId}`,
    write: {
      Update: {
        Key: keys.delivery(end.ticketId, end.deliveryId),
        UpdateExpression: 'SET #status = :end, lastError = :reason, updatedAt = :at',
        ConditionExpression: '#status = :sent',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':end': end.status, ':sent': 'sent', ':reason': reason, ':at': at },
      },
    },
  };
}

/** A late end of one delivery and, when it marks the ticket, the mark and its index entry: one transaction's items. */
export function lateEndItems(end: LateEndWrite, reason: string, at: string): NamedItem[] {
  return [
    lateEndUpdate(end, reason, at),
    ...(end.marksTicket ? [failedDeliveriesMark(end.ticketId, [end.deliveryId]), failedDeliveryTermPut(end.deskId, end.ticketId)] : []),
  ];
}

/**
 * Adds deliveries to a ticket's `failedDeliveries` (a string set: adding an id twice changes nothing). Never together with
 * {@link ticketUpdate} of the same ticket in one transaction: pass the ids to that instead.
 */
export function failedDeliveriesMark(ticketId: string, deliveryIds: readonly string[]): NamedItem {
  return {
    name: `ticket ${ticketId} mark`,
    write: {
      Update: {
        Key: keys.ticket(ticketId),
        UpdateExpression: 'ADD failedDeliveries :ids',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':ids': new Set(deliveryIds) },
      },
    },
  };
}

/** The failed-delivery index entry of a marked ticket (`?delivery=failed` reads it); writing it again changes nothing. */
export function failedDeliveryTermPut(deskId: string, ticketId: string): NamedItem {
  const [term] = termItems(deskId, ticketId, [FAILED_DELIVERY_TERM]);
  return { name: `term ${ticketId}`, write: { Put: { Item: term! } } };
}
