// core: the body of a multipart whose boundary never appears, which mailparser drops, read as plain text
import type { ParsedMail as MailparserMail } from 'mailparser';
import { chooseBodyCharset, decodeBytes } from './charset';
import { findHeaderEnd } from './repair-headers';

/** Only the start of such a body is read; a real message this broken is short. */
const MAX_BODY_BYTES = 1024 * 1024;

function contentType(mail: MailparserMail): { value: string; boundary: string | null } | null {
  const header: unknown = mail.headers.get('content-type');
  if (typeof header !== 'object' || header === null || !('value' in header) || typeof header.value !== 'string') return null;
  const params = 'params' in header && typeof header.params === 'object' && header.params !== null ? header.params : {};
  const boundary = 'boundary' in params && typeof params.boundary === 'string' && params.boundary !== '' ? params.boundary : null;
  return { value: header.value.toLowerCase(), boundary };
}

/**
 * The text of a message that declares `multipart/*` but whose body has no part, because the boundary parameter
 * is missing or its delimiter lines never appear (clients that relabel a plain reply, MTAs that drop the parts):
 * mailparser finds no part and yields nothing, though the body is readable. Null for every other message.
 */
export function unpartedMultipartText(mail: MailparserMail, raw: Buffer): string | null {
  const hasContent = (typeof mail.text === 'string' && mail.text.trim() !== '') || typeof mail.html === 'string';
  if (hasContent || mail.attachments.length > 0) return null;
  const type = contentType(mail);
  if (type === null || !type.value.startsWith('multipart/')) return null;
  const end = findHeaderEnd(raw);
  if (end < 0) return null;
  const bytes = raw.subarray(end, end + MAX_BODY_BYTES);
  if (type.boundary !== null && bytes.includes(`--${type.boundary}`, 0, 'latin1')) return null;
  const text = decodeBytes(bytes, chooseBodyCharset(bytes, null) ?? 'utf-8')
    .replace(/^\r?\n/, '')
    .replace(/\r\n?/g, '\n');
  return text.trim() === '' ? null : text;
}
