// adapter: how core objects map to DynamoDB items (keys per functions/adapters/table-schema.ts)
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { IngestRecord, NewDelivery } from '../core/ports';
import type { Participant, Ticket, TicketMessage } from '../core/types';

export type Item = Record<string, unknown>;
/** One element of a TransactWriteItems request. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
export interface Key {
  pk: string;
  sk: string;
  [attribute: string]: unknown;
}

export const keys = {
  ticket: (ticketId: string): Key => ({ pk: `TICKET#${ticketId}`, sk: 'META' }),
  message: (message: Pick<TicketMessage, 'ticketId' | 'createdAt' | 'id'>): Key => ({
    pk: `TICKET#${message.ticketId}`,
    sk: `MSG#${message.createdAt}#${message.id}`,
  }),
  delivery: (ticketId: string, deliveryId: string): Key => ({ pk: `TICKET#${ticketId}`, sk: `OUT#${deliveryId}` }),
  messageId: (normalizedId: string): Key => ({ pk: `MSGID#${normalizedId}`, sk: 'MSGID' }),
  ingest: (key: string): Key => ({ pk: `INGEST#${key}`, sk: 'INGEST' }),
  counter: (deskId: string): Key => ({ pk: `DESK#${deskId}`, sk: 'COUNTER' }),
  settings: (deskId: string): Key => ({ pk: `DESK#${deskId}`, sk: 'SETTINGS' }),
  number: (deskId: string, number: number): Key => ({ pk: `NUM#${deskId}#${number}`, sk: 'NUM' }),
  address: (address: string): Key => ({ pk: `ADDR#${address.toLowerCase()}`, sk: 'ADDR' }),
  rate: (address: string, day: string): Key => ({ pk: `RATE#${address.toLowerCase()}#${day}`, sk: 'RATE' }),
};

/** Index keys that place a ticket in the inbox views; rewritten on every ticket write. */
export function ticketIndexKeys(ticket: Pick<Ticket, 'id' | 'status' | 'assignee' | 'updatedAt' | 'createdAt' | 'requester'>) {
  return {
    gsi1pk: `STATUS#${ticket.status}`,
    gsi1sk: `${ticket.updatedAt}#${ticket.id}`,
    gsi2pk: `ASSIGNEE#${ticket.assignee ?? '-none-'}#${ticket.status}`,
    gsi2sk: `${ticket.updatedAt}#${ticket.id}`,
    gsi3pk: `REQUESTER#${ticket.requester.address}`,
    gsi3sk: `${ticket.createdAt}#${ticket.id}`,
  };
}

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
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    messageCount: (item.messageCount as number | undefined) ?? 0,
    threadMessageIds: (item.threadMessageIds as string[] | undefined) ?? [],
    preview: (item.preview as string | undefined) ?? '',
    version: (item.version as number | undefined) ?? 0,
  };
}

export function messageToItem(message: TicketMessage): Item {
  return { ...keys.message(message), type: 'message', ...message };
}

/** An item's own attributes, without the table's key and type attributes. */
export function itemFields(item: Item): Item {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  void _pk;
  void _sk;
  void _type;
  return rest;
}

export function messageFromItem(item: Item): TicketMessage {
  const message = itemFields(item) as unknown as TicketMessage;
  return { ...message, bodyKey: message.bodyKey ?? null };
}

export function ingestToItem(record: IngestRecord): Item {
  return {
    ...keys.ingest(record.key),
    type: 'ingest',
    ...record,
    gsi1pk: `INGEST#${record.outcome}`,
    gsi1sk: `${record.at}#${record.key}`,
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
  };
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

/**
 * Records bounce or complaint feedback on an address (from an inbound DSN or an SES notification): a permanent
 * bounce or a complaint sets its state, which stops mail to it; a transient bounce is only counted.
 */
export function addressFeedbackUpdate(
  tableName: string,
  feedback: { address: string; state: 'undeliverable' | 'complained' | null; reason: string },
  at: string,
): TransactItem {
  const { address, state, reason } = feedback;
  return {
    Update: {
      TableName: tableName,
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
}

/** Marks one of our outgoing deliveries as bounced, with the reason agents see. */
export function deliveryBouncedUpdate(
  tableName: string,
  delivery: { ticketId: string; deliveryId: string },
  reason: string,
  at: string,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.delivery(delivery.ticketId, delivery.deliveryId),
      UpdateExpression: 'SET #status = :bounced, lastError = :reason, updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':bounced': 'bounced', ':reason': reason, ':at': at },
    },
  };
}
