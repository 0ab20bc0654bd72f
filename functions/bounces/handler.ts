// Lambda entry of the bounces function (SNS topic of SES bounce and complaint notifications)
import { documentClient } from '../adapters/aws-clients';
import { powertoolsLog } from '../adapters/powertools-log';
import { once } from '../adapters/runtime-env';
import { LAMBDA_RUNTIME_ENV, readFunctionEnv } from '../contracts';
import { createBouncesHandler } from './create-handler';
import { createBouncesDeps } from './deps';

const log = powertoolsLog('sesdesk-bounces');

export const handler = createBouncesHandler(
  once(async () =>
    createBouncesDeps({
      documents: documentClient(),
      tableName: readFunctionEnv('bounces', process.env).TABLE_NAME,
      region: process.env[LAMBDA_RUNTIME_ENV.region]!,
      log,
    }),
  ),
);
