// local stand-in: Lambda's DynamoDB stream event source mapping, polling a (local) table stream into a handler
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { matchesPattern, type EventPattern } from './event-filter';

export interface PollStreamOptions {
  readonly client: DynamoDBStreamsClient;
  readonly streamArn: string;
  /** The handler, as Lambda would call it; a returned `batchItemFailures` is honoured like Lambda does. */
  readonly onBatch: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** Where a new poller starts in shards that exist when it starts; shards found later start at their beginning. @default 'TRIM_HORIZON' */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Records per batch. @default 100 */
  readonly batchSize?: number;
  /** Pause after a pass that found nothing. @default 200 */
  readonly idleMs?: number;
  /** Retries of a failing batch before its records are discarded (Lambda's MaximumRetryAttempts). @default 5 */
  readonly maxRetries?: number;
  /** Delay before retry number `attempt` (1-based). @default 100 ms doubling, at most 5 s */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Told about records given up on after the last retry (Lambda's on-failure destination). */
  readonly onDiscard?: (records: readonly DynamoDBRecord[], reason: unknown) => void;
  /** Told about errors reading the stream; polling continues. @default one line on stderr */
  readonly onError?: (error: unknown) => void;
  /** Region put on the records when the stream leaves it out. @default 'us-east-1' */
  readonly region?: string;
  /** Lambda's event filters (a record matching any one is kept): others are skipped, never handed to `onBatch`. @default every record */
  readonly filter?: EventPattern | readonly EventPattern[];
}

export interface StreamPoller {
  /** Resolves once a full pass over every shard, begun after the call, found no new records. */
  settled(): Promise<void>;
  /** Stops polling and waits for the batch in hand to finish. */
  stop(): Promise<void>;
}

interface ShardState {
  iterator: string | null;
  lastSequence: string | null;
}

const REDISCOVER_MS = 5_000;

/**
 * Polls every shard of a DynamoDB stream and hands records to `onBatch` as a DynamoDBStreamEvent, the way
 * Lambda's event source mapping does: in order per shard, a failing batch retried with backoff, and a
 * partial batch response (`batchItemFailures`) resuming from the lowest failed sequence number, so later
 * records of that batch are delivered again too (at-least-once, as in Lambda).
 *
 * @example const poller = pollStream({ client: streams, streamArn, onBatch: (event) => notify(event) });
 */
export function pollStream(options: PollStreamOptions): StreamPoller {
  const { client, streamArn, batchSize = 100, idleMs = 200, maxRetries = 5, region = 'us-east-1' } = options;
  const retryDelay = options.retryDelayMs ?? ((attempt: number) => Math.min(5_000, 100 * 2 ** (attempt - 1)));
  const onError = options.onError ?? ((error: unknown) => process.stderr.write(`stream-poller: ${String(error)}\n`));
  const shards = new Map<string, ShardState>();
  let stopped = false;
  let discoveredAt = 0;
  let firstDiscovery = true;
  let passes = 0;
  const waiters: { afterPass: number; resolve: () => void }[] = [];

  const discover = async (): Promise<void> => {
    let start: string | undefined;
    do {
      const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      for (const shard of StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || shards.has(shard.ShardId)) continue;
        const type = firstDiscovery ? (options.startingPosition ?? 'TRIM_HORIZON') : 'TRIM_HORIZON';
        const { ShardIterator } = await client.send(
          new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: type }),
        );
        shards.set(shard.ShardId, { iterator: ShardIterator ?? null, lastSequence: null });
      }
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    firstDiscovery = false;
    discoveredAt = Date.now();
  };

  const deliver = async (records: DynamoDBRecord[]): Promise<void> => {
    let remaining = records;
    for (let attempt = 0; remaining.length > 0; attempt += 1) {
      if (attempt > 0) await sleep(retryDelay(attempt));
      let failure: unknown;
      try {
        const response = await options.onBatch({ Records: remaining });
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const first = remaining.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
        if (failed.size === 0 || first < 0) return;
        remaining = remaining.slice(first);
        failure = new Error(`batch item failure at ${remaining[0]?.dynamodb?.SequenceNumber}`);
      } catch (error) {
        failure = error;
      }
      if (attempt >= maxRetries || stopped) {
        options.onDiscard?.(remaining, failure);
        return;
      }
    }
  };

  const pollShard = async (shardId: string, state: ShardState): Promise<number> => {
    if (state.iterator === null) return 0;
    let result;
    try {
      result = await client.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: batchSize }));
    } catch (error) {
      if (!(error instanceof ExpiredIteratorException)) throw error;
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand(
          state.lastSequence
            ? { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.lastSequence }
            : { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' },
        ),
      );
      state.iterator = ShardIterator ?? null;
      return 0;
    }
    const records = (result.Records ?? []).map((r) => toLambdaRecord(r, streamArn, region));
    const filters: readonly EventPattern[] =
      options.filter === undefined ? [] : Array.isArray(options.filter) ? options.filter : [options.filter];
    const wanted = filters.length > 0 ? records.filter((record) => filters.some((filter) => matchesPattern(filter, record))) : records;
    if (wanted.length > 0) await deliver(wanted);
    state.lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? state.lastSequence;
    // A closed shard has no next iterator once it is read to its end.
    state.iterator = result.NextShardIterator ?? null;
    return records.length;
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      let found = 0;
      try {
        if (Date.now() - discoveredAt > REDISCOVER_MS) await discover();
        for (const [shardId, state] of shards) {
          if (stopped) break;
          found += await pollShard(shardId, state);
        }
      } catch (error) {
        onError(error);
        found = -1;
      }
      passes += 1;
      if (found === 0) {
        // `afterPass + 2`: the pass running when settled() was called may have begun before it.
        for (let i = waiters.length - 1; i >= 0; i -= 1) {
          const waiter = waiters[i]!;
          if (passes < waiter.afterPass + 2) continue;
          waiters.splice(i, 1);
          waiter.resolve();
        }
      }
      // A failed pass waits too: an unreachable DynamoDB Local (stopped, or dying with the process) must not be
      // hammered in a loop that leaves the process no time for anything else, its own shutdown included.
      if (found <= 0) await sleep(idleMs);
    }
    for (const waiter of waiters.splice(0)) waiter.resolve();
  };
  const running = loop();

  return {
    settled: () => new Promise<void>((resolve) => waiters.push({ afterPass: passes, resolve })),
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/** Shapes a streams-API record like the records Lambda passes to a handler. */
export function toLambdaRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const data = record.dynamodb;
  const created = data?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: created ? Math.floor(new Date(created).getTime() / 1000) : undefined,
      Keys: data?.Keys as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
      NewImage: data?.NewImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
      OldImage: data?.OldImage as NonNullable<DynamoDBRecord['dynamodb']>['OldImage'],
      SequenceNumber: data?.SequenceNumber,
      SizeBytes: data?.SizeBytes,
      StreamViewType: data?.StreamViewType,
    },
    ...(record.userIdentity ? { userIdentity: record.userIdentity } : {}),
  };
}
