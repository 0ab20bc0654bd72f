// Lambda entry of the ingest function (S3 ObjectCreated on the inbound/ prefix): clients once per container
import { S3Client } from '@aws-sdk/client-s3';
import { documentClient } from '../adapters/aws-clients';
import { powertoolsLog } from '../adapters/powertools-log';
import { deskConfigFromJson, loadTokenKeys, once } from '../adapters/runtime-env';
import { readFunctionEnv } from '../contracts';
import { createIngestHandler } from './create-handler';
import { createIngestDeps } from './deps';

const log = powertoolsLog('sesdesk-ingest');

export const handler = createIngestHandler(
  once(async () => {
    const env = readFunctionEnv('ingest', process.env);
    return createIngestDeps({
      documents: documentClient(),
      s3: new S3Client({}),
      tableName: env.TABLE_NAME,
      config: deskConfigFromJson(env.DESK_CONFIG),
      tokenKeys: await loadTokenKeys(env.TOKEN_SECRET_ARN, process.env),
      log,
    });
  }),
);
