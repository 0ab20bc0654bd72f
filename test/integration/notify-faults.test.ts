// integration: notify under faults scripted with the fault injector: SES throttling and rejection, crashes before and after SES accepted the message
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createFaultInjector } from '../../bin/local/faults';
import { deliveryToItem, ticketToItem } from '../../functions/adapters/dynamo-items';
import { keys } from '../../functions/contracts';
import { newId } from '../../functions/core/ids';
import type { Delivery } from '../../functions/core/notify/notify-ports';
import type { NewDelivery } from '../../functions/core/ports';
import type { Ticket } from '../../functions/core/types';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';

/**
 * A table of its own with a fault injector on the functions' clients. The stream is not polled: each test decides
 * when and how often a record is delivered.
 */
async function setup() {
  const faults = createFaultInjector({});
  const h = await startRuntimeHarness({ name: 'notify-faults', faults, pollStream: false });
  return { faults, h };
}

/** A ticket and one pending reply delivery, written the way the API does, and the INSERT record for it. */
async function pendingReply(h: RuntimeHarness): Promise<{ delivery: NewDelivery; event: DynamoDBStreamEvent }> {
  const ticketId = newId();
  const at = new Date().toISOString();
  const ticket: Ticket = {
    id: ticketId,
    deskId: 'support',
    number: 7,
    subject: 'Fault test',
    status: 'open',
    priority: 'normal',
    requester: { address: `ann-${ticketId}@customer.example`, name: 'Ann' },
    participants: [],
    assignee: null,
    labels: [],
    createdAt: at,
    updatedAt: at,
    messageCount: 1,
    threadMessageIds: ['<first@customer.example>'],
    preview: '',
    version: 0,
  };
  const delivery: NewDelivery = {
    id: newId(),
    kind: 'reply',
    ticketId,
    deskId: 'support',
    recipient: ticket.requester,
    messageItemId: newId(),
    content: { ticketNumber: 7, subject: 'Fault test', body: 'Hello', authorName: 'Ada', inReplyTo: null, references: [], attachments: [] },
    createdAt: at,
  };
  await h.documents.send(new PutCommand({ TableName: h.tableName, Item: ticketToItem(ticket) }));
  const item = deliveryToItem(delivery);
  await h.documents.send(new PutCommand({ TableName: h.tableName, Item: item }));
  const record = {
    eventID: '1',
    eventName: 'INSERT' as const,
    dynamodb: { SequenceNumber: '100', NewImage: marshall(item, { removeUndefinedValues: true }) },
  };
  return { delivery, event: { Records: [record] } as unknown as DynamoDBStreamEvent };
}

async function stored(h: RuntimeHarness, delivery: NewDelivery): Promise<Delivery> {
  const { Item } = await h.documents.send(
    new GetCommand({ TableName: h.tableName, Key: keys.delivery(delivery.ticketId, delivery.id), ConsistentRead: true }),
  );
  return Item as Delivery;
}

