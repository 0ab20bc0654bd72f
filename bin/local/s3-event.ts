// local stack: the S3 notification event Lambda receives for one created object
import { randomUUID } from 'node:crypto';
import type { S3Event } from 'aws-lambda';
import { encodeS3EventKey } from './s3-local';

/** An `ObjectCreated:Put` event for one key, shaped like S3's (key URL-encoded form-style). */
export function objectCreatedEvent(bucket: string, key: string, eventTime = new Date().toISOString()): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime,
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:SES' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': randomUUID(), 'x-amz-id-2': randomUUID() },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'ingest',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeS3EventKey(key), size: 0, eTag: randomUUID(), sequencer: Date.now().toString(16) },
        },
      },
    ],
  };
}
