// local stack: the notify on-failure queue as a JSON-lines file: stream batches the poller gave up on, for `sesdesk redrive`
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import { parseFailedBatch, type FailedBatchStore, type FailedStreamBatch } from '../../functions/core/notify/redrive';

/** Where the local stack keeps them, under its data directory. */
export function notifyFailuresFile(dataDir: string): string {
  return path.join(dataDir, 'notify-failures.jsonl');
}

/**
 * The record Lambda sends to a stream event source's on-failure destination: invocation context and the batch's
 * stream positions (`DDBStreamBatchInfo`), never the records themselves.
 */
export function onFailureRecord(
  records: readonly DynamoDBRecord[],
  options: { streamArn: string; functionName: string; attempts: number; condition: string; now: Date },
) {
  const arrival = (record: DynamoDBRecord | undefined) =>
    new Date((record?.dynamodb?.ApproximateCreationDateTime ?? options.now.getTime() / 1000) * 1000).toISOString();
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: options.functionName,
      condition: options.condition,
      approximateInvokeCount: options.attempts,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: options.now.toISOString(),
    DDBStreamBatchInfo: {
      shardId: records[0]?.eventID?.split(':')[0] ?? 'local',
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: arrival(records[0]),
      approximateArrivalOfLastRecord: arrival(records.at(-1)),
      batchSize: records.length,
      streamArn: options.streamArn,
    },
  };
}

/** Appends one on-failure record (what Lambda would send to the queue). */
export async function appendFailedBatch(file: string, record: ReturnType<typeof onFailureRecord>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(record)}\n`);
}

/** The file as a FailedBatchStore: each line is one batch, and the line itself is its handle. */
export class FileFailedBatchStore implements FailedBatchStore {
  constructor(private readonly file: string) {}

  async receive(): Promise<FailedStreamBatch[]> {
    return (await this.lines()).flatMap((line) => parseFailedBatch(line, line) ?? []);
  }

  async remove(batches: readonly FailedStreamBatch[]): Promise<void> {
    const removed = new Set(batches.map((batch) => batch.handle));
    // Read again: the running stack may have appended since `receive`.
    const kept = (await this.lines()).filter((line) => !removed.has(line));
    await writeFile(this.file, kept.map((line) => `${line}\n`).join(''));
  }

  private async lines(): Promise<string[]> {
    try {
      return (await readFile(this.file, 'utf8')).split('\n').filter((line) => line.trim());
    } catch {
      return [];
    }
  }
}
