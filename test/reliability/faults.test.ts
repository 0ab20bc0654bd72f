// Reliability: the fault injector itself: its spec, its reproducible choices, and faults the SDK's retries see.
import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createFaultInjector, parseFaultSpec, seededRandom } from '../../bin/local/faults';
import { outboxFor } from '../support/outbox';
import { createDocumentClient, createDynamoClient, createSesClient } from '../../bin/local/aws-clients';
import { ensureTable } from '../../bin/local/dynamodb-local';

/** The error a call ended with, or null when it succeeded. */
const errorOf = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => null,
    (e: unknown) => e,
  );

/** Sends a minimal raw email to `to` through `ses`. */
const sendTo = (ses: SESClient, to: string) =>
  ses.send(
    new SendRawEmailCommand({
      RawMessage: { Data: Buffer.from(`From: support@desk.localhost\r\nTo: ${to}\r\nSubject: t\r\n\r\nbody\r\n`) },
      Destinations: [to],
      Source: 'support@desk.localhost',
    }),
  );

describe('the fault injector', () => {
  it('reads SESDESK_FAULTS and refuses what it does not understand', () => {
    expect(parseFaultSpec('dynamodb=0.2, ses=0.2,seed=7,crash=after-s3-read:2,kinds=throttle+timeout-after')).toEqual({
      dynamodb: 0.2,
      ses: 0.2,
      seed: 7,
      kinds: ['throttle', 'timeout-after'],
      crashes: { 'after-s3-read': 2 },
    });
    expect(() => parseFaultSpec('dynamodb=2')).toThrow(/between 0 and 1/);
    expect(() => parseFaultSpec('crash=somewhere')).toThrow(/unknown crash point/);
    expect(() => parseFaultSpec('lambda=0.1')).toThrow(/cannot read/);
  });

  it('makes the same choices for the same seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const draws = (r: () => number) => Array.from({ length: 5 }, r);
    const first = draws(a);
    expect(draws(b)).toEqual(first);
    expect(draws(c)).not.toEqual(first);
  });

  it('throttles inside the SDK retry loop: each attempt fails, and the SDK retries before giving up', async () => {
    const faults = createFaultInjector({ dynamodb: 1, kinds: ['throttle'] });
    const client = createDocumentClient(inject('dynamoEndpoint'));
    faults.instrument('dynamodb', client);

    const error = await errorOf(client.send(new GetCommand({ TableName: 'nowhere', Key: { pk: 'a', sk: 'b' } })));

    expect(error).toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { attempts: 2 } });
    expect(faults.stats.attempts.get('dynamodb')).toBe(2);
  }, 30_000);

  it('lets a lost response (timeout after the call) reach the service: the write happened though the caller saw a timeout', async () => {
    const faults = createFaultInjector({ ses: 1, kinds: ['timeout-after'] });
    const ses = createSesClient(inject('sesEndpoint'));
    faults.instrument('ses', ses);
    const to = `lost-${Date.now()}@customer.example`;

    const error = await errorOf(sendTo(ses, to));

    expect(error).toMatchObject({ name: 'TimeoutError' });
    // Both attempts reached SES: the SDK's own retry is what sends twice in this window.
    expect(await outboxFor(inject('sesEndpoint'), to)).toHaveLength(2);
  }, 30_000);

  it('fails exactly the scripted calls of the named operation, outside the SDK retry loop, then lets calls through', async () => {
    // Arrange
    const tableName = `faults-${Date.now()}`;
    await ensureTable(createDynamoClient(inject('dynamoEndpoint')), tableName);
    const faults = createFaultInjector({});
    const client = createDocumentClient(inject('dynamoEndpoint'));
    faults.instrument('dynamodb', client);
    faults.failNext({ service: 'dynamodb', operation: 'GetItem', kind: 'throttle', times: 2 });
    const key = { pk: 'a', sk: 'b' };
    const get = () =>
      client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })).then(
        (output) => output.Item ?? null,
        (e: unknown) => e,
      );

    // Act
    await client.send(new PutCommand({ TableName: tableName, Item: { ...key, value: 1 } }));
    const results = [await get(), await get(), await get()];

    // Assert: another operation passed, the two scripted calls failed once each (no SDK retry), the third read the item
    expect(results[0]).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(results[1]).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(results[2]).toEqual({ ...key, value: 1 });
    expect(faults.stats.injected.get('dynamodb:throttle')).toBe(2);
    expect(faults.stats.attempts.get('dynamodb')).toBe(2);
  }, 30_000);

  it('does a scripted timeout-after call before the caller sees the timeout, and disarm drops what has not fired', async () => {
    const tableName = `faults-after-${Date.now()}`;
    await ensureTable(createDynamoClient(inject('dynamoEndpoint')), tableName);
    const faults = createFaultInjector({});
    const client = createDocumentClient(inject('dynamoEndpoint'));
    faults.instrument('dynamodb', client);
    const put = (value: number) => errorOf(client.send(new PutCommand({ TableName: tableName, Item: { pk: 'a', sk: 'b', value } })));

    faults.failNext({ service: 'dynamodb', operation: 'PutItem', kind: 'timeout-after', times: 2 });
    const lost = await put(1);
    const stored = await client.send(new GetCommand({ TableName: tableName, Key: { pk: 'a', sk: 'b' }, ConsistentRead: true }));
    faults.disarm();
    const after = await put(2);

    expect(lost).toMatchObject({ name: 'TimeoutError' });
    expect(stored.Item).toMatchObject({ value: 1 });
    expect(after).toBeNull();
    expect(faults.stats.injected.get('dynamodb:timeout-after')).toBe(1);
  }, 30_000);

  it('rejects a scripted SES send for good: MessageRejected, nothing reaches the outbox', async () => {
    const faults = createFaultInjector({});
    const ses = createSesClient(inject('sesEndpoint'));
    faults.instrument('ses', ses);
    faults.failNext({ service: 'ses', kind: 'reject' });
    const to = `rejected-${Date.now()}@customer.example`;

    const error = await errorOf(sendTo(ses, to));

    expect(error).toMatchObject({ name: 'MessageRejected', message: 'Email address is not verified. (injected)' });
    expect(faults.stats.attempts.get('ses') ?? 0).toBe(0);
    expect(await outboxFor(inject('sesEndpoint'), to)).toEqual([]);
  }, 30_000);
});
