// bench: drives ticket lifecycles through the real ingest, notify and API handlers on local servers, metering each call
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, DynamoDBRecord } from 'aws-lambda';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { createApiHandler } from '../../functions/api/create-handler';
import { createApiDeps } from '../../functions/api/deps';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import type { Log } from '../../functions/core/ports';
import { createIngestHandler } from '../../functions/ingest/create-handler';
import { createIngestDeps } from '../../functions/ingest/deps';
import { createNotifyHandler } from '../../functions/notify/create-handler';
import { createNotifyDeps } from '../../functions/notify/deps';
import {
  createDocumentClient,
  createDynamoClient,
  createS3Client,
  createSesClient,
  createStreamsClient,
  LOCAL_REGION,
} from '../local/aws-clients';
import { ensureTable, startDynamoDbLocal } from '../local/dynamodb-local';
import type { LocalServer } from '../local/local-server';
import { findFreePort } from '../local/ports';
import { objectCreatedEvent } from '../local/s3-event';
import { readOutbox, startSesLocal } from '../local/ses-local';
import { startS3Local } from '../local/s3-local';
import { pollStream } from '../local/stream-poller';
import { progress } from './benchmark';
import { addUsage, emptyUsage, meterDynamo, meterS3, meterSes, type Usage } from './cost-meters';

/** The Lambda functions a ticket runs through (bounces only run for failed mail, outside the base case). */
export type FunctionName = 'ingest' | 'notify' | 'api';

/** One kind of invocation: how often a lifecycle makes it, what each used, and how long each took. */
export interface Invocation {
  readonly fn: FunctionName;
  readonly label: string;
  /** Invocations of this kind in every lifecycle (the same in each run). */
  readonly perTicket: number;
  /** Wall-clock handler durations, warm, every run after the first. */
  readonly durationsMs: number[];
  /** Of each duration, the time spent waiting on DynamoDB, S3 and SES. */
  readonly ioMs: number[];
  /** Usage of all invocations of this kind in one lifecycle (the last run). */
  readonly usage: Usage;
  /** JSON log bytes the handler wrote, per lifecycle. */
  logBytes: number;
  /** API response bytes, per lifecycle. */
  responseBytes: number;
}

/** What one ticket lifecycle (new mail → ack, 2 agent replies, 2 customer replies) costs in requests and bytes. */
export interface LifecycleMeasurement {
  readonly invocations: Invocation[];
  /** Raw size of each inbound mail of one lifecycle, as SES receives and stores it. */
  readonly inboundBytes: number[];
  /** SES writing raw mail to S3 (PUTs in our bucket, billed to us). */
  readonly sesReceiptUsage: Usage;
  /** Bytes left in the mail bucket per ticket (raw mail, attachments, bodies). */
  readonly storedS3Bytes: number;
  /** Approximate item bytes left in the table per ticket (attribute names and values). */
  readonly storedItemBytes: number;
  readonly runs: number;
}

/** The label of notify invocations caused by the function's own delivery status updates. */
export const NOTIFY_FOLLOW_UP = 'delivery updated (own status change)';

const BUCKET = 'sesdesk-bench-cost';
const DESK = DEFAULT_DESK_CONFIG.desks[0]!.address;
const AGENT = DEFAULT_DESK_CONFIG.team[0]!;
const SECRET = 'cost-benchmark-secret-0123456789abcdef';

/** Keeps the byte count of every log line (Lambda ships each to CloudWatch Logs as one JSON line). */
class CountingLog implements Log {
  bytes = 0;
  private add(level: string, message: string, extra?: Record<string, unknown>): void {
    this.bytes +=
      Buffer.byteLength(JSON.stringify({ level, message, timestamp: new Date().toISOString(), service: 'sesdesk', ...extra })) + 1;
  }
  debug(): void {}
  info(message: string, extra?: Record<string, unknown>): void {
    this.add('INFO', message, extra);
  }
  warn(message: string, extra?: Record<string, unknown>): void {
    this.add('WARN', message, extra);
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.add('ERROR', message, extra);
  }
}

