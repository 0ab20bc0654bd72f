// local stack: AWS SDK clients aimed at the local servers (fake credentials, us-east-1, fail fast)
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Region every local client uses; the local servers ignore it but the SDK signs with it. */
export const LOCAL_REGION = 'us-east-1';

/** s3rver accepts only these keys; DynamoDB Local (shared db) and the SES stand-in accept anything. */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

// One retry absorbs a dropped keep-alive socket; more would only hide a broken server behind slow failures.
const common = (endpoint: string) => ({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 });

/** A low-level DynamoDB client for DynamoDB Local (tables, streams set-up). */
export function createDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient(common(endpoint));
}

/** A document client over {@link createDynamoClient}, dropping `undefined` attributes like the app's. */
export function createDocumentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoClient(endpoint), { marshallOptions: { removeUndefinedValues: true } });
}

/** A DynamoDB Streams client; DynamoDB Local serves streams on the same endpoint as tables. */
export function createStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient(common(endpoint));
}

/** An S3 client for s3rver: path-style URLs, and checksums only when required. */
export function createS3Client(endpoint: string): S3Client {
  return new S3Client({
    ...common(endpoint),
    forcePathStyle: true,
    // Default checksums send streamed bodies aws-chunked, which s3rver stores verbatim, chunk framing and all.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** An SES (v1 API) client for aws-ses-v2-local, which serves SendRawEmail on `/`. */
export function createSesClient(endpoint: string): SESClient {
  return new SESClient(common(endpoint));
}
