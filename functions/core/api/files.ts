// core: use cases for files: presigned uploads for agent attachments, presigned downloads of stored ones
import { DOWNLOADABLE_KEY, MAIL_PREFIXES, mailKeys, UPLOAD_KEY } from '../../contracts';
import { InvalidInputError, NotFoundError } from '../errors';
import { newId } from '../ids';
import type { StoredAttachment } from '../types';
import type { ApiDeps } from './api-ports';

/** SES refuses messages over 10 MB in its v1 API; one attachment must leave room for the rest. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** True for a key `createUpload` could have made. */
export function isUploadKey(key: string): boolean {
  return UPLOAD_KEY.test(key);
}

/**
 * A fresh key under `uploads/` and a 15-minute PUT URL for it, bound to the content type and size.
 * @example const { key, url } = await createUpload(deps, { filename: 'log.txt', contentType: 'text/plain', size: 120 })
 */
export async function createUpload(
  deps: ApiDeps,
  file: { filename: string; contentType: string; size: number },
): Promise<{ key: string; url: string }> {
  const key = mailKeys.upload(newId(), file.filename);
  const url = await deps.files.uploadUrl(key, file.contentType, file.size);
  deps.log.info('upload url issued', { key, size: file.size });
  return { key, url };
}

/**
 * A 5-minute download URL for an attachment or an upload, always served as a download so a stranger's
 * HTML or SVG never renders on our origin.
 * @throws InvalidInputError for any other key.
 */
export async function attachmentUrl(deps: ApiDeps, key: string): Promise<{ url: string }> {
  if (!DOWNLOADABLE_KEY.test(key)) throw new InvalidInputError('key: not an attachment or upload key');
  const last = key.slice(key.lastIndexOf('/') + 1);
  // Ingest prefixes the part's index to keep names unique within a message; the download drops it.
  const name = key.startsWith(MAIL_PREFIXES.attachments) ? last.replace(/^\d+-/, '') : last;
  return { url: await deps.files.downloadUrl(key, name) };
}

/** How long `uploads/` keeps a file before the bucket's lifecycle rule deletes it (see lib/constructs/inbound-mail.ts). */
export const UPLOAD_LIFETIME_DAYS = 2;

/**
 * Copies files an agent uploaded (under `uploads/`, which expires) to the message's own keys under
 * `attachments/`, and returns them as the message's attachments.
 * @throws InvalidInputError naming the attachment whose upload is gone.
 */
export async function attachUploads(
  deps: Pick<ApiDeps, 'store' | 'bucket'>,
  ticketId: string,
  messageId: string,
  uploads: readonly { key: string; filename: string; contentType: string; size: number }[],
): Promise<StoredAttachment[]> {
  return Promise.all(
    uploads.map(async (upload, index) => {
      const key = mailKeys.attachment(ticketId, messageId, index, upload.filename);
      try {
        await deps.store.copy(deps.bucket, upload.key, key);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        throw new InvalidInputError(
          `attachments.${index}.key: the uploaded file is gone (uploads are kept ${UPLOAD_LIFETIME_DAYS} days); attach it again`,
          { cause: error },
        );
      }
      return { key, filename: upload.filename, contentType: upload.contentType, size: upload.size, inline: false, cid: null };
    }),
  );
}
