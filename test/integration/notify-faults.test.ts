// integration: notify under faults: SES throttling, crashes before and after SES accepted the message
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliveryToItem, ticketToItem } from '../../functions/adapters/dynamo-items';
import { keys } from '../../functions/contracts';
import { SesMailer } from '../../functions/adapters/ses-mailer';
import { newId } from '../../functions/core/ids';
import type { Delivery, DeliveryRepository } from '../../functions/core/notify/notify-ports';
import type { NotifyDeps } from '../../functions/core/notify/process-delivery';
import type { NewDelivery } from '../../functions/core/ports';
import type { Ticket } from '../../functions/core/types';
import { createNotifyHandler } from '../../functions/notify/create-handler';
import { startNotifyHarness, type NotifyHarness } from './notify-harness';

let h: NotifyHarness;
const ses = new SESClient({ region: 'us-east-1' });
const sesMock = mockClient(ses);

beforeAll(async () => {
  h = await startNotifyHarness();
  // The stream is read by hand here: each test decides when and how often a record is delivered.
  await h.stop();
});
afterAll(() => {
  sesMock.restore();
});
afterEach(() => {
  sesMock.reset();
});

function throttling(): Error {
  return Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling', $fault: 'client' });
}

/** A ticket and one pending reply delivery, written the way the API does, and the INSERT record for it. */
async function pendingReply(): Promise<{ delivery: NewDelivery; event: DynamoDBStreamEvent }> {
  const ticketId = newId();
  const at = new Date().toISOString();
  const ticket: Ticket = {
    id: ticketId,
    deskId: 'support',
    number: 7,
    subject: 'Fault test',
    status: 'open',
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

async function stored(delivery: NewDelivery): Promise<Delivery> {
  const { Item } = await h.documents.send(
    new GetCommand({ TableName: h.tableName, Key: keys.delivery(delivery.ticketId, delivery.id), ConsistentRead: true }),
  );
  return Item as Delivery;
}

function depsWith(overrides: Partial<NotifyDeps>): NotifyDeps {
  return { ...h.deps, mailer: new SesMailer(ses), ...overrides };
}

describe('notify under faults', () => {
  it('sends once after SES throttling: the record is reported failed, then retried', async () => {
    // Arrange
    sesMock.on(SendRawEmailCommand).rejectsOnce(throttling()).resolves({ MessageId: 'ses-after-throttle' });
    const { delivery, event } = await pendingReply();
    const handler = createNotifyHandler(async () => depsWith({}));

    // Act
    const first = await handler(event);
    const afterFirst = await stored(delivery);
    const second = await handler(event);

    // Assert
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect(afterFirst).toMatchObject({ status: 'pending', attempts: 1, lastError: 'Throttling: Maximum sending rate exceeded.' });
    expect(second.batchItemFailures).toEqual([]);
    expect(await stored(delivery)).toMatchObject({ status: 'sent', attempts: 2, sesMessageId: 'ses-after-throttle' });
    expect(sesMock.commandCalls(SendRawEmailCommand).filter((call) => call.returnValue !== undefined)).toHaveLength(2);
    await expect(sesMock.commandCalls(SendRawEmailCommand)[0]!.returnValue).rejects.toThrow('Maximum sending rate');
  });

  it('ends a delivery failed, visible to agents, when SES rejects the message', async () => {
    sesMock.on(SendRawEmailCommand).rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    const { delivery, event } = await pendingReply();

    const result = await createNotifyHandler(async () => depsWith({}))(event);

    expect(result.batchItemFailures).toEqual([]);
    expect(await stored(delivery)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'MessageRejected: Email address is not verified.',
    });
  });

  it('gives up after five throttled attempts and marks the delivery failed', async () => {
    sesMock.on(SendRawEmailCommand).rejects(throttling());
    const { delivery, event } = await pendingReply();
    const handler = createNotifyHandler(async () => depsWith({}));

    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await handler(event));

    expect(results.map((r) => r.batchItemFailures.length)).toEqual([1, 1, 1, 1, 0]);
    expect(await stored(delivery)).toMatchObject({ status: 'failed', attempts: 5 });
    expect((await stored(delivery)).lastError).toContain('gave up after 5 attempts');
  });

  it('leaves a delivery claimed by a crashed invocation alone until its lease ends, then sends it once', async () => {
    // Arrange: an invocation claimed the delivery and died before calling SES.
    sesMock.on(SendRawEmailCommand).resolves({ MessageId: 'ses-after-crash' });
    const { delivery, event } = await pendingReply();
    let now = new Date();
    const claim = await h.deliveries.claim({
      delivery: await stored(delivery),
      claimId: newId(),
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + 60_000).toISOString(),
      rate: null,
    });
    expect(claim).toEqual({ kind: 'claimed' });
    const handler = createNotifyHandler(async () => depsWith({ clock: () => now }));

    // Act
    const whileLeased = await handler(event);
    now = new Date(now.getTime() + 61_000);
    const afterLease = await handler(event);
    const again = await handler(event);

    // Assert
    expect(whileLeased.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect(afterLease.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(1);
    expect(await stored(delivery)).toMatchObject({ status: 'sent', attempts: 2, sesMessageId: 'ses-after-crash' });
  });

  it('sends twice in the one unguarded window: a crash after SES accepted the message, before it was recorded', async () => {
    // Arrange: the first invocation dies between SendRawEmail and the write recording it.
    sesMock.on(SendRawEmailCommand).resolvesOnce({ MessageId: 'ses-first' }).resolves({ MessageId: 'ses-second' });
    const { delivery, event } = await pendingReply();
    let now = new Date();
    const crashing: DeliveryRepository = Object.assign(Object.create(h.deliveries) as DeliveryRepository, {
      markSent: async () => {
        throw new Error('Lambda timed out');
      },
    });

    // Act
    const crashed = await createNotifyHandler(async () => depsWith({ deliveries: crashing, clock: () => now }))(event, {
      getRemainingTimeInMillis: () => 10_000,
    });
    now = new Date(now.getTime() + 13_000);
    await createNotifyHandler(async () => depsWith({ clock: () => now }))(event);

    // Assert: the customer got two copies; the table knows only the second.
    expect(crashed.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(2);
    expect(await stored(delivery)).toMatchObject({ status: 'sent', attempts: 2, sesMessageId: 'ses-second' });
  });
});
