// local stack: the notify on-failure "queue" file: Lambda's record shape, read and emptied by `sesdesk redrive`
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFailedBatch, FileFailedBatchStore, notifyFailuresFile, onFailureRecord } from '../../bin/local/notify-failures';

const record = (sequence: string, at: number): DynamoDBRecord => ({
  eventID: `shard-0001:${sequence}`,
  eventName: 'MODIFY',
  dynamodb: { SequenceNumber: sequence, ApproximateCreationDateTime: at },
});

describe('the local notify failure file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sesdesk-failures-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes the record Lambda sends to a stream's on-failure destination: batch positions, no images", () => {
    const now = new Date('2026-12-01T12:00:00.000Z');

    const written = onFailureRecord([record('100', 1_764_590_000), record('105', 1_764_590_001)], {
      streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/sesdesk/stream/x',
      functionName: 'sesdesk-notify (local)',
      attempts: 11,
      condition: 'RetryAttemptsExhausted',
      now,
    });

    expect(written).toMatchObject({
      requestContext: { functionArn: 'sesdesk-notify (local)', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
      version: '1.0',
      timestamp: '2026-12-01T12:00:00.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shard-0001',
        startSequenceNumber: '100',
        endSequenceNumber: '105',
        batchSize: 2,
        approximateArrivalOfFirstRecord: new Date(1_764_590_000_000).toISOString(),
        streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/sesdesk/stream/x',
      },
    });
    expect(JSON.stringify(written)).not.toContain('NewImage');
  });

  it('hands out each appended batch and removes only the ones redrive was given, even with lines appended since', async () => {
    const file = notifyFailuresFile(dir);
    const options = { streamArn: 's', functionName: 'f', attempts: 11, condition: 'RetryAttemptsExhausted', now: new Date() };
    await appendFailedBatch(file, onFailureRecord([record('1', 1)], options));
    await appendFailedBatch(file, onFailureRecord([record('2', 2)], options));
    const store = new FileFailedBatchStore(file);

    const batches = await store.receive();
    await appendFailedBatch(file, onFailureRecord([record('3', 3)], options));
    await appendFile(file, 'not a record\n');
    await store.remove(batches);

    expect(batches.map((b) => b.startSequenceNumber)).toEqual(['1', '2']);
    expect((await store.receive()).map((b) => b.startSequenceNumber)).toEqual(['3']);
    expect(await readFile(file, 'utf8')).toContain('not a record');
  });

  it('has nothing to hand out when the stack never gave up on a batch', async () => {
    expect(await new FileFailedBatchStore(notifyFailuresFile(dir)).receive()).toEqual([]);
  });
});
