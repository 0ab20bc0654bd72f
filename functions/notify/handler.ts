// Lambda entry: composition root for the notify function (the table's stream, delivery items only)
import { powertoolsLog } from '../adapters/powertools-log';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDeliveryRepository } from '../adapters/dynamo-delivery-repository';
import { DynamoSettingsRepository } from '../adapters/dynamo-settings-repository';
import { S3ObjectStore } from '../adapters/s3-object-store';
import { SesMailer } from '../adapters/ses-mailer';
import { deskConfigFromEnv, loadTokenKeys, once, requireEnv } from '../adapters/runtime-env';
import { cachedSettings } from '../core/notify/settings-cache';
import { createNotifyHandler } from './create-handler';

const log = powertoolsLog('sesdesk-notify');
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

export const handler = createNotifyHandler(
  once(async () => {
    const tableName = requireEnv('TABLE_NAME');
    const settings = new DynamoSettingsRepository(documents, tableName);
    return {
      deliveries: new DynamoDeliveryRepository(documents, tableName),
      settings: cachedSettings(
        (deskId) => settings.getSettings(deskId),
        () => Date.now(),
      ),
      mailer: new SesMailer(new SESClient({}), { configurationSetName: process.env.SES_CONFIGURATION_SET || undefined }),
      store: new S3ObjectStore(new S3Client({})),
      bucket: requireEnv('MAIL_BUCKET'),
      config: deskConfigFromEnv(),
      tokenKeys: await loadTokenKeys(),
      clock: () => new Date(),
      region: requireEnv('AWS_REGION'),
      log,
    };
  }),
);
