// Lambda entry of the notify function (the table's stream, pending delivery items only): clients once per container
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { documentClient } from '../adapters/aws-clients';
import { powertoolsLog } from '../adapters/powertools-log';
import { deskConfigFromJson, loadTokenKeys, once } from '../adapters/runtime-env';
import { LAMBDA_RUNTIME_ENV, readFunctionEnv } from '../contracts';
import { createNotifyHandler } from './create-handler';
import { createNotifyDeps } from './deps';

const log = powertoolsLog('sesdesk-notify');

export const handler = createNotifyHandler(
  once(async () => {
    const env = readFunctionEnv('notify', process.env);
    return createNotifyDeps({
      documents: documentClient(),
      s3: new S3Client({}),
      ses: new SESClient({}),
      tableName: env.TABLE_NAME,
      bucket: env.MAIL_BUCKET,
      config: deskConfigFromJson(env.DESK_CONFIG),
      tokenKeys: await loadTokenKeys(env.TOKEN_SECRET_ARN, process.env),
      region: process.env[LAMBDA_RUNTIME_ENV.region]!,
      sesConfigurationSet: env.SES_CONFIGURATION_SET,
      log,
    });
  }),
);
