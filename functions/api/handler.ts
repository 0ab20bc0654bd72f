// Lambda entry of the dashboard API (API Gateway HTTP API with the Cognito JWT authorizer)
import { S3Client } from '@aws-sdk/client-s3';
import { documentClient } from '../adapters/aws-clients';
import { powertoolsLog } from '../adapters/powertools-log';
import { deskConfigFromJson, loadTokenKeys, once } from '../adapters/runtime-env';
import { readFunctionEnv } from '../contracts';
import { createApiHandler } from './create-handler';
import { createApiDeps } from './deps';

const log = powertoolsLog('sesdesk-api');

export const handler = createApiHandler(
  once(async () => {
    const env = readFunctionEnv('api', process.env);
    // The local sign-in must never exist in AWS: only API Gateway's verified Cognito claims are trusted.
    if (env.AUTH_MODE !== 'cognito') throw new Error('AUTH_MODE must be "cognito" in AWS');
    return createApiDeps({
      documents: documentClient(),
      s3: new S3Client({}),
      tableName: env.TABLE_NAME,
      bucket: env.MAIL_BUCKET,
      config: deskConfigFromJson(env.DESK_CONFIG),
      tokenKeys: once(() => loadTokenKeys(env.TOKEN_SECRET_ARN, process.env)),
      log,
    });
  }),
);
