// test support: the runtime harness: all four functions built by createLocalRuntime (their own composition roots) on the
// shared test servers, one fresh table each, driven by the events Lambda would give them
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent, S3Event } from 'aws-lambda';
import { inject } from 'vitest';
import { createDocumentClient, createDynamoClient, createStreamsClient } from '../../bin/local/aws-clients';
import { ensureTable } from '../../bin/local/dynamodb-local';
import type { FaultInjector } from '../../bin/local/faults';
import { createLocalRuntime, type LocalRuntime } from '../../bin/local/local-runtime';
import { objectCreatedEvent } from '../../bin/local/s3-event';
import type { OutboxEmail } from '../../bin/local/ses-local';
import { pollStream, type StreamPoller } from '../../bin/local/stream-poller';
import { createApiHandler, type ApiHandler } from '../../functions/api/create-handler';
import { createBouncesHandler } from '../../functions/bounces/create-handler';
import { KEY_PREFIXES, MAIL_PREFIXES, NOTIFY_STREAM_FILTERS } from '../../functions/contracts';
import { DEFAULT_DESK_CONFIG, type DeskConfig } from '../../functions/core/config/desk-config';
import type { IngestResult } from '../../functions/core/ingest/ingest-email';
import type { NotifyDeps } from '../../functions/core/notify/process-delivery';
import { createIngestHandler } from '../../functions/ingest/create-handler';
import { createNotifyHandler, type InvocationContext } from '../../functions/notify/create-handler';
import { callApi, type ApiAnswer, type CallOptions, type ErrorBody } from './api-call';
import { MemoryLog } from './logs';
import { outboxFor } from './outbox';
import { scanTable } from './scan-table';
import { TEST_SECRET } from './secret';

export type IngestHandler = ReturnType<typeof createIngestHandler>;
export type NotifyHandler = ReturnType<typeof createNotifyHandler>;
export type BouncesHandler = ReturnType<typeof createBouncesHandler>;

/** One raw email notify sent and SES accepted: what a recipient would get. */
export interface SentMail {
  readonly raw: string;
  readonly to: string;
}

