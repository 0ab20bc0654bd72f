// local stack: the handlers' dependencies on this machine: each function's own composition root, aimed at local servers
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createApiDeps } from '../../functions/api/deps';
import { createBouncesDeps } from '../../functions/bounces/deps';
import type { ApiDeps } from '../../functions/core/api/api-ports';
import { issueLocalToken } from '../../functions/core/api/local-auth';
import type { DeskConfig } from '../../functions/core/config/desk-config';
import type { IngestDeps } from '../../functions/core/ingest/ingest-email';
import type { FeedbackDeps } from '../../functions/core/notify/record-ses-feedback';
import type { NotifyDeps } from '../../functions/core/notify/process-delivery';
import type { Log } from '../../functions/core/ports';
import type { TokenKeys } from '../../functions/core/threading/reply-token';
import { createIngestDeps } from '../../functions/ingest/deps';
import { createNotifyDeps } from '../../functions/notify/deps';
import { createDocumentClient, createS3Client, createSesClient, LOCAL_REGION } from './aws-clients';
import type { FaultInjector } from './faults';

export interface LocalEndpoints {
  readonly dynamo: string;
  readonly s3: string;
  readonly ses: string;
}

export interface LocalRuntimeOptions {
  readonly endpoints: LocalEndpoints;
  readonly config: DeskConfig;
  readonly tableName: string;
  readonly bucket: string;
  /** The local secret: signs reply tokens and dashboard tokens. */
  readonly secret: string;
  /** One Log per function, as each Lambda has its own log group. */
  readonly log: (service: 'ingest' | 'notify' | 'api' | 'bounces') => Log;
  /** The code a person types to sign in to the local dashboard; without it, local sign-in is off. */
  readonly signInCode?: string;
  /** Injected faults for reliability tests and benches (see bin/local/faults.ts); none when absent. */
  readonly faults?: FaultInjector;
  /** Waits between webhook attempts (tests shorten them). @default the notify function's */
  readonly webhookRetryDelaysMs?: readonly number[];
}

export interface LocalRuntime {
  readonly documents: DynamoDBDocumentClient;
  readonly tokenKeys: TokenKeys;
  readonly ingest: IngestDeps;
  readonly notify: NotifyDeps;
  readonly api: ApiDeps;
  readonly bounces: FeedbackDeps;
}

/**
 * Builds every function's dependencies with the same composition roots the Lambda entries use, over clients
 * aimed at the local servers: the same core, the same adapters, other endpoints.
 */
export function createLocalRuntime(options: LocalRuntimeOptions): LocalRuntime {
  const { endpoints, config, tableName, bucket, secret } = options;
  const documents = createDocumentClient(endpoints.dynamo);
  const s3 = createS3Client(endpoints.s3);
  const ses = createSesClient(endpoints.ses);
  options.faults?.instrument('dynamodb', documents);
  options.faults?.instrument('s3', s3);
  options.faults?.instrument('ses', ses);
  const tokenKeys: TokenKeys = { secrets: [secret] };
  const clients = { documents, s3, tableName, config };

  const runtime: LocalRuntime = {
    documents,
    tokenKeys,
    ingest: createIngestDeps({ ...clients, tokenKeys, log: options.log('ingest') }),
    notify: createNotifyDeps({
      ...clients,
      ses,
      bucket,
      tokenKeys,
      region: LOCAL_REGION,
      log: options.log('notify'),
      ...(options.webhookRetryDelaysMs ? { webhookRetryDelaysMs: options.webhookRetryDelaysMs } : {}),
    }),
    api: createApiDeps({
      ...clients,
      bucket,
      tokenKeys: async () => tokenKeys,
      log: options.log('api'),
      ...(options.signInCode ? { localSignIn: { code: options.signInCode, issueToken: (member) => issueLocalToken(secret, member) } } : {}),
    }),
    bounces: createBouncesDeps({ documents, tableName, region: LOCAL_REGION, log: options.log('bounces') }),
  };
  return options.faults ? options.faults.wrapDeps(runtime) : runtime;
}
