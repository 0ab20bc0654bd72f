// core: attachments with their bytes, telling inline `cid:` images from real attachments
import type { Attachment } from 'mailparser';
import type { AttachmentContent } from '../../types';
import { looksUuencoded, uudecode } from './uudecode';

const MAX_FILENAME_LENGTH = 255;

/** Every `cid:` reference in the HTML, lowercased (Content-IDs are compared case-insensitively in practice). */
export function referencedCids(html: string | null): Set<string> {
  const cids = new Set<string>();
  if (!html) return cids;
  for (const match of html.matchAll(/cid:([^"'\s>)]{1,500})/gi)) {
    const raw = match[1] ?? '';
    let cid = raw;
    try {
      cid = decodeURIComponent(raw);
    } catch {
      // a stray % in a cid is kept as written
    }
    cids.add(cid.toLowerCase());
  }
  return cids;
}

function cleanFilename(name: string): string {
  // Path separators and control characters never belong in a stored name.
  return name
    .replace(/[\u0000-\u001f\u007f/\\]/g, '_')
    .trim()
    .slice(0, MAX_FILENAME_LENGTH);
}

function fallbackName(attachment: Attachment, unnamedBefore: number): string {
  const suffix = unnamedBefore === 0 ? '' : `-${unnamedBefore + 1}`;
  if (attachment.contentType === 'message/rfc822') return `forwarded-message${suffix}.eml`;
  const subtype = (attachment.contentType.split('/')[1] ?? 'bin').replace(/[^a-z0-9]/gi, '').slice(0, 10) || 'bin';
  return `attachment${suffix}.${subtype}`;
}

/**
 * Our view of mailparser's attachments. An attachment is inline when it has a Content-ID that
 * the HTML references as `cid:`, or is marked `Content-Disposition: inline` with a Content-ID.
 * Embedded `message/rfc822` parts stay attachments (mailparser's default) named `*.eml`.
 */
export function toAttachmentContents(attachments: Attachment[], html: string | null): AttachmentContent[] {
  const cids = referencedCids(html);
  let unnamed = 0;
  return attachments.map((attachment) => {
    const cid = attachment.cid ? attachment.cid.trim() : null;
    const inline = cid !== null && (cids.has(cid.toLowerCase()) || attachment.contentDisposition === 'inline');
    const bytes = new Uint8Array(attachment.content.buffer, attachment.content.byteOffset, attachment.content.byteLength);
    const transfer = attachment.headers.get('content-transfer-encoding');
    const content = looksUuencoded(typeof transfer === 'string' ? transfer : undefined, bytes) ? uudecode(bytes) : bytes;
    return {
      filename: cleanFilename(attachment.filename ?? '') || fallbackName(attachment, unnamed++),
      contentType: attachment.contentType.toLowerCase(),
      size: content.byteLength,
      inline,
      cid: cid || null,
      content,
    };
  });
}
