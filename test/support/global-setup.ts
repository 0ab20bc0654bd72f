// test support: start DynamoDB Local, s3rver and the SES stand-in once per `vitest run`; tests `inject` the endpoints
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../bin/local/dynamodb-local';
import type { LocalServer } from '../../bin/local/local-server';
import { findFreePort } from '../../bin/local/ports';
import { startS3Local } from '../../bin/local/s3-local';
import { startSesLocal } from '../../bin/local/ses-local';

/** The bucket s3rver creates for integration tests. */
export const TEST_MAIL_BUCKET = 'sesdesk-mail-test';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DynamoDB Local, in memory, shared db; each test file makes its own table with `ensureTable`. */
    dynamoEndpoint: string;
    /** s3rver with {@link TEST_MAIL_BUCKET}. */
    s3Endpoint: string;
    /** aws-ses-v2-local; its outbox is shared by every test file, so filter by a unique subject or recipient. */
    sesEndpoint: string;
    mailBucket: string;
  }
}

/** Vitest globalSetup: starts the servers, provides their endpoints, returns the teardown that stops them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Set here, before the workers fork and inherit it: every SDK client otherwise warns once per process about Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started: LocalServer[] = [];
  const s3Directory = await mkdtemp(path.join(tmpdir(), 'sesdesk-s3-'));
  const teardown = async (): Promise<void> => {
    await Promise.allSettled(started.map((server) => server.stop()));
    await rm(s3Directory, { recursive: true, force: true });
  };

  // Each launcher checks its port first, so a port taken between findFreePort and start fails with a clear line.
  const [dynamo, s3, ses] = await Promise.allSettled([
    findFreePort().then((port) => startDynamoDbLocal({ port, dataDir: null })),
    findFreePort().then((port) => startS3Local({ port, directory: s3Directory, buckets: [TEST_MAIL_BUCKET] })),
    findFreePort().then((port) => startSesLocal({ port })),
  ]);
  for (const result of [dynamo, s3, ses]) if (result.status === 'fulfilled') started.push(result.value);
  if (dynamo.status === 'rejected' || s3.status === 'rejected' || ses.status === 'rejected') {
    await teardown();
    const failed = [dynamo, s3, ses].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    throw failed[0];
  }

  project.provide('dynamoEndpoint', dynamo.value.endpoint);
  project.provide('s3Endpoint', s3.value.endpoint);
  project.provide('sesEndpoint', ses.value.endpoint);
  project.provide('mailBucket', TEST_MAIL_BUCKET);
  return teardown;
}