async function compose(options: Mail.Options): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

/** A customer's HTML mail of realistic weight: text and HTML alternatives with a quoted history and a signature. */
function customerBody(paragraphs: number, quote: string): { text: string; html: string } {
  const sentence = "The invoice portal shows an error when I open last month's statement, and the PDF never downloads. ";
  const text = Array.from({ length: paragraphs }, () => sentence.repeat(4)).join('\n\n') + `\n\n-- \nAnn Customer\nExample Ltd\n\n${quote}`;
  const html = `<html><body style="font-family:Arial,sans-serif;font-size:14px">${text
    .split('\n\n')
    .map((p) => `<p style="margin:0 0 12px 0;color:#222">${p.replace(/\n/g, '<br>')}</p>`)
    .join('')}</body></html>`;
  return { text, html };
}

async function startServers(directory: string): Promise<{ dynamo: LocalServer; s3: LocalServer; ses: LocalServer }> {
  const started = await Promise.allSettled([
    // A busy machine starts the JVM slowly.
    findFreePort().then((port) => startDynamoDbLocal({ port, dataDir: null, startTimeoutMs: 180_000 })),
    findFreePort().then((port) => startS3Local({ port, directory, buckets: [BUCKET] })),
    findFreePort().then((port) => startSesLocal({ port })),
  ]);
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(servers.map((s) => s.stop()));
    throw failed.reason;
  }
  const [dynamo, s3, ses] = servers as [LocalServer, LocalServer, LocalServer];
  return { dynamo, s3, ses };
}

/** The records the notify event source mapping lets through (lib/constructs/outbound-mail.ts `filters`). */
function passesNotifyFilter(record: DynamoDBRecord): boolean {
  const type = record.dynamodb?.NewImage?.type as { S?: string } | undefined;
  return (record.eventName === 'INSERT' || record.eventName === 'MODIFY') && type?.S === 'delivery';
}

/**
 * Runs `runs` ticket lifecycles through the real handlers over DynamoDB Local, s3rver and aws-ses-v2-local, one
 * customer each: new mail (with one attachment) → acknowledgement; inbox list and ticket view, agent reply → mail;
 * customer reply by the reply address; view, second agent reply; second customer reply. The first run warms up.
 */
