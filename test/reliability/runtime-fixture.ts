// test support: the local runtime (real handlers, real adapters) on the shared test servers, one table per fixture
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { inject } from 'vitest';
import { ensureTable } from '../../bin/local/dynamodb-local';
import type { FaultInjector } from '../../bin/local/faults';
import { createLocalRuntime, type LocalRuntime } from '../../bin/local/local-runtime';
import { objectCreatedEvent } from '../../bin/local/s3-event';
import { pollStream, type StreamPoller } from '../../bin/local/stream-poller';
import { DEFAULT_DESK_CONFIG, type DeskConfig } from '../../functions/core/config/desk-config';
import type { Log } from '../../functions/core/ports';
import type { NotifyDeps } from '../../functions/core/notify/process-delivery';
import { createIngestHandler } from '../../functions/ingest/create-handler';
import { createNotifyHandler, type InvocationContext } from '../../functions/notify/create-handler';
import { createDynamoClient, createStreamsClient } from '../support/local-aws';
export { plainMail as mail } from '../support/plain-mail';

export const SECRET = 'reliability-secret-0123456789-abcdefgh';
const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** One raw email the notify function handed to the mailer. */
export interface SentMail {
  readonly raw: string;
  readonly to: string;
}

type NotifyHandler = ReturnType<typeof createNotifyHandler>;

export interface RuntimeFixture {
  readonly tableName: string;
  readonly bucket: string;
  readonly runtime: LocalRuntime;
  readonly ingest: ReturnType<typeof createIngestHandler>;
  readonly notify: NotifyHandler;
  /** Every raw email sent, in order (captured in front of the SES stand-in). */
  readonly sent: SentMail[];
  /** Stores raw mail under a fresh inbound/ key and returns the key (no event is delivered). */
  put(raw: string | Uint8Array): Promise<string>;
  event(key: string): ReturnType<typeof objectCreatedEvent>;
  /** Resolves when the stream has nothing more for notify. */
  settled(): Promise<void>;
  items(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export interface RuntimeFixtureOptions {
  readonly config?: DeskConfig;
  readonly faults?: FaultInjector;
  /** How the stream poller calls notify; default: once per batch. */
  readonly onBatch?: (notify: NotifyHandler, event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** The invocation context notify gets (its remaining time sets the claim lease). */
  readonly context?: InvocationContext;
}

/** Builds the local runtime over a fresh table and starts the stream → notify wiring, like the local stack does. */
export async function createRuntimeFixture(name: string, options: RuntimeFixtureOptions = {}): Promise<RuntimeFixture> {
  const tableName = `rel-${name}-${randomUUID().slice(0, 8)}`;
  const dynamoEndpoint = inject('dynamoEndpoint');
  const dynamo = createDynamoClient(dynamoEndpoint);
  await ensureTable(dynamo, tableName);
  const bucket = inject('mailBucket');
  const runtime = createLocalRuntime({
    endpoints: { dynamo: dynamoEndpoint, s3: inject('s3Endpoint'), ses: inject('sesEndpoint') },
    config: options.config ?? DEFAULT_DESK_CONFIG,
    tableName,
    bucket,
    secret: SECRET,
    log: () => quiet,
    faults: options.faults,
  });
  const sent: SentMail[] = [];
  const notifyDeps: NotifyDeps = {
    ...runtime.notify,
    mailer: {
      send: async (raw, sendOptions) => {
        const id = await runtime.notify.mailer.send(raw, sendOptions);
        // Recorded once SES accepted it: what a recipient would get.
        sent.push({ raw: Buffer.from(raw).toString('utf8'), to: sendOptions.to });
        return id;
      },
    },
  };
  const ingest = createIngestHandler(async () => runtime.ingest);
  const handler = createNotifyHandler(async () => notifyDeps);
  const notify: NotifyHandler = (event, context) => handler(event, context ?? options.context);
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const poller: StreamPoller = pollStream({
    client: createStreamsClient(dynamoEndpoint),
    streamArn: Table!.LatestStreamArn!,
    idleMs: 50,
    onBatch: (event) => (options.onBatch ? options.onBatch(notify, event) : notify(event)),
  });
  return {
    tableName,
    bucket,
    runtime,
    ingest,
    notify,
    sent,
    async put(raw) {
      const key = `inbound/${name}-${randomUUID().replace(/-/g, '')}`;
      await runtime.ingest.store.put(bucket, key, typeof raw === 'string' ? Buffer.from(raw) : raw, 'message/rfc822');
      return key;
    },
    event: (key) => objectCreatedEvent(bucket, key),
    settled: () => poller.settled(),
    async items() {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await runtime.documents.send(
          new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    stop: () => poller.stop(),
  };
}

/**
 * The table's content without ids, timestamps, numbers or attempt counts: what must be the same whether or
 * not a handler crashed and ran again. Messages and deliveries are named by their ticket's subject.
 */
export function normalizedState(items: readonly Record<string, unknown>[]) {
  const subjectOf = new Map(items.filter((i) => i.type === 'ticket').map((t) => [t.id as string, t.subject as string]));
  const sortJson = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
  const address = (m: unknown) => (m as { address?: string } | undefined)?.address ?? null;
  return {
    tickets: sortJson(
      items
        .filter((i) => i.type === 'ticket')
        .map((t) => ({
          subject: t.subject,
          status: t.status,
          requester: address(t.requester),
          messageCount: t.messageCount,
          participants: (t.participants as unknown[]).map(address),
        })),
    ),
    messages: sortJson(
      items
        .filter((i) => i.type === 'message')
        .map((m) => ({
          ticket: subjectOf.get(m.ticketId as string),
          direction: m.direction,
          from: address(m.from),
          subject: m.subject,
          threadedBy: m.threadedBy,
        })),
    ),
    deliveries: sortJson(
      items
        .filter((i) => i.type === 'delivery')
        .map((d) => ({ ticket: subjectOf.get(d.ticketId as string), kind: d.kind, recipient: address(d.recipient), status: d.status })),
    ),
    ingests: sortJson(
      items.filter((i) => typeof i.pk === 'string' && i.pk.startsWith('INGEST#')).map((r) => ({ outcome: r.outcome, reason: r.reason })),
    ),
  };
}

/** Our Message-ID in a sent raw email (`<delivery id@domain>`): one per delivery, however often it was sent. */
export function sentMessageId(raw: string): string {
  return /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';
}
