// core: the signature on every webhook POST, and its check (the snippet receivers copy is in the README)
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying `sha256=<hex HMAC-SHA256 of the body with the hook's secret>`. */
export const SIGNATURE_HEADER = 'X-Sesdesk-Signature';

/** `sha256=<hex>` for a body. @example webhookSignature('{"id":"…"}', secret) */
export function webhookSignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** True when the header is the body's signature with this secret (compared in constant time). */
export function verifyWebhookSignature(body: string, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(webhookSignature(body, secret));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
