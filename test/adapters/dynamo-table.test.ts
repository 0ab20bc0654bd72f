// unit: the table helper: batched consistent reads, named transaction items, retries (aws-sdk-client-mock, no server)
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../functions/adapters/aws-clients';
import { ConditionFailedError, DynamoTable, putNew } from '../../functions/adapters/dynamo-table';

const client = documentClient();
const mock = mockClient(DynamoDBDocumentClient);
const table = new DynamoTable(client, 'desk');
afterEach(() => mock.reset());
// Unit test files share a worker's modules (isolate: false): a class-wide mock must not outlive this file.
afterAll(() => mock.restore());

const cancelled = (codes: string[], item?: Record<string, AttributeValue>) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code, i) => ({ Code, ...(i === 0 && item ? { Item: item } : {}) })),
  });

describe('DynamoTable', () => {
  it('reads consistently in requests of 100 keys, asks each key once and asks again for unprocessed ones', async () => {
    const keys = Array.from({ length: 150 }, (_, i) => ({ pk: `K#${i}`, sk: 'S' }));
    mock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { desk: [{ pk: 'K#0' }] }, UnprocessedKeys: { desk: { Keys: [{ pk: 'K#1', sk: 'S' }] } } })
      .resolves({ Responses: { desk: [{ pk: 'K#x' }] } });

    const items = await table.batchGet([...keys, keys[0]!]);

    const calls = mock.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems!.desk!);
    expect(calls.map((c) => c.Keys!.length)).toEqual([100, 1, 50]);
    expect(calls.every((c) => c.ConsistentRead === true)).toBe(true);
    expect(items).toHaveLength(3);
  });

  it('gives up with a clear error when keys stay unprocessed', async () => {
    vi.useFakeTimers();
    try {
      mock.on(BatchGetCommand).resolves({ UnprocessedKeys: { desk: { Keys: [{ pk: 'K', sk: 'S' }] } } });
      const outcome = table.batchGet([{ pk: 'K', sk: 'S' }]).catch((error: unknown) => error);
      await vi.runAllTimersAsync();
      expect(String(await outcome)).toMatch(/1 keys unprocessed after retries/);
      expect(mock.commandCalls(BatchGetCommand)).toHaveLength(9);
    } finally {
      vi.useRealTimers();
    }
  });

  it('adds the table name to every transaction item', async () => {
    mock.on(TransactWriteCommand).resolves({});
    await table.transact([putNew('ticket', { pk: 'T', sk: 'META' })]);
    expect(mock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems).toEqual([
      { Put: { TableName: 'desk', Item: { pk: 'T', sk: 'META' }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ]);
  });

  it('names the items whose conditions failed, with the stored values DynamoDB returned', async () => {
    mock
      .on(TransactWriteCommand)
      .rejects(cancelled(['ConditionalCheckFailed', 'None', 'ConditionalCheckFailed'], { status: { S: 'sent' } }));
    const error = await table
      .transact([putNew('delivery', { pk: 'D' }), putNew('address', { pk: 'A' }), putNew('rate', { pk: 'R' })])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect((error as ConditionFailedError).names).toEqual(['delivery', 'rate']);
    expect((error as ConditionFailedError).failed('address')).toBe(false);
    expect((error as ConditionFailedError).oldItems.get('delivery')).toEqual({ status: 'sent' });
  });

  it('tries a transaction again when only a concurrent transaction cancelled it', async () => {
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(['TransactionConflict', 'None']))
      .resolves({});
    await table.transact([putNew('a', { pk: 'A' }), putNew('b', { pk: 'B' })]);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('does not retry other cancellations forever: conflicts stop after three attempts', async () => {
    mock.on(TransactWriteCommand).rejects(cancelled(['TransactionConflict']));
    await expect(table.transact([putNew('a', { pk: 'A' })])).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('turns a failed single update into a ConditionFailedError with its name', async () => {
    mock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    await expect(table.update('ticket', { Key: { pk: 'T', sk: 'META' }, UpdateExpression: 'SET a = :a' })).rejects.toMatchObject({
      names: ['ticket'],
    });
  });
});
