// composition root of the notify function, shared by its Lambda entry, the local stack and the tests
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESClient } from '@aws-sdk/client-ses';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDeliveryRepository } from '../adapters/dynamo-delivery-repository';
import { DynamoSettingsRepository } from '../adapters/dynamo-settings-repository';
import { DynamoTable } from '../adapters/dynamo-table';
import { S3ObjectStore } from '../adapters/s3-object-store';
import { SesMailer } from '../adapters/ses-mailer';
import { HttpWebhookSender } from '../adapters/http-webhook-sender';
import { DynamoWorkflowRepository } from '../adapters/dynamo-workflow-repository';
import type { WebhookSender } from '../core/workflow/workflow-ports';
import type { DeskConfig } from '../core/config/desk-config';
import type { NotifyDeps } from '../core/notify/process-delivery';
import { cachedSettings } from '../core/notify/settings-cache';
import type { Log } from '../core/ports';
import type { TokenKeys } from '../core/threading/reply-token';

export interface NotifyResources {
  readonly documents: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly ses: SESClient;
  readonly tableName: string;
  /** The mail bucket stored attachments and uploads are read from. */
  readonly bucket: string;
  readonly config: DeskConfig;
  readonly tokenKeys: TokenKeys;
  /** The SES region: it decides the Message-ID form SES writes. */
  readonly region: string;
  /** The configuration set that publishes bounces and complaints; none locally. */
  readonly sesConfigurationSet?: string;
  readonly log: Log;
  /** @default the system clock */
  readonly clock?: () => Date;
  /** @default POSTs with fetch */
  readonly webhookSender?: WebhookSender;
  /** Waits between webhook attempts. @default 1 s, 4 s, 10 s */
  readonly webhookRetryDelaysMs?: readonly number[];
}

/** The notify use case's dependencies over real clients; desk settings are cached per container. */
export function createNotifyDeps(resources: NotifyResources): NotifyDeps {
  const table = new DynamoTable(resources.documents, resources.tableName);
  const settings = new DynamoSettingsRepository(table);
  const clock = resources.clock ?? (() => new Date());
  const deskSettings = cachedSettings(
    (deskId) => settings.getSettings(deskId),
    () => clock().getTime(),
  );
  return {
    deliveries: new DynamoDeliveryRepository(table),
    settings: deskSettings,
    mailer: new SesMailer(resources.ses, { configurationSetName: resources.sesConfigurationSet }),
    store: new S3ObjectStore(resources.s3),
    bucket: resources.bucket,
    config: resources.config,
    tokenKeys: resources.tokenKeys,
    clock,
    region: resources.region,
    log: resources.log,
    workflow: {
      repository: new DynamoWorkflowRepository(table),
      sender: resources.webhookSender ?? new HttpWebhookSender(),
      settings: deskSettings,
      config: resources.config,
      tokenKeys: resources.tokenKeys,
      clock,
      log: resources.log,
      ...(resources.webhookRetryDelaysMs ? { retryDelaysMs: resources.webhookRetryDelaysMs } : {}),
    },
  };
}
