// local stack: starts every stand-in and wires the real handlers to them with the events Lambda would get
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
import { ensureTable, startLocalDynamo } from './dynamodb-local';
import { startHttpServer } from './http-server';
import type { LocalEnv } from './local-env';
import { LocalLog } from './local-log';
import { createLocalRuntime, type LocalRuntime } from './local-runtime';
import { readLocalSecret, readLocalSignInCode } from './local-secret';
import { objectCreatedEvent } from './s3-event';
import type { LocalServer } from './local-server';
import { startS3Local } from './s3-local';
import { startSesLocal } from './ses-local';
import { startSmtpReceiver } from './smtp-receiver';
import { appendFailedBatch, notifyFailuresFile, onFailureRecord } from './notify-failures';
import { pollStream, type StreamPoller } from './stream-poller';

/** The notify "function timeout" the local stack gives each batch; it sets the claim lease. */
const NOTIFY_TIMEOUT_MS = 10_000;
/** Retries of a failing stream batch before it is given up on (about 40 s in all). */
const NOTIFY_STREAM_RETRIES = 10;

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
  /**
   * DynamoDB Local already starting on `env.dynamoPort` over the data directory (see {@link startLocalDynamo}):
   * `sesdesk dev` starts the JVM before it loads the handlers, so the two overlap. The stack owns and stops it.
   */
  readonly dynamo?: Promise<LocalServer>;
}

export interface LocalStack {
  readonly urls: { dashboard: string; outbox: string; smtp: string; dynamo: string; s3: string };
  /** The dashboard's sign-in code, kept in the data directory so it stays the same across restarts. */
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
  const launches: Promise<unknown>[] = [];
  /** Keeps each server as it comes up, so a failure elsewhere still stops it. */
  const launch = <T extends LocalServer>(starting: Promise<T>, line: (server: T) => string): Promise<T> => {
    const up = starting.then((server) => {
      started.push(server);
      progress(line(server));
      return server;
    });
    launches.push(up.catch(() => undefined));
    return up;
  };
  const stopAll = async () => {
    await Promise.all(launches);
    for (const server of started.reverse()) await server.stop().catch(() => undefined);
  };
  const dynamoLine = (server: LocalServer) => `DynamoDB Local    ${server.endpoint}`;
  const given = options.dynamo ? launch(options.dynamo, dynamoLine) : null;

  try {
    if (options.reset && existsSync(env.dataDir)) {
      await rm(env.dataDir, { recursive: true, force: true });
      progress(`reset: removed ${env.dataDir}`);
    }
    const [dynamo, s3, ses] = await Promise.all([
      given ?? launch(startLocalDynamo(env), dynamoLine),
      launch(
        startS3Local({
          port: env.s3Port,
          directory: path.join(env.dataDir, 's3'),
          buckets: [env.bucket],
          // The dashboard uploads attachments straight to the bucket, as on AWS (lib/constructs/dashboard.ts).
          corsOrigins: [
            ...new Set([`http://localhost:${env.httpPort}`, `http://127.0.0.1:${env.httpPort}`, new URL(config.dashboardUrl).origin]),
          ],
          portHint: 'set SESDESK_S3_PORT',
        }),
        (server) => `S3 (s3rver)       ${server.endpoint}  bucket ${env.bucket}`,
      ),
      launch(
        startSesLocal({ port: env.sesPort, portHint: 'set SESDESK_SES_PORT', directory: path.join(env.dataDir, 'outbox') }),
        (server) => `SES (outbox)      ${server.endpoint}  kept in ${path.join(env.dataDir, 'outbox')}`,
      ),
    ]);
    const [secret, signInCode] = await Promise.all([readLocalSecret(env.dataDir), readLocalSignInCode(env.dataDir)]);

    const dynamoClient = createDynamoClient(dynamo.endpoint);
    await ensureTable(dynamoClient, env.tableName);
    const { Table } = await dynamoClient.send(new DescribeTableCommand({ TableName: env.tableName }));
    progress(`table ${env.tableName} ready (stream on)`);

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
      maxRetries: NOTIFY_STREAM_RETRIES,
      retryDelayMs: (attempt) => Math.min(8_000, 250 * 2 ** (attempt - 1)),
      // Lambda's on-failure destination (an SQS queue in AWS): `sesdesk redrive` re-drives what these concern.
      onDiscard: (records, reason) => {
        log('notify').error('stream records discarded after retries; kept for `sesdesk redrive`', {
          count: records.length,
          error: String(reason),
        });
        const record = onFailureRecord(records, {
          streamArn: Table!.LatestStreamArn!,
          functionName: 'sesdesk-notify (local)',
          attempts: NOTIFY_STREAM_RETRIES + 1,
          condition: 'RetryAttemptsExhausted',
          now: new Date(),
        });
        appendFailedBatch(notifyFailuresFile(env.dataDir), record).catch((error: unknown) =>
          log('notify').error('could not keep the discarded batch', { error: String(error) }),
        );
      },
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
