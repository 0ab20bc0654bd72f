// local stack: starts every stand-in and wires the real handlers to them with the events Lambda would get
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { DEFAULT_DESK_CONFIG, type DeskConfig } from '../../functions/core/config/desk-config';
import { MAIL_PREFIXES, NOTIFY_STREAM_FILTERS } from '../../functions/contracts';
import { verifyLocalToken } from '../../functions/core/api/local-auth';
import { createApiHandler } from '../../functions/api/create-handler';
import { createIngestHandler, decodeS3Key } from '../../functions/ingest/create-handler';
import { createNotifyHandler } from '../../functions/notify/create-handler';
import { createAsyncInvoker } from './async-invoker';
import { faultInjectorFromEnv, type FaultInjector } from './faults';
import { createDynamoClient, createStreamsClient } from './aws-clients';
import { ensureTable, startDynamoDbLocal } from './dynamodb-local';
import { startHttpServer } from './http-server';
import type { LocalEnv } from './local-env';
import { LocalLog } from './local-log';
import { createLocalRuntime, type LocalRuntime } from './local-runtime';
import { readLocalSecret } from './local-secret';
import { objectCreatedEvent } from './s3-event';
import type { LocalServer } from './local-server';
import { startS3Local } from './s3-local';
import { startSesLocal } from './ses-local';
import { startSmtpReceiver } from './smtp-receiver';
import { pollStream, type StreamPoller } from './stream-poller';

/** The notify "function timeout" the local stack gives each batch; it sets the claim lease. */
const NOTIFY_TIMEOUT_MS = 10_000;

export interface LocalStackOptions {
  readonly env: LocalEnv;
  readonly config: DeskConfig;
  /** Delete the data directory first. */
  readonly reset?: boolean;
  /** The built dashboard; without it the HTTP server answers the API only. */
  readonly webDir?: string;
  /** Progress lines for a person; silent when absent. */
  readonly progress?: (line: string) => void;
  /** Where handler logs go besides their files: the console, or nowhere (tests). */
  readonly console?: Pick<Console, 'log' | 'error'> | null;
  /** Async-invoke retry delay (Lambda waits minutes; the local stack seconds). */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Injected faults (reliability tests, `sesdesk load`); without it, `SESDESK_FAULTS` if set, else none. */
  readonly faults?: FaultInjector;
}

export interface LocalStack {
  readonly urls: { dashboard: string; outbox: string; smtp: string; dynamo: string; s3: string };
  readonly signInCode: string;
  readonly runtime: LocalRuntime;
  /** Resolves when every stored email has been ingested and the stream has nothing left to send. */
  settled(): Promise<void>;
  /** Stops taking mail, lets running handlers finish, then stops every server. */
  stop(): Promise<void>;
}