describe('notify under faults', () => {
  it('sends once after SES throttling: the record is reported failed, then retried', async () => {
    // Arrange
    const { faults, h } = await setup();
    faults.failNext({ service: 'ses', operation: 'SendRawEmail', kind: 'throttle' });
    const { delivery, event } = await pendingReply(h);

    // Act
    const first = await h.notify(event);
    const afterFirst = await stored(h, delivery);
    const second = await h.notify(event);

    // Assert: the first call was throttled before SES, the second reached it and was recorded
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect(afterFirst).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'Throttling: Maximum sending rate exceeded. (injected)',
    });
    expect(second.batchItemFailures).toEqual([]);
    expect(faults.stats.injected.get('ses:throttle')).toBe(1);
    const outbox = await h.outboxFor(delivery.recipient.address);
    expect(outbox).toHaveLength(1);
    expect(await stored(h, delivery)).toMatchObject({ status: 'sent', attempts: 2, sesMessageId: outbox[0]!.messageId });
  });

  it('ends a delivery failed, visible to agents, when SES rejects the message', async () => {
    const { faults, h } = await setup();
    faults.failNext({ service: 'ses', operation: 'SendRawEmail', kind: 'reject' });
    const { delivery, event } = await pendingReply(h);

    const result = await h.notify(event);

    expect(result.batchItemFailures).toEqual([]);
    expect(await stored(h, delivery)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'MessageRejected: Email address is not verified. (injected)',
    });
    expect(await h.outboxFor(delivery.recipient.address)).toHaveLength(0);
  });

  it('marks the ticket of a delivery SES rejected, which ?delivery=failed lists, until an agent retries and it is sent', async () => {
    const { faults, h } = await setup();
    faults.failNext({ service: 'ses', operation: 'SendRawEmail', kind: 'reject' });
    const { delivery, event } = await pendingReply(h);
    type Listed = { items: Ticket[] };

    await h.notify(event);
    // A redelivered record changes nothing: the delivery is failed, the mark a set holding its id once.
    await h.notify(event);

    const ticket = await h.call<Ticket>('GET', `/api/tickets/${delivery.ticketId}`);
    expect(ticket.json.failedDeliveries).toEqual([delivery.id]);
    const failed = await h.call<Listed>('GET', '/api/tickets', { query: { delivery: 'failed' } });
    expect(failed.json.items.map((t) => t.id)).toEqual([delivery.ticketId]);
    // Without the filter the open list shows the same ticket with its mark.
    const open = await h.call<Listed>('GET', '/api/tickets');
    expect(open.json.items.find((t) => t.id === delivery.ticketId)?.failedDeliveries).toEqual([delivery.id]);

    const retried = await h.call('POST', `/api/tickets/${delivery.ticketId}/deliveries/${delivery.id}/retry`);
    expect(retried.status).toBe(200);
    const item = (await h.documents.send(new GetCommand({ TableName: h.tableName, Key: keys.delivery(delivery.ticketId, delivery.id) })))
      .Item!;
    const modify = {
      Records: [
        {
          eventID: '2',
          eventName: 'MODIFY',
          dynamodb: { SequenceNumber: '200', NewImage: marshall(item, { removeUndefinedValues: true }) },
        },
      ],
    } as unknown as DynamoDBStreamEvent;
    expect((await h.notify(modify)).batchItemFailures).toEqual([]);

    expect(await stored(h, delivery)).toMatchObject({ status: 'sent' });
    expect((await h.call<Ticket>('GET', `/api/tickets/${delivery.ticketId}`)).json.failedDeliveries).toBeUndefined();
    expect((await h.call<Listed>('GET', '/api/tickets', { query: { delivery: 'failed' } })).json.items).toEqual([]);
  });

  it('gives up after five throttled attempts and marks the delivery failed', async () => {
    const { faults, h } = await setup();
    faults.failNext({ service: 'ses', operation: 'SendRawEmail', kind: 'throttle', times: 5 });
    const { delivery, event } = await pendingReply(h);

    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await h.notify(event));

    expect(results.map((r) => r.batchItemFailures.length)).toEqual([1, 1, 1, 1, 0]);
    expect(faults.stats.injected.get('ses:throttle')).toBe(5);
    expect(await stored(h, delivery)).toMatchObject({ status: 'failed', attempts: 5 });
    expect((await stored(h, delivery)).lastError).toContain('gave up after 5 attempts');
    expect(await h.outboxFor(delivery.recipient.address)).toHaveLength(0);
  });

  it('leaves a delivery claimed by a crashed invocation alone until its lease ends, then sends it once', async () => {
    // Arrange: an invocation claimed the delivery and died before calling SES.
    const { h } = await setup();
    const { delivery, event } = await pendingReply(h);
    let now = new Date();
    const claim = await h.runtime.notify.deliveries.claim({
      delivery: await stored(h, delivery),
      claimId: newId(),
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + 60_000).toISOString(),
      rate: null,
    });
    expect(claim).toEqual({ kind: 'claimed' });
    const handler = h.notifyWith({ clock: () => now });

    // Act
    const whileLeased = await handler(event);
    now = new Date(now.getTime() + 61_000);
    const afterLease = await handler(event);
    const again = await handler(event);

    // Assert
    expect(whileLeased.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect(afterLease.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    const outbox = await h.outboxFor(delivery.recipient.address);
    expect(outbox).toHaveLength(1);
    expect(await stored(h, delivery)).toMatchObject({ status: 'sent', attempts: 2, sesMessageId: outbox[0]!.messageId });
  });

  it('sends twice in the one unguarded window: a crash after SES accepted the message, before it was recorded', async () => {
    // Arrange: the first invocation dies between SendRawEmail and the write recording it.
    const { faults, h } = await setup();
    const { delivery, event } = await pendingReply(h);
    let now = new Date();
    faults.crashNext('after-ses-accepted');

    // Act
    const crashed = await h.notifyWith({ clock: () => now })(event, { getRemainingTimeInMillis: () => 10_000 });
    now = new Date(now.getTime() + 13_000);
    await h.notifyWith({ clock: () => now })(event);

    // Assert: the customer got two copies; the table knows only the second.
    expect(crashed.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect(faults.stats.crashes.get('after-ses-accepted')).toBe(1);
    const outbox = await h.outboxFor(delivery.recipient.address);
    expect(outbox).toHaveLength(2);
    expect(await stored(h, delivery)).toMatchObject({ status: 'sent', attempts: 2, sesMessageId: outbox[1]!.messageId });
  });
});
