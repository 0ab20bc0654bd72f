// Lambda entry: composition root for the bounces function (SNS topic of SES bounce and complaint notifications)
import { powertoolsLog } from '../adapters/powertools-log';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDeliveryRepository } from '../adapters/dynamo-delivery-repository';
import { once, requireEnv } from '../adapters/runtime-env';
import { createBouncesHandler } from './create-handler';

const log = powertoolsLog('sesdesk-bounces');
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

export const handler = createBouncesHandler(
  once(async () => ({
    deliveries: new DynamoDeliveryRepository(documents, requireEnv('TABLE_NAME')),
    clock: () => new Date(),
    region: requireEnv('AWS_REGION'),
    log,
  })),
);