export interface RuntimeHarnessOptions {
  /** Starts the table's name, so a leftover table points at its test file. */
  readonly name: string;
  /** @default DEFAULT_DESK_CONFIG */
  readonly config?: DeskConfig;
  /** Signs reply tokens, unsubscribe links and local dashboard tokens. @default TEST_SECRET */
  readonly secret?: string;
  /** The code local sign-in accepts; without it the API has no local sign-in (as in AWS). */
  readonly signInCode?: string;
  /** Instruments the functions' clients and ports (see bin/local/faults.ts). */
  readonly faults?: FaultInjector;
  /**
   * Whether the table's stream feeds notify (through Lambda's filter), as the event source mapping does. Off for
   * tests that hand records to notify themselves or need deliveries to stay `pending`. @default true
   */
  readonly pollStream?: boolean;
  /** How the stream poller calls notify. @default once per batch */
  readonly onBatch?: (notify: NotifyHandler, event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** The Lambda context notify gets when its caller passes none (the remaining time sets the claim lease). */
  readonly context?: InvocationContext;
  /** Waits between webhook attempts. @default 50 ms, 100 ms */
  readonly webhookRetryDelaysMs?: readonly number[];
}

export interface RuntimeHarness {
  readonly tableName: string;
  readonly bucket: string;
  readonly config: DeskConfig;
  /** Every function's dependencies, as the local stack builds them (faults included). */
  readonly runtime: LocalRuntime;
  /** The test's own client for seeding and reading the table; the functions use `runtime.documents`. */
  readonly documents: DynamoDBDocumentClient;
  /** Every line any function logged. */
  readonly log: MemoryLog;
  /** The real ingest handler. */
  readonly ingest: IngestHandler;
  /** The real notify handler; SES-accepted mail is recorded in {@link sent}. */
  readonly notify: NotifyHandler;
  /** The real API handler. */
  readonly api: ApiHandler;
  /** The real bounces handler (SES bounce and complaint notifications by SNS). */
  readonly bounces: BouncesHandler;
  /** Every email SES accepted from notify, in order. */
  readonly sent: SentMail[];
  /** Every batch the stream poller handed notify. */
  readonly events: DynamoDBStreamEvent[];
  /** A notify handler over the same dependencies with some replaced (a clock, a repository). */
  notifyWith(overrides: Partial<NotifyDeps>): NotifyHandler;
  /** Stores raw mail under `inbound/` (a fresh key unless given) and returns the key; no event is delivered. */
  put(raw: string | Uint8Array, key?: string): Promise<string>;
  /** The S3 event for a stored key. */
  event(key: string): S3Event;
  /** Stores raw mail and delivers its S3 event to the ingest handler. */
  deliver(raw: string | Uint8Array, key?: string): Promise<{ key: string; results: IngestResult[] }>;
  /** {@link deliver} for one email; its one result. */
  receive(raw: string | Uint8Array): Promise<IngestResult>;
  /** Calls the API handler with an HTTP API v2 event, as API Gateway would after its JWT authorizer. */
  call<T = ErrorBody>(method: string, path: string, options?: CallOptions): Promise<ApiAnswer<T>>;
  /** What the SES stand-in holds for a recipient (its outbox is shared by every test file). */
  outboxFor(address: string): Promise<OutboxEmail[]>;
  /** Resolves when the stream has nothing more for notify. */
  settled(): Promise<void>;
  /** Every item in the table, read consistently (tests only: a scan). */
  items(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/**
 * Creates a fresh table on the shared DynamoDB Local and builds every function with `createLocalRuntime` over it,
 * the shared bucket and the SES stand-in; starts the stream poller feeding notify unless told not to.
 *
 * @example
 * const h = await startRuntimeHarness({ name: 'notify' });
 * await h.receive(plainMail({ from: 'ann@customer.example', subject: 'Help' }));
 * await h.settled();
 * expect(await h.outboxFor('ann@customer.example')).toHaveLength(1);
 */
export async function startRuntimeHarness(options: RuntimeHarnessOptions): Promise<RuntimeHarness> {
  const tableName = `${options.name}-${randomUUID().slice(0, 8)}`;
  const dynamoEndpoint = inject('dynamoEndpoint');
  const sesEndpoint = inject('sesEndpoint');
  const bucket = inject('mailBucket');
  const dynamo = createDynamoClient(dynamoEndpoint);
  await ensureTable(dynamo, tableName);
  const config = options.config ?? DEFAULT_DESK_CONFIG;
  const log = new MemoryLog();
  const runtime = createLocalRuntime({
    endpoints: { dynamo: dynamoEndpoint, s3: inject('s3Endpoint'), ses: sesEndpoint },
    config,
    tableName,
    bucket,
    secret: options.secret ?? TEST_SECRET,
    log: () => log,
    signInCode: options.signInCode,
    faults: options.faults,
    webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? [50, 100],
  });
  const documents = createDocumentClient(dynamoEndpoint);

  const sent: SentMail[] = [];
  const notifyDeps: NotifyDeps = {
    ...runtime.notify,
    mailer: {
      send: async (raw, sendOptions) => {
        const id = await runtime.notify.mailer.send(raw, sendOptions);
        sent.push({ raw: Buffer.from(raw).toString('utf8'), to: sendOptions.to });
        return id;
      },
    },
  };
  const notifyWith = (overrides: Partial<NotifyDeps>): NotifyHandler => {
    const handler = createNotifyHandler(async () => ({ ...notifyDeps, ...overrides }));
    return (event, context) => handler(event, context ?? options.context);
  };
  const notify = notifyWith({});
  const ingest = createIngestHandler(async () => runtime.ingest);
  const api = createApiHandler(runtime.api);
  const bounces = createBouncesHandler(async () => runtime.bounces);

  const events: DynamoDBStreamEvent[] = [];
  let poller: StreamPoller | undefined;
  if (options.pollStream ?? true) {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    poller = pollStream({
      client: createStreamsClient(dynamoEndpoint),
      streamArn: Table!.LatestStreamArn!,
      filter: NOTIFY_STREAM_FILTERS,
      idleMs: 50,
      onBatch: (event) => {
        events.push(event);
        return options.onBatch ? options.onBatch(notify, event) : notify(event);
      },
    });
  }

  const harness: RuntimeHarness = {
    tableName,
    bucket,
    config,
    runtime,
    documents,
    log,
    ingest,
    notify,
    api,
    bounces,
    sent,
    events,
    notifyWith,
    async put(raw, key = `${MAIL_PREFIXES.inbound}${options.name}-${randomUUID().replace(/-/g, '')}`) {
      await runtime.ingest.store.put(bucket, key, typeof raw === 'string' ? Buffer.from(raw) : raw, 'message/rfc822');
      return key;
    },
    event: (key) => objectCreatedEvent(bucket, key),
    async deliver(raw, key) {
      const stored = await harness.put(raw, key);
      return { key: stored, results: await ingest(objectCreatedEvent(bucket, stored)) };
    },
    async receive(raw) {
      const { key, results } = await harness.deliver(raw);
      if (results.length !== 1) throw new Error(`ingest of ${key} gave ${results.length} results, not one`);
      return results[0]!;
    },
    call: (method, path, callOptions) => callApi(api, config, method, path, callOptions),
    outboxFor: (address) => outboxFor(sesEndpoint, address),
    settled() {
      if (!poller) throw new Error('settled(): this harness does not poll the stream (pollStream: false)');
      return poller.settled();
    },
    items: () => scanTable(documents, tableName),
    stop: async () => {
      await poller?.stop();
    },
  };
  return harness;
}

/** Counts the commands a client sends, by name (`TransactWriteItemsCommand`): the requests a use case costs. */
export function countCommands(client: DynamoDBDocumentClient): { counts: Map<string, number>; total(): number; reset(): void } {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts.set(context.commandName ?? '?', (counts.get(context.commandName ?? '?') ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: `countCommands-${randomUUID()}` },
  );
  return { counts, total: () => [...counts.values()].reduce((a, b) => a + b, 0), reset: () => counts.clear() };
}

/** Our Message-ID in a sent raw email (`<delivery id@domain>`): one per delivery, however often it was sent. */
export function sentMessageId(raw: string): string {
  return /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';
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
      items
        .filter((i) => typeof i.pk === 'string' && i.pk.startsWith(KEY_PREFIXES.ingest))
        .map((r) => ({ outcome: r.outcome, reason: r.reason })),
    ),
  };
}
