// bench: meters on AWS SDK clients: DynamoDB capacity units, S3 requests and bytes, SES recipients and bytes
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESClient } from '@aws-sdk/client-ses';
import { performance } from 'node:perf_hooks';

/** What one function's clients used; every field is a running total. */
export interface Usage {
  /** DynamoDB read request units (eventually consistent reads count half). */
  rru: number;
  /** DynamoDB write request units, GSI updates and the transaction surcharge included. */
  wru: number;
  dynamoRequests: number;
  /** Writes refused by a condition: billed, but DynamoDB Local reports no capacity for them. */
  conditionalFailures: number;
  /** S3 PUT, COPY, POST and LIST class requests. */
  s3Puts: number;
  /** S3 GET and other (HEAD) requests. */
  s3Gets: number;
  s3PutBytes: number;
  s3GetBytes: number;
  sesMessages: number;
  sesRecipients: number;
  sesBytes: number;
  /** Milliseconds spent waiting on these requests (remote time, which Lambda's CPU share does not slow down). */
  ioMs: number;
}

/** A zeroed {@link Usage}. */
export function emptyUsage(): Usage {
  return {
    rru: 0,
    wru: 0,
    dynamoRequests: 0,
    conditionalFailures: 0,
    s3Puts: 0,
    s3Gets: 0,
    s3PutBytes: 0,
    s3GetBytes: 0,
    sesMessages: 0,
    sesRecipients: 0,
    sesBytes: 0,
    ioMs: 0,
  };
}

/** `a - b`, field by field: the usage of one step from totals taken before and after it. */
export function usageSince(after: Usage, before: Usage): Usage {
  const result = emptyUsage();
  for (const key of Object.keys(result) as (keyof Usage)[]) result[key] = after[key] - before[key];
  return result;
}

/** Adds `b` into `a`. */
export function addUsage(a: Usage, b: Usage): void {
  for (const key of Object.keys(a) as (keyof Usage)[]) a[key] += b[key];
}

const DYNAMO_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const DYNAMO_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const S3_PUT_CLASS = /^(Put|Copy|Post|List|CreateMultipartUpload|UploadPart|CompleteMultipartUpload)/;

// Inside the retry loop, so a retried request counts again: each attempt is billed.
const STEP = { step: 'finalizeRequest', priority: 'low' } as const;

type CapacityShape = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

function capacityOf(value: CapacityShape): number {
  if (value === undefined) return 0;
  return (Array.isArray(value) ? value : [value]).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}

function byteLength(body: unknown): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return 0;
}

/**
 * Asks DynamoDB for `ReturnConsumedCapacity: 'INDEXES'` on every data-plane request and adds the units it reports
 * (DynamoDB Local reports them, GSI writes and the 2× of transactions included). A conditional write that is
 * refused reports nothing there, so it is counted as one unit per item written, as DynamoDB bills it.
 */
export function meterDynamo(client: DynamoDBDocumentClient, usage: () => Usage): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as { ReturnConsumedCapacity?: string; TransactItems?: unknown[] };
      const metered = DYNAMO_READS.has(name) || DYNAMO_WRITES.has(name);
      if (metered) input.ReturnConsumedCapacity = 'INDEXES';
      usage().dynamoRequests += 1;
      const started = performance.now();
      try {
        const result = await next(args);
        usage().ioMs += performance.now() - started;
        const units = capacityOf((result.output as { ConsumedCapacity?: CapacityShape }).ConsumedCapacity);
        if (DYNAMO_READS.has(name)) usage().rru += units;
        else if (DYNAMO_WRITES.has(name)) usage().wru += units;
        return result;
      } catch (error) {
        usage().ioMs += performance.now() - started;
        const errorName = (error as { name?: string }).name;
        if (errorName === 'ConditionalCheckFailedException' || errorName === 'TransactionCanceledException') {
          usage().conditionalFailures += 1;
          usage().wru += name === 'TransactWriteItems' ? 2 * (input.TransactItems?.length ?? 1) : 1;
        }
        throw error;
      }
    },
    // Before serialisation, or the request would go out without ReturnConsumedCapacity.
    { step: 'initialize', priority: 'high', name: 'sesdeskCostDynamoMeter' },
  );
}

/** Counts S3 requests by price class, with the bytes of PUT bodies and GET responses. */
export function meterS3(client: S3Client, usage: () => Usage): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? '').replace(/Command$/, '');
      const started = performance.now();
      const result = await next(args);
      usage().ioMs += performance.now() - started;
      if (S3_PUT_CLASS.test(name)) {
        usage().s3Puts += 1;
        usage().s3PutBytes += byteLength((args.input as { Body?: unknown }).Body);
      } else {
        usage().s3Gets += 1;
        usage().s3GetBytes += (result.output as { ContentLength?: number }).ContentLength ?? 0;
      }
      return result;
    },
    { ...STEP, name: 'sesdeskCostS3Meter' },
  );
}

/** Counts SES messages, recipients (SES bills each) and raw bytes. */
export function meterSes(client: SESClient, usage: () => Usage): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { RawMessage?: { Data?: Uint8Array }; Destinations?: string[] };
      const started = performance.now();
      const result = await next(args);
      usage().ioMs += performance.now() - started;
      usage().sesMessages += 1;
      usage().sesRecipients += Math.max(1, input.Destinations?.length ?? 0);
      usage().sesBytes += input.RawMessage?.Data?.byteLength ?? 0;
      return result;
    },
    { ...STEP, name: 'sesdeskCostSesMeter' },
  );
}
