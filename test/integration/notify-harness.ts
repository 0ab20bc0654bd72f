// test support: the notify function wired to DynamoDB Local, s3rver and the SES stand-in, plus ingest beside it
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../bin/local/dynamodb-local';
import { pollStream, type StreamPoller } from '../../bin/local/stream-poller';
import { readOutbox, type OutboxEmail } from '../../bin/local/ses-local';
import { type DynamoDeliveryRepository } from '../../functions/adapters/dynamo-delivery-repository';
import { type DynamoTicketRepository } from '../../functions/adapters/dynamo-ticket-repository';
import { parseDeskConfig, type DeskConfig } from '../../functions/core/config/desk-config';
import type { Mailer } from '../../functions/core/notify/notify-ports';
import type { NotifyDeps } from '../../functions/core/notify/process-delivery';
import { ingestEmail, type IngestResult } from '../../functions/core/ingest/ingest-email';
import type { Log } from '../../functions/core/ports';
import type { TokenKeys } from '../../functions/core/threading/reply-token';
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
} from '../support/local-aws';
import type { DynamoDBStreamEvent } from 'aws-lambda';
export { plainMail as customerMail } from '../support/plain-mail';

export const TOKEN_KEYS: TokenKeys = { secrets: ['integration-secret-0123456789'] };

export const quietLog: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Counts the commands a document client sends, by name (the DynamoDB requests a use case costs). */
export function countCommands(client: DynamoDBDocumentClient): { counts: Map<string, number>; total(): number; reset(): void } {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts.set(context.commandName ?? '?', (counts.get(context.commandName ?? '?') ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return { counts, total: () => [...counts.values()].reduce((a, b) => a + b, 0), reset: () => counts.clear() };
}

export interface NotifyHarness {
  readonly runId: string;
  readonly tableName: string;
  readonly config: DeskConfig;
  readonly bucket: string;
  readonly sesEndpoint: string;
  /** Used by the notify function only, so its requests can be counted. */
  readonly notifyDocuments: DynamoDBDocumentClient;
  readonly documents: DynamoDBDocumentClient;
  readonly tickets: DynamoTicketRepository;
  readonly deliveries: DynamoDeliveryRepository;
  readonly deps: NotifyDeps;
  /** Raw MIME of every message handed to SES, in order. */
  readonly sent: Uint8Array[];
  readonly handler: ReturnType<typeof createNotifyHandler>;
  /** Every event the poller gave the handler. */
  readonly events: DynamoDBStreamEvent[];
  readonly poller: StreamPoller;
  /** Stores a raw email in the bucket and runs the real ingest use case on it. */
  receive(raw: string): Promise<IngestResult>;
  /** Messages the SES stand-in holds for a recipient address. */
  outboxFor(address: string): Promise<OutboxEmail[]>;
  stop(): Promise<void>;
}

/** Starts a table of its own, the stream poller feeding the notify handler, and the clients around them. */
export async function startNotifyHarness(options: { ackLimitPerDay?: number } = {}): Promise<NotifyHarness> {
  const runId = randomUUID().slice(0, 8);
  const tableName = `notify-${runId}`;
  const dynamoEndpoint = inject('dynamoEndpoint');
  const sesEndpoint = inject('sesEndpoint');
  const bucket = inject('mailBucket');
  const dynamo = createDynamoClient(dynamoEndpoint);
  await ensureTable(dynamo, tableName);

  const config = parseDeskConfig({
    domain: 'desk.localhost',
    desks: [{ id: 'support', address: 'support@desk.localhost', name: 'Acme Support' }],
    team: [{ email: 'ada@desk.localhost', name: 'Ada Agent' }],
    ackLimitPerDay: options.ackLimitPerDay ?? 3,
    dashboardUrl: 'http://localhost:3000',
  });
  const documents = createDocumentClient(dynamoEndpoint);
  const notifyDocuments = createDocumentClient(dynamoEndpoint);
  const s3 = createS3Client(inject('s3Endpoint'));
  const ingestDeps = createIngestDeps({ documents, s3, tableName, config, tokenKeys: TOKEN_KEYS, log: quietLog });
  const tickets = ingestDeps.tickets as DynamoTicketRepository;
  const real = createNotifyDeps({
    documents: notifyDocuments,
    s3,
    ses: createSesClient(sesEndpoint),
    tableName,
    bucket,
    config,
    tokenKeys: TOKEN_KEYS,
    region: LOCAL_REGION,
    log: quietLog,
  });
  const deliveries = real.deliveries as DynamoDeliveryRepository;
  const sent: Uint8Array[] = [];
  const mailer: Mailer = {
    send: async (raw, sendOptions) => {
      sent.push(raw);
      return real.mailer.send(raw, sendOptions);
    },
  };
  const deps: NotifyDeps = { ...real, mailer };
  const handler = createNotifyHandler(async () => deps);
  const events: DynamoDBStreamEvent[] = [];
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const poller = pollStream({
    client: createStreamsClient(dynamoEndpoint),
    streamArn: Table!.LatestStreamArn!,
    idleMs: 50,
    onBatch: async (event) => {
      events.push(event);
      return handler(event);
    },
  });

  let received = 0;
  return {
    runId,
    tableName,
    config,
    bucket,
    sesEndpoint,
    notifyDocuments,
    documents,
    tickets,
    deliveries,
    deps,
    sent,
    handler,
    events,
    poller,
    receive: async (raw) => {
      received += 1;
      const key = `inbound/${runId}-${received}`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: raw }));
      return ingestEmail(ingestDeps, { bucket, key, receivedAt: new Date().toISOString() });
    },
    outboxFor: async (address) => {
      const { emails } = await readOutbox(sesEndpoint);
      return emails.filter((email) => email.destination.to.some((to) => to.toLowerCase().includes(address.toLowerCase())));
    },
    stop: () => poller.stop(),
  };
}
