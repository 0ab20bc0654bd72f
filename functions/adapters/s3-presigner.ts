// adapter: FileUrls with S3 presigned URLs (uploads by PUT, downloads always as attachments)
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FileUrls } from '../core/api/api-ports';

/** Long enough to pick a file and upload it on a slow link. */
export const UPLOAD_URL_SECONDS = 15 * 60;
/** A download starts right after the click; a leaked link dies quickly. */
export const DOWNLOAD_URL_SECONDS = 5 * 60;

/** `attachment` with a plain ASCII fallback name and the exact name in RFC 5987 form. */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export class S3Presigner implements FileUrls {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  uploadUrl(key: string, contentType: string, size: number): Promise<string> {
    // Content-Type and Content-Length are signed, so the URL stores only the file that was announced.
    return getSignedUrl(
      this.client,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, ContentLength: size }),
      {
        expiresIn: UPLOAD_URL_SECONDS,
        signableHeaders: new Set(['content-type', 'content-length']),
      },
    );
  }

  downloadUrl(key: string, filename: string, contentType: string): Promise<string> {
    // S3 serves the signed `response-content-*` values instead of the stored ones; it cannot add other headers.
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: attachmentDisposition(filename),
        ResponseContentType: contentType,
      }),
      { expiresIn: DOWNLOAD_URL_SECONDS },
    );
  }
}
