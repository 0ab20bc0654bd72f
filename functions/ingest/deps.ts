// composition root of the ingest function, shared by its Lambda entry, the local stack and the tests
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoSettingsRepository } from '../adapters/dynamo-settings-repository';
import { DynamoTable } from '../adapters/dynamo-table';
import { DynamoTicketRepository } from '../adapters/dynamo-ticket-repository';
import { S3ObjectStore } from '../adapters/s3-object-store';
import type { DeskConfig } from '../core/config/desk-config';
import { parseEmail } from '../core/email/parse-email';
import type { IngestDeps } from '../core/ingest/ingest-email';
import { cachedSettings } from '../core/notify/settings-cache';
import type { Log } from '../core/ports';
import type { TokenKeys } from '../core/threading/reply-token';

export interface IngestResources {
  readonly documents: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly tableName: string;
  readonly config: DeskConfig;
  readonly tokenKeys: TokenKeys;
  readonly log: Log;
  /** @default the system clock */
  readonly clock?: () => Date;
}

/** The ingest use case's dependencies over real clients; desk settings are cached per container. */
export function createIngestDeps(resources: IngestResources): IngestDeps {
  const table = new DynamoTable(resources.documents, resources.tableName);
  const settings = new DynamoSettingsRepository(table);
  const clock = resources.clock ?? (() => new Date());
  return {
    store: new S3ObjectStore(resources.s3),
    tickets: new DynamoTicketRepository(table),
    config: resources.config,
    tokenKeys: resources.tokenKeys,
    parse: (raw) => parseEmail(raw),
    settings: cachedSettings(
      (deskId) => settings.getSettings(deskId),
      () => clock().getTime(),
    ),
    clock,
    log: resources.log,
  };
}
