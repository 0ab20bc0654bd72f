// unit-level: the local stream poller delivers batches and retries them the way Lambda's event source mapping does
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { pollStream } from '../../bin/local/stream-poller';

const client = new DynamoDBStreamsClient({ region: 'us-east-1' });
const streams = mockClient(client);
afterEach(() => streams.reset());

const records = (...sequences: string[]): _Record[] =>
  sequences.map((seq) => ({ eventID: seq, eventName: 'INSERT', dynamodb: { SequenceNumber: seq, Keys: { pk: { S: `K${seq}` } } } }));

function oneShard(batch: _Record[]): void {
  streams.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } });
  streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
  streams.on(GetRecordsCommand, { ShardIterator: 'it-0' }).resolves({ Records: batch, NextShardIterator: 'it-1' });
  streams.on(GetRecordsCommand, { ShardIterator: 'it-1' }).resolves({ Records: [], NextShardIterator: 'it-1' });
}

const sequencesOf = (event: DynamoDBStreamEvent) => event.Records.map((r) => r.dynamodb?.SequenceNumber);

describe('pollStream', () => {
  it('hands records to the handler as a Lambda stream event', async () => {
    oneShard(records('1', '2'));
    const events: DynamoDBStreamEvent[] = [];

    const poller = pollStream({ client, streamArn: 'arn:stream', idleMs: 10, onBatch: async (event) => void events.push(event) });
    await poller.settled();
    await poller.stop();

    expect(events.map(sequencesOf)).toEqual([['1', '2']]);
    expect(events[0]!.Records[0]).toMatchObject({ eventSource: 'aws:dynamodb', eventSourceARN: 'arn:stream', eventName: 'INSERT' });
  });

  it('retries from the lowest reported batch item failure, later records included', async () => {
    oneShard(records('1', '2', '3'));
    const events: DynamoDBStreamEvent[] = [];

    const poller = pollStream({
      client,
      streamArn: 'arn:stream',
      idleMs: 10,
      retryDelayMs: () => 1,
      onBatch: async (event) => {
        events.push(event);
        return { batchItemFailures: events.length === 1 ? [{ itemIdentifier: '3' }, { itemIdentifier: '2' }] : [] };
      },
    });
    await poller.settled();
    await poller.stop();

    expect(events.map(sequencesOf)).toEqual([
      ['1', '2', '3'],
      ['2', '3'],
    ]);
  });

  it('retries a batch whose handler threw, and discards it after the last retry', async () => {
    oneShard(records('1'));
    let calls = 0;
    const discarded: string[] = [];

    const poller = pollStream({
      client,
      streamArn: 'arn:stream',
      idleMs: 10,
      maxRetries: 2,
      retryDelayMs: () => 1,
      onBatch: async () => {
        calls += 1;
        throw new Error('boom');
      },
      onDiscard: (failed) => discarded.push(...failed.map((r) => r.dynamodb?.SequenceNumber ?? '')),
    });
    await poller.settled();
    await poller.stop();

    expect(calls).toBe(3);
    expect(discarded).toEqual(['1']);
  });

  it('waits between passes that fail, so an unreachable stream cannot starve the process', async () => {
    // Refused after a turn of the event loop, as a real connection is.
    streams.on(DescribeStreamCommand).callsFake(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('connect ECONNREFUSED 127.0.0.1:8006');
    });
    const errors: unknown[] = [];

    const poller = pollStream({
      client,
      streamArn: 'arn:stream',
      idleMs: 50,
      onBatch: async () => undefined,
      onError: (e) => errors.push(e),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await poller.stop();

    // One pass every 50 ms: about six in 300 ms, not thousands.
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(8);
  });
});
