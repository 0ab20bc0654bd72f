// composition root of the api function, shared by its Lambda entry, the local stack and the tests
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDeliveryRepository } from '../adapters/dynamo-delivery-repository';
import { DynamoDeskRepository } from '../adapters/dynamo-desk-repository';
import { DynamoSettingsRepository } from '../adapters/dynamo-settings-repository';
import { DynamoTable } from '../adapters/dynamo-table';
import { DynamoTicketRepository } from '../adapters/dynamo-ticket-repository';
import { DynamoWorkflowRepository } from '../adapters/dynamo-workflow-repository';
import { S3ObjectStore } from '../adapters/s3-object-store';
import { S3Presigner } from '../adapters/s3-presigner';
import type { ApiDeps, LocalSignIn } from '../core/api/api-ports';
import type { DeskConfig } from '../core/config/desk-config';
import { verifyUnsubscribe } from '../core/notify/unsubscribe';
import type { Log } from '../core/ports';
import type { TokenKeys } from '../core/threading/reply-token';

export interface ApiResources {
  readonly documents: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly tableName: string;
  /** The mail bucket (bodies, attachments, uploads). */
  readonly bucket: string;
  readonly config: DeskConfig;
  /** Only unsubscribe links need the key: it is fetched on first use, not on every cold start. */
  readonly tokenKeys: () => Promise<TokenKeys>;
  readonly log: Log;
  /** The local stack's sign-in; never given in AWS. */
  readonly localSignIn?: LocalSignIn;
  /** @default the system clock */
  readonly clock?: () => Date;
}

/** The dashboard API's dependencies over real clients. */
export function createApiDeps(resources: ApiResources): ApiDeps {
  const table = new DynamoTable(resources.documents, resources.tableName);
  const deliveries = new DynamoDeliveryRepository(table);
  return {
    config: resources.config,
    tickets: new DynamoTicketRepository(table),
    desk: new DynamoDeskRepository(table),
    store: new S3ObjectStore(resources.s3),
    bucket: resources.bucket,
    files: new S3Presigner(resources.s3, resources.bucket),
    settings: new DynamoSettingsRepository(table),
    unsubscriber: {
      verify: async (ticketId, address, signature) => verifyUnsubscribe(await resources.tokenKeys(), ticketId, address, signature),
      unsubscribe: (ticketId, address) => deliveries.unsubscribeParticipant(ticketId, address),
    },
    ingest: async () => {
      // Loaded on first replay only: the mail parser is most of the ingest code and the API rarely needs it.
      const { createIngestDeps } = await import('../ingest/deps');
      return createIngestDeps({ ...resources, tokenKeys: await resources.tokenKeys() });
    },
    workflow: new DynamoWorkflowRepository(table),
    clock: resources.clock ?? (() => new Date()),
    log: resources.log,
    ...(resources.localSignIn ? { localSignIn: resources.localSignIn } : {}),
  };
}