export async function measureLifecycles(runs: number): Promise<LifecycleMeasurement> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'sesdesk-bench-cost-'));
  progress('cost: starting DynamoDB Local, s3rver and aws-ses-v2-local');
  const servers = await startServers(directory);
  const stops: (() => Promise<void>)[] = [];
  try {
    const tableName = `bench-cost-${Date.now()}`;
    const admin = createDynamoClient(servers.dynamo.endpoint);
    await ensureTable(admin, tableName);
    const { Table } = await admin.send(new DescribeTableCommand({ TableName: tableName }));

    // One set of clients per function, as each Lambda has its own, so usage is attributed to the function.
    let current = emptyUsage();
    const meter = () => current;
    const clientsFor = () => {
      const documents = createDocumentClient(servers.dynamo.endpoint);
      const s3 = createS3Client(servers.s3.endpoint);
      meterDynamo(documents, meter);
      meterS3(s3, meter);
      return { documents, s3 };
    };
    const config = { ...DEFAULT_DESK_CONFIG, dashboardUrl: 'https://dashboard.example.com' };
    const tokenKeys = { secrets: [SECRET] };
    const clock = () => new Date();

    const ingestLog = new CountingLog();
    const ingest = createIngestHandler(async () =>
      createIngestDeps({ ...clientsFor(), tableName, config, tokenKeys, clock, log: ingestLog }),
    );

    const sesClient = createSesClient(servers.ses.endpoint);
    meterSes(sesClient, meter);
    const notifyLog = new CountingLog();
    const notifyDeps = createNotifyDeps({
      ...clientsFor(),
      ses: sesClient,
      tableName,
      bucket: BUCKET,
      config,
      tokenKeys,
      region: LOCAL_REGION,
      clock,
      log: notifyLog,
    });
    const notify = createNotifyHandler(async () => notifyDeps);

    const apiLog = new CountingLog();
    const api = createApiHandler(
      createApiDeps({ ...clientsFor(), tableName, bucket: BUCKET, config, tokenKeys: async () => tokenKeys, clock, log: apiLog }),
    );

    // SES's own PUT of the raw mail: an S3 request in our bucket, not made by any function.
    const sesReceiptUsage = emptyUsage();
    const sesStore = createS3Client(servers.s3.endpoint);
    meterS3(sesStore, () => (runIndex === runs - 1 ? sesReceiptUsage : emptyUsage()));

    const invocations = new Map<string, Invocation>();
    let runIndex = 0;
    const logs: Record<FunctionName, CountingLog> = { ingest: ingestLog, notify: notifyLog, api: apiLog };
    const timed = async <T>(
      fn: FunctionName,
      label: string,
      call: () => Promise<T>,
      responseBytes: (result: T) => number = () => 0,
    ): Promise<T> => {
      let entry = invocations.get(`${fn}:${label}`);
      if (!entry) {
        entry = { fn, label, perTicket: 0, durationsMs: [], ioMs: [], usage: emptyUsage(), logBytes: 0, responseBytes: 0 };
        invocations.set(`${fn}:${label}`, entry);
      }
      const lastRun = runIndex === runs - 1;
      const step = emptyUsage();
      current = step;
      const logBefore = logs[fn].bytes;
      const started = performance.now();
      const result = await call();
      const elapsed = performance.now() - started;
      if (runIndex > 0) {
        entry.durationsMs.push(elapsed);
        entry.ioMs.push(step.ioMs);
      }
      if (lastRun) {
        addUsage(entry.usage, step);
        (entry as { perTicket: number }).perTicket += 1;
        entry.logBytes += logs[fn].bytes - logBefore;
        entry.responseBytes += responseBytes(result);
      }
      current = emptyUsage();
      return result;
    };

    // The stream, as Lambda's event source mapping sees it: one invocation per record that passes the filter
    // (events of a real ticket are minutes apart, so batches rarely hold more than one).
    const queue: DynamoDBRecord[] = [];
    const poller = pollStream({
      client: createStreamsClient(servers.dynamo.endpoint),
      streamArn: Table!.LatestStreamArn!,
      idleMs: 50,
      onBatch: async (event) => {
        queue.push(...event.Records.filter(passesNotifyFilter));
      },
    });
    stops.push(() => poller.stop());
    const drainStream = async (): Promise<void> => {
      for (;;) {
        await poller.settled();
        if (queue.length === 0) return;
        while (queue.length > 0) {
          const record = queue.shift()!;
          const kind = record.eventName === 'INSERT' ? 'delivery inserted (send)' : NOTIFY_FOLLOW_UP;
          await timed('notify', kind, () => notify({ Records: [record] }));
        }
      }
    };

    const inboundBytes: number[] = [];
    const deliverMail = async (label: string, raw: Buffer): Promise<void> => {
      const key = `inbound/${randomBytes(12).toString('hex')}`;
      await sesStore.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: raw, ContentType: 'message/rfc822' }));
      if (runIndex === runs - 1) inboundBytes.push(raw.byteLength);
      await timed('ingest', label, () => ingest(objectCreatedEvent(BUCKET, key)));
      await drainStream();
    };
    const claims = { email: AGENT.email, 'cognito:groups': '[team]', name: AGENT.name };
    const callApi = async (label: string, method: string, rawPath: string, query?: Record<string, string>, body?: unknown) => {
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath,
        rawQueryString: new URLSearchParams(query).toString(),
        headers: { 'content-type': 'application/json' },
        queryStringParameters: query,
        requestContext: { http: { method, path: rawPath }, authorizer: { jwt: { claims, scopes: [] } } },
        body: body === undefined ? undefined : JSON.stringify(body),
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
      const response = await timed(
        'api',
        label,
        () => api(event),
        (r) => Buffer.byteLength(typeof r.body === 'string' ? r.body : ''),
      );
      if ((response.statusCode ?? 500) >= 300)
        throw new Error(`${method} ${rawPath} answered ${response.statusCode}: ${String(response.body)}`);
      await drainStream();
      return JSON.parse(typeof response.body === 'string' ? response.body : 'null') as Record<string, unknown>;
    };

    const attachment = randomBytes(24 * 1024);
    for (runIndex = 0; runIndex < runs; runIndex++) {
      const customer = `ann.${runIndex}.${Date.now()}@customer.example`;
      const first = customerBody(3, '');
      await deliverMail(
        'new mail (opens a ticket)',
        await compose({
          from: `"Ann Customer" <${customer}>`,
          to: DESK,
          subject: `Invoice portal error ${runIndex}`,
          ...first,
          attachments: [{ filename: 'screenshot.png', content: attachment, contentType: 'image/png' }],
        }),
      );
      const list = await callApi('inbox list', 'GET', '/api/tickets', { status: 'open' });
      const ticketId = String(
        ((list.items as { id: string; requester: { address: string } }[]).find((t) => t.requester.address === customer) ?? { id: '' }).id,
      );
      if (!ticketId) throw new Error('the new mail opened no ticket');
      for (let reply = 1; reply <= 2; reply++) {
        await callApi('ticket view', 'GET', `/api/tickets/${ticketId}`);
        await callApi('agent reply', 'POST', `/api/tickets/${ticketId}/messages`, undefined, {
          body: `Thanks, we are looking into it (${reply}).\n\n**Ada**`,
          internal: false,
        });
        const { emails } = await readOutbox(servers.ses.endpoint);
        const sent = emails.filter((e) => e.destination.to.some((to) => to.includes(customer)));
        const replyTo = sent.at(-1)?.replyTo[0] ?? DESK;
        const quote =
          sent
            .at(-1)
            ?.body.text?.split('\n')
            .map((line) => `> ${line}`)
            .join('\n') ?? '';
        await deliverMail(
          'customer reply',
          await compose({
            from: `"Ann Customer" <${customer}>`,
            to: replyTo,
            subject: `Re: Invoice portal error ${runIndex}`,
            ...customerBody(1, quote),
          }),
        );
      }
      progress(`cost: lifecycle ${runIndex + 1}/${runs}`);
    }

    const storedItems = await createDocumentClient(servers.dynamo.endpoint).send(new ScanCommand({ TableName: tableName }));
    const itemBytes = (storedItems.Items ?? []).reduce(
      (sum, item) => sum + Buffer.byteLength(JSON.stringify(marshall(item, { removeUndefinedValues: true }))),
      0,
    );
    const storedS3 = await s3Bytes(servers.s3.endpoint);
    return {
      invocations: [...invocations.values()],
      inboundBytes,
      sesReceiptUsage,
      storedS3Bytes: storedS3 / runs,
      storedItemBytes: itemBytes / runs,
      runs,
    };
  } finally {
    for (const stop of stops) await stop();
    await Promise.allSettled([servers.dynamo.stop(), servers.s3.stop(), servers.ses.stop()]);
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Bytes of every object in the bench bucket (a listing: the bench's own request, not counted). */
async function s3Bytes(endpoint: string): Promise<number> {
  const client = createS3Client(endpoint);
  let total = 0;
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
    total += (page.Contents ?? []).reduce((sum, o) => sum + (o.Size ?? 0), 0);
    token = page.NextContinuationToken;
  } while (token);
  return total;
}

/** Sums usage over invocations of one function. */
export function usageOf(measurement: LifecycleMeasurement, fn: FunctionName): Usage {
  const total = emptyUsage();
  for (const invocation of measurement.invocations) if (invocation.fn === fn) addUsage(total, invocation.usage);
  return total;
}
