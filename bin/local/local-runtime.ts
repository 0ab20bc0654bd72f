// local stack: the composition root for running the Lambda handlers on this machine against local servers
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeskConfig } from '../../functions/core/config/desk-config';
import { parseEmail } from '../../functions/core/email/parse-email';
import type { ApiDeps } from '../../functions/core/api/api-ports';
import { issueLocalToken } from '../../functions/core/api/local-auth';
import type { FeedbackDeps } from '../../functions/core/notify/record-ses-feedback';
import type { NotifyDeps } from '../../functions/core/notify/process-delivery';
import { cachedSettings } from '../../functions/core/notify/settings-cache';
import { verifyUnsubscribe } from '../../functions/core/notify/unsubscribe';
import type { Log } from '../../functions/core/ports';
import type { TokenKeys } from '../../functions/core/threading/reply-token';
import type { IngestDeps } from '../../functions/core/tickets/ingest-email';
import { DynamoDeliveryRepository } from '../../functions/adapters/dynamo-delivery-repository';
import { DynamoDeskRepository } from '../../functions/adapters/dynamo-desk-repository';
import { DynamoSettingsRepository } from '../../functions/adapters/dynamo-settings-repository';
import { DynamoTicketRepository } from '../../functions/adapters/dynamo-ticket-repository';
import { S3ObjectStore } from '../../functions/adapters/s3-object-store';
import { S3Presigner } from '../../functions/adapters/s3-presigner';
import { SesMailer } from '../../functions/adapters/ses-mailer';
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
 * Builds every function's dependencies exactly as the Lambda composition roots do, but aimed at the local
 * servers: the same core, the same adapters, other endpoints.
 */
export function createLocalRuntime(options: LocalRuntimeOptions): LocalRuntime {
  const { endpoints, config, tableName, bucket, secret } = options;
  const documents = createDocumentClient(endpoints.dynamo);
  const s3 = createS3Client(endpoints.s3);
  const ses = createSesClient(endpoints.ses);
  options.faults?.instrument('dynamodb', documents);
  options.faults?.instrument('s3', s3);
  options.faults?.instrument('ses', ses);
  const store = new S3ObjectStore(s3);
  const tokenKeys: TokenKeys = { secrets: [secret] };
  const tickets = new DynamoTicketRepository(documents, tableName);
  const deliveries = new DynamoDeliveryRepository(documents, tableName);
  const settings = new DynamoSettingsRepository(documents, tableName);
  const clock = () => new Date();

  const runtime: LocalRuntime = {
    documents,
    tokenKeys,
    ingest: { store, tickets, config, tokenKeys, parse: (raw) => parseEmail(raw), log: options.log('ingest') },
    notify: {
      deliveries,
      settings: cachedSettings(
        (deskId) => settings.getSettings(deskId),
        () => Date.now(),
      ),
      mailer: new SesMailer(ses),
      store,
      bucket,
      config,
      tokenKeys,
      clock,
      region: LOCAL_REGION,
      log: options.log('notify'),
    },
    api: {
      config,
      tickets,
      desk: new DynamoDeskRepository(documents, tableName),
      store,
      bucket,
      files: new S3Presigner(s3, bucket),
      settings,
      unsubscriber: {
        verify: async (ticketId, address, signature) => verifyUnsubscribe(tokenKeys, ticketId, address, signature),
        unsubscribe: (ticketId, address) => deliveries.unsubscribeParticipant(ticketId, address),
      },
      clock,
      log: options.log('api'),
      ...(options.signInCode ? { localSignIn: { code: options.signInCode, issueToken: (member) => issueLocalToken(secret, member) } } : {}),
    },
    bounces: { deliveries, clock, region: LOCAL_REGION, log: options.log('bounces') },
  };
  return options.faults ? options.faults.wrapDeps(runtime) : runtime;
}
