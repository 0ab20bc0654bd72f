// Lambda entry: composition root for the dashboard API (API Gateway HTTP API with the Cognito JWT authorizer)
import { powertoolsLog } from '../adapters/powertools-log';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDeliveryRepository } from '../adapters/dynamo-delivery-repository';
import { DynamoDeskRepository } from '../adapters/dynamo-desk-repository';
import { DynamoSettingsRepository } from '../adapters/dynamo-settings-repository';
import { DynamoTicketRepository } from '../adapters/dynamo-ticket-repository';
import { deskConfigFromEnv, loadTokenKeys, once, requireEnv } from '../adapters/runtime-env';
import { S3ObjectStore } from '../adapters/s3-object-store';
import { S3Presigner } from '../adapters/s3-presigner';
import { verifyUnsubscribe } from '../core/notify/unsubscribe';
import { createApiHandler } from './create-handler';

const log = powertoolsLog('sesdesk-api');
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const s3 = new S3Client({});

export const handler = createApiHandler(
  once(async () => {
    // The local sign-in must never exist in AWS: only API Gateway's verified Cognito claims are trusted.
    if (requireEnv('AUTH_MODE') !== 'cognito') throw new Error('AUTH_MODE must be "cognito" in AWS');
    const tableName = requireEnv('TABLE_NAME');
    const bucket = requireEnv('MAIL_BUCKET');
    const tokenKeys = once(loadTokenKeys);
    const deliveries = new DynamoDeliveryRepository(documents, tableName);
    return {
      config: deskConfigFromEnv(),
      tickets: new DynamoTicketRepository(documents, tableName),
      desk: new DynamoDeskRepository(documents, tableName),
      store: new S3ObjectStore(s3),
      bucket,
      files: new S3Presigner(s3, bucket),
      settings: new DynamoSettingsRepository(documents, tableName),
      unsubscriber: {
        verify: async (ticketId: string, address: string, signature: string) =>
          verifyUnsubscribe(await tokenKeys(), ticketId, address, signature),
        unsubscribe: (ticketId: string, address: string) => deliveries.unsubscribeParticipant(ticketId, address),
      },
      clock: () => new Date(),
      log,
    };
  }),
);
