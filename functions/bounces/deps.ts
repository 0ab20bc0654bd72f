// composition root of the bounces function, shared by its Lambda entry, the local stack and the tests
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDeliveryRepository } from '../adapters/dynamo-delivery-repository';
import { DynamoTable } from '../adapters/dynamo-table';
import type { FeedbackDeps } from '../core/notify/record-ses-feedback';
import type { Log } from '../core/ports';

export interface BouncesResources {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The SES region the mail was sent from: it decides the Message-ID form stored for it. */
  readonly region: string;
  readonly log: Log;
  /** @default the system clock */
  readonly clock?: () => Date;
}

/** The SES feedback use case's dependencies over real clients. */
export function createBouncesDeps(resources: BouncesResources): FeedbackDeps {
  return {
    deliveries: new DynamoDeliveryRepository(new DynamoTable(resources.documents, resources.tableName)),
    clock: resources.clock ?? (() => new Date()),
    region: resources.region,
    log: resources.log,
  };
}
