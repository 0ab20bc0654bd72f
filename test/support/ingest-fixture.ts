// test support: a real ingest pipeline over DynamoDB Local and s3rver, for integration tests
import { randomUUID } from 'node:crypto';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { inject } from 'vitest';
import { ensureTable } from '../../bin/local/dynamodb-local';
import { objectCreatedEvent } from '../../bin/local/s3-event';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import type { Log, ObjectStore } from '../../functions/core/ports';
import type { IngestDeps } from '../../functions/core/ingest/ingest-email';
import { type DynamoTicketRepository } from '../../functions/adapters/dynamo-ticket-repository';
import { createIngestHandler } from '../../functions/ingest/create-handler';
import { createIngestDeps } from '../../functions/ingest/deps';
import { createDocumentClient, createDynamoClient, createS3Client } from './local-aws';

export const TEST_TOKEN_KEYS = { secrets: ['integration-test-secret-0123456789'] };

/** Logs nothing but keeps every line, so tests can assert what was logged. */
export class MemoryLog implements Log {
  readonly lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  debug(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: 'debug', message, extra });
  }
  info(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: 'error', message, extra });
  }
}

/** The S3 notification event Lambda receives. */
export const s3Event = objectCreatedEvent;

/** Builds a raw RFC 5322 message the way a customer's mail client would. */
export async function composeMail(options: Mail.Options): Promise<Buffer> {
  return new MailComposer({ date: new Date('2026-11-20T10:00:00Z'), ...options }).compile().build();
}

export interface IngestFixture {
  readonly tableName: string;
  readonly bucket: string;
  readonly documents: DynamoDBDocumentClient;
  readonly repository: DynamoTicketRepository;
  readonly store: ObjectStore;
  readonly deps: IngestDeps;
  readonly log: MemoryLog;
  readonly handler: ReturnType<typeof createIngestHandler>;
  /** Stores raw mail under `inbound/<id>` and delivers the S3 event to the real handler; returns the key. */
  deliver(
    raw: Uint8Array | string,
    key?: string,
  ): Promise<{ key: string; results: Awaited<ReturnType<ReturnType<typeof createIngestHandler>>> }>;
  /** Every item in the table (tests only: a scan). */
  items(): Promise<Record<string, unknown>[]>;
}

/** Creates a fresh table and the real ingest dependencies aimed at the local servers. */
export async function createIngestFixture(name: string, overrides: Partial<IngestDeps> = {}): Promise<IngestFixture> {
  const tableName = `it-${name}-${randomUUID().slice(0, 8)}`;
  const dynamo = createDynamoClient(inject('dynamoEndpoint'));
  await ensureTable(dynamo, tableName);
  const documents = createDocumentClient(inject('dynamoEndpoint'));
  const bucket = inject('mailBucket');
  const log = new MemoryLog();
  const base = createIngestDeps({
    documents,
    s3: createS3Client(inject('s3Endpoint')),
    tableName,
    config: overrides.config ?? DEFAULT_DESK_CONFIG,
    tokenKeys: TEST_TOKEN_KEYS,
    log,
  });
  const deps: IngestDeps = { ...base, ...overrides };
  const { store } = deps;
  const repository = base.tickets as DynamoTicketRepository;
  const handler = createIngestHandler(async () => deps);
  return {
    tableName,
    bucket,
    documents,
    repository,
    store,
    deps,
    log,
    handler,
    async deliver(raw, key = `inbound/${randomUUID().replace(/-/g, '')}`) {
      await store.put(bucket, key, typeof raw === 'string' ? Buffer.from(raw) : raw, 'message/rfc822');
      return { key, results: await handler(s3Event(bucket, key)) };
    },
    async items() {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
  };
}