/**
 * Starts the whole desk on loopback: DynamoDB Local (persistent), s3rver, the SES stand-in, the SMTP receiver,
 * the dashboard/API server, and the event wiring (S3 → ingest as async invokes with retries; the table's
 * stream → notify with partial batch responses). Mail already in the bucket that has no ingest record (say,
 * the stack stopped mid-burst) is ingested on start, so nothing accepted is lost.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { env, progress = () => undefined } = options;
  // Links in outgoing mail must point at this stack's dashboard, also when SESDESK_HTTP_PORT moved it.
  const config =
    options.config.dashboardUrl === DEFAULT_DESK_CONFIG.dashboardUrl
      ? { ...options.config, dashboardUrl: `http://localhost:${env.httpPort}` }
      : options.config;
  const started: LocalServer[] = [];
  const stopAll = async () => {
    for (const server of started.reverse()) await server.stop().catch(() => undefined);
  };

  try {
    if (options.reset && existsSync(env.dataDir)) {
      await rm(env.dataDir, { recursive: true, force: true });
      progress(`reset: removed ${env.dataDir}`);
    }
    const secret = await readLocalSecret(env.dataDir);

    const [dynamo, s3, ses] = await Promise.all([
      startDynamoDbLocal({ port: env.dynamoPort, dataDir: path.join(env.dataDir, 'dynamodb'), portHint: 'set SESDESK_DYNAMODB_PORT' }).then(
        (server) => {
          started.push(server);
          progress(`DynamoDB Local    ${server.endpoint}`);
          return server;
        },
      ),
      startS3Local({
        port: env.s3Port,
        directory: path.join(env.dataDir, 's3'),
        buckets: [env.bucket],
        portHint: 'set SESDESK_S3_PORT',
      }).then((server) => {
        started.push(server);
        progress(`S3 (s3rver)       ${server.endpoint}  bucket ${env.bucket}`);
        return server;
      }),
      startSesLocal({ port: env.sesPort, portHint: 'set SESDESK_SES_PORT' }).then((server) => {
        started.push(server);
        progress(`SES (outbox)      ${server.endpoint}`);
        return server;
      }),
    ]);

    const dynamoClient = createDynamoClient(dynamo.endpoint);
    await ensureTable(dynamoClient, env.tableName);
    const { Table } = await dynamoClient.send(new DescribeTableCommand({ TableName: env.tableName }));
    progress(`table ${env.tableName} ready (stream on)`);

    const signInCode = String(randomInt(100000, 1000000));
    const faults = options.faults ?? faultInjectorFromEnv();
    if (faults) progress(`fault injection   ${faults.describe()}`);
    const log = (service: string) => new LocalLog(service, env.dataDir, options.console === undefined ? console : options.console);
    const runtime = createLocalRuntime({
      endpoints: { dynamo: dynamo.endpoint, s3: s3.endpoint, ses: ses.endpoint },
      config,
      tableName: env.tableName,
      bucket: env.bucket,
      secret,
      log,
      signInCode,
      faults,
    });

    const ingest = createIngestHandler(async () => runtime.ingest);
    const invoker = createAsyncInvoker<S3Event>({
      name: 'ingest',
      handler: ingest,
      failureFile: path.join(env.dataDir, 'failed-events.jsonl'),
      retryDelayMs: options.retryDelayMs,
      onFailure: (event, error) =>
        log('ingest').error('event failed every retry; kept for `sesdesk replay`', {
          key: event.Records[0]?.s3.object.key,
          error: String(error),
        }),
    });
    // Like the bucket notification's prefix filter: attachments and bodies written by ingest never re-trigger it.
    const unsubscribe = s3.onObjectCreated((record: S3EventRecord) => {
      if (decodeS3Key(record.s3.object.key).startsWith(MAIL_PREFIXES.inbound)) invoker.invoke({ Records: [record] });
    });

    const notify = createNotifyHandler(async () => runtime.notify);
    const poller: StreamPoller = pollStream({
      client: createStreamsClient(dynamo.endpoint),
      streamArn: Table!.LatestStreamArn!,
      // Like a Lambda with a 10 s timeout: a claim left by a batch that died is free again after ~12 s, well
      // before the retries below (about 40 s in all) give up on its record.
      filter: NOTIFY_STREAM_FILTERS,
      onBatch: (event) => notify(event, { getRemainingTimeInMillis: () => NOTIFY_TIMEOUT_MS }),
      maxRetries: 10,
      retryDelayMs: (attempt) => Math.min(8_000, 250 * 2 ** (attempt - 1)),
      onDiscard: (records, reason) =>
        log('notify').error('stream records discarded after retries', { count: records.length, error: String(reason) }),
    });
    progress('event wiring      S3 → ingest, stream → notify');

    const apiHandler = createApiHandler(runtime.api);
    const http = await startHttpServer({
      port: env.httpPort,
      staticDir: options.webDir ?? path.join(env.dataDir, 'no-web'),
      apiHandler,
      verifyToken: (token) => verifyLocalToken(secret, token),
      connectSources: [s3.endpoint],
    });
    started.push(http);
    progress(`dashboard and API http://localhost:${env.httpPort}`);

    const smtp = await startSmtpReceiver({
      port: env.smtpPort,
      config,
      store: (key, raw) => runtime.ingest.store.put(env.bucket, key, raw, 'message/rfc822'),
    });
    started.push(smtp);
    progress(`SMTP (SES inbound stand-in) localhost:${env.smtpPort}`);

    const caughtUp = catchUp(runtime, env.bucket, (event) => invoker.invoke(event));

    return {
      urls: {
        dashboard: `http://localhost:${env.httpPort}`,
        outbox: ses.endpoint,
        smtp: `localhost:${env.smtpPort}`,
        dynamo: dynamo.endpoint,
        s3: s3.endpoint,
      },
      signInCode,
      runtime,
      async settled() {
        await caughtUp;
        await invoker.drain();
        await poller.settled();
      },
      async stop() {
        // Order matters: stop the doors first, then let work in flight finish, then the servers it uses.
        await smtp.stop();
        started.splice(started.indexOf(smtp), 1);
        unsubscribe();
        await caughtUp.catch(() => undefined);
        await invoker.close();
        await poller.stop();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Re-delivers object-created events for stored mail that has no ingest record: the local stand-in for S3's
 * durable event delivery, which a stopped process would otherwise lose. Ingest skips what it already has.
 */
async function catchUp(runtime: LocalRuntime, bucket: string, invoke: (event: S3Event) => void): Promise<void> {
  const { store, tickets } = runtime.ingest;
  const batch: string[] = [];
  const flush = async () => {
    for (const key of batch.splice(0)) {
      const { ingest } = await tickets.lookupForIngest({ ingestKey: key, fingerprint: null, messageIds: [], ticketIds: [], numbers: [] });
      if (!ingest) invoke(objectCreatedEvent(bucket, key));
    }
  };
  for await (const key of store.list(bucket, MAIL_PREFIXES.inbound)) {
    batch.push(key);
    if (batch.length >= 50) await flush();
  }
  await flush();
}
