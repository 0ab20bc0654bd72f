// core: which stuck deliveries a redrive sends again, and when it empties the failure store
import { describe, expect, it } from 'vitest';
import {
  parseFailedBatch,
  redriveDeliveries,
  redriveReason,
  type FailedStreamBatch,
  type RedriveDeps,
  type UnsentDelivery,
} from '../../../functions/core/notify/redrive';
import { MemoryLog } from '../../support/logs';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

const pending = (id: string, updatedMinutesAgo: number): UnsentDelivery => ({
  ticketId: 't1',
  deliveryId: id,
  status: 'pending',
  updatedAt: minutesAgo(updatedMinutesAgo),
  leaseUntil: null,
});
const sending = (id: string, leaseEndsInMinutes: number): UnsentDelivery => ({
  ticketId: 't1',
  deliveryId: id,
  status: 'sending',
  updatedAt: minutesAgo(30),
  leaseUntil: minutesAgo(-leaseEndsInMinutes),
});
const batch = (handle: string): FailedStreamBatch => ({
  handle,
  shardId: 'shard-1',
  startSequenceNumber: '100',
  endSequenceNumber: '120',
  batchSize: 3,
  condition: 'RetryAttemptsExhausted',
});

/** In-memory deps: `requestSend` succeeds unless the delivery id is in `movedOn`; every call is recorded. */
function fakeDeps(deliveries: UnsentDelivery[], batches: FailedStreamBatch[], options: { movedOn?: string[]; failOn?: string } = {}) {
  const calls: string[] = [];
  const deps: RedriveDeps = {
    deliveries: {
      async *unsent() {
        calls.push('scan');
        yield* deliveries;
      },
      requestSend: async (d, at, cutoff) => {
        if (d.deliveryId === options.failOn) throw new Error('ProvisionedThroughputExceeded');
        calls.push(`send ${d.deliveryId} at=${at} cutoff=${cutoff}`);
        return !(options.movedOn ?? []).includes(d.deliveryId);
      },
    },
    failures: {
      receive: async () => {
        calls.push('receive');
        return batches;
      },
      remove: async (removed) => {
        calls.push(`remove ${removed.map((b) => b.handle).join(',')}`);
      },
    },
    clock: () => NOW,
    log: new MemoryLog(),
  };
  return { deps, calls };
}

describe('redriveReason', () => {
  it.each([
    [pending('a', 6), 'pending'],
    [pending('b', 5), 'pending'],
    [pending('c', 4), null],
    [sending('d', -1), 'lease-expired'],
    [sending('e', 1), null],
    [{ ...sending('f', 0), leaseUntil: null }, null],
  ] as const)('%j with 5 minutes → %s', (delivery, reason) => {
    expect(redriveReason(delivery, NOW, 5 * 60_000)).toBe(reason);
  });
});

describe('redriveDeliveries', () => {
  it('asks notify to send stuck deliveries, leaves those in flight, and empties the failure store after the scan', async () => {
    const { deps, calls } = fakeDeps(
      [pending('old', 10), pending('fresh', 1), sending('dead', -2), sending('live', 3)],
      [batch('h1'), batch('h2')],
    );

    const summary = await redriveDeliveries(deps, { olderThanMs: 5 * 60_000, dryRun: false });

    expect(summary.redriven.map((d) => `${d.deliveryId} ${d.reason}`)).toEqual(['old pending', 'dead lease-expired']);
    expect(summary).toMatchObject({ inFlight: 2, movedOn: 0, failedBatches: 2, removedBatches: 2 });
    // Read first, removed last: every batch removed was covered by the scan in between.
    expect(calls).toEqual([
      'receive',
      'scan',
      `send old at=${NOW.toISOString()} cutoff=${minutesAgo(5)}`,
      `send dead at=${NOW.toISOString()} cutoff=${minutesAgo(5)}`,
      'remove h1,h2',
    ]);
  });

  it('counts a delivery that moved on between the scan and the write, and does not report it re-driven', async () => {
    const { deps } = fakeDeps([pending('raced', 10)], [], { movedOn: ['raced'] });

    const summary = await redriveDeliveries(deps, { olderThanMs: 0, dryRun: false });

    expect(summary.redriven).toEqual([]);
    expect(summary.movedOn).toBe(1);
  });

  it('changes nothing and removes nothing in a dry run', async () => {
    const { deps, calls } = fakeDeps([pending('old', 10)], [batch('h1')]);

    const summary = await redriveDeliveries(deps, { olderThanMs: 0, dryRun: true });

    expect(summary.redriven.map((d) => d.deliveryId)).toEqual(['old']);
    expect(summary).toMatchObject({ failedBatches: 1, removedBatches: 0 });
    expect(calls).toEqual(['receive', 'scan']);
  });

  it('removes no failure record when the run fails midway, so the next run sees them again', async () => {
    const { deps, calls } = fakeDeps([pending('a', 10), pending('b', 10)], [batch('h1')], { failOn: 'b' });

    await expect(redriveDeliveries(deps, { olderThanMs: 0, dryRun: false })).rejects.toThrow('ProvisionedThroughputExceeded');
    expect(calls.some((call) => call.startsWith('remove'))).toBe(false);
  });
});

describe('parseFailedBatch', () => {
  it("reads Lambda's on-failure record for a DynamoDB stream batch", () => {
    const record = {
      requestContext: {
        requestId: 'r',
        functionArn: 'arn:aws:lambda:eu-west-1:1:function:notify',
        condition: 'RecordAgeExceeded',
        approximateInvokeCount: 6,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-12-01T11:00:00.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000001',
        startSequenceNumber: '800000000003126276362',
        endSequenceNumber: '800000000003126276399',
        approximateArrivalOfFirstRecord: '2026-12-01T10:00:00Z',
        approximateArrivalOfLastRecord: '2026-12-01T10:00:01Z',
        batchSize: 4,
        streamArn: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026',
      },
    };

    expect(parseFailedBatch(JSON.stringify(record), 'receipt-1')).toEqual({
      handle: 'receipt-1',
      shardId: 'shardId-00000001',
      startSequenceNumber: '800000000003126276362',
      endSequenceNumber: '800000000003126276399',
      batchSize: 4,
      condition: 'RecordAgeExceeded',
    });
  });

  it.each(['not json', 'null', '{"Records":[]}', '{"DDBStreamBatchInfo":"x"}'])('leaves %s alone (null)', (body) => {
    expect(parseFailedBatch(body, 'h')).toBeNull();
  });
});
