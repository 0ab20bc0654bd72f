// adapter: ObjectStore on S3 (raw mail, attachments, large bodies)
import { CopyObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { NotFoundError } from '../core/errors';
import type { ObjectStore } from '../core/ports';

export class S3ObjectStore implements ObjectStore {
  constructor(private readonly client: S3Client) {}

  async get(bucket: string, key: string): Promise<Uint8Array> {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!Body) throw new NotFoundError(`s3://${bucket}/${key} has no body`);
      return await Body.transformToByteArray();
    } catch (error) {
      throw notFoundAs(error, bucket, key);
    }
  }

  async copy(bucket: string, fromKey: string, toKey: string): Promise<void> {
    try {
      // CopySource is `bucket/key` URL-encoded (slashes kept).
      const source = `${bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
      await this.client.send(new CopyObjectCommand({ Bucket: bucket, Key: toKey, CopySource: source }));
    } catch (error) {
      throw notFoundAs(error, bucket, fromKey);
    }
  }

  async put(bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async *list(bucket: string, prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}

/** S3's missing-key error as the core's NotFoundError; anything else unchanged. */
function notFoundAs(error: unknown, bucket: string, key: string): unknown {
  if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
    return new NotFoundError(`s3://${bucket}/${key} does not exist`, { cause: error });
  }
  return error;
}
