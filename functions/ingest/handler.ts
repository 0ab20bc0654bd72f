// Lambda entry: composition root for the ingest function (S3 ObjectCreated on the inbound/ prefix)
import { powertoolsLog } from '../adapters/powertools-log';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { parseEmail } from '../core/email/parse-email';
import { DynamoTicketRepository } from '../adapters/dynamo-ticket-repository';
import { S3ObjectStore } from '../adapters/s3-object-store';
import { deskConfigFromEnv, loadTokenKeys, once, requireEnv } from '../adapters/runtime-env';
import { createIngestHandler } from './create-handler';

const log = powertoolsLog('sesdesk-ingest');
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

export const handler = createIngestHandler(
  once(async () => ({
    store: new S3ObjectStore(new S3Client({})),
    tickets: new DynamoTicketRepository(documents, requireEnv('TABLE_NAME')),
    config: deskConfigFromEnv(),
    tokenKeys: await loadTokenKeys(),
    parse: (raw: Uint8Array) => parseEmail(raw),
    log,
  })),
);
