// core: use cases for files: presigned uploads for agent attachments, presigned downloads of stored ones
import { DOWNLOADABLE_KEY, MAIL_PREFIXES, mailKeys, QUARANTINED_KEY, UPLOAD_KEY } from '../../contracts';
import { neutralizeBidi } from '../email/display-names';
import { InvalidInputError, NotFoundError } from '../errors';
import { newId } from '../ids';
import type { StoredAttachment } from '../types';
import type { ApiDeps } from './api-ports';
import type { Agent } from './auth';

/** SES refuses messages over 10 MB in its v1 API; one attachment must leave room for the rest. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** What every download that a browser could run, render as a page or sniff into one is served as. */
export const INERT_CONTENT_TYPE = 'application/octet-stream';

/**
 * Types a browser only shows as what they are, by the extension of the stored name: raster images, audio, video, plain
 * text and PDF (the browser's own sandboxed viewer). The name, not the sender's Content-Type, decides, since either can
 * lie and the name is what the saved file will be opened by.
 */
const SHOWN_AS_IS: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
  txt: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm',
};

/**
 * The Content-Type a download is served with: a known inert type for its extension, else `application/octet-stream`,
 * so HTML, SVG, XML or script from a stranger never runs or renders from a download URL.
 * @example downloadContentType('drawing.svg') // 'application/octet-stream'
 */
export function downloadContentType(filename: string): string {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  return SHOWN_AS_IS[extension] ?? INERT_CONTENT_TYPE;
}

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

/** The name a download gets: the key's (safe) name without the part index ingest prefixed, bidi controls neutralised. */
function downloadName(key: string): string {
  const last = key.slice(key.lastIndexOf('/') + 1);
  // Ingest prefixes the part's index to keep names unique within a message; the download drops it.
  return neutralizeBidi(key.startsWith(MAIL_PREFIXES.uploads) ? last : last.replace(/^\d+-/, ''));
}

/**
 * A 5-minute download URL for an attachment or an upload, always served as a download (`Content-Disposition:
 * attachment`) and, for types a browser could run or render, as `application/octet-stream`.
 * @throws InvalidInputError for any other key (quarantined parts have their own route).
 */
export async function attachmentUrl(deps: ApiDeps, key: string): Promise<{ url: string }> {
  if (!DOWNLOADABLE_KEY.test(key)) {
    if (QUARANTINED_KEY.test(key))
      throw new InvalidInputError('key: a quarantined attachment: download it with POST /api/attachments/quarantined/url');
    throw new InvalidInputError('key: not an attachment or upload key');
  }
  const name = downloadName(key);
  return { url: await deps.files.downloadUrl(key, name, downloadContentType(name)) };
}

/**
 * A download URL for an attachment of a mail SES found a virus in, only after the agent confirmed they want it; always
 * `application/octet-stream`. Logged with who asked.
 * @throws InvalidInputError without the confirmation or for a key outside the quarantine.
 */
export async function quarantinedAttachmentUrl(
  deps: ApiDeps,
  agent: Agent,
  file: { key: string; confirm: boolean },
): Promise<{ url: string }> {
  if (!QUARANTINED_KEY.test(file.key)) throw new InvalidInputError('key: not a quarantined attachment');
  if (!file.confirm) throw new InvalidInputError('confirm: must be true: SES found a virus in this email');
  deps.log.warn('quarantined attachment released for download', { key: file.key, by: agent.email });
  return { url: await deps.files.downloadUrl(file.key, downloadName(file.key), INERT_CONTENT_TYPE) };
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
