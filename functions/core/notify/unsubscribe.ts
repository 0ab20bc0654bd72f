// core: signed unsubscribe links, so a participant can leave a ticket's mail without an account
import { createHmac, timingSafeEqual } from 'node:crypto';
import { base32, type TokenKeys } from '../threading/reply-token';

/** 26 base32 characters = 130 bits of HMAC: unguessable, short enough for a header line. */
const SIGNATURE_LENGTH = 26;

function sign(secret: string, ticketId: string, address: string): string {
  return base32(createHmac('sha256', secret).update(`unsubscribe:${ticketId}:${address.trim().toLowerCase()}`).digest(), SIGNATURE_LENGTH);
}

/**
 * The signature that lets `address` unsubscribe from `ticketId` (and nothing else).
 * @example unsubscribeSignature(keys, ticket.id, 'ann@example.com')
 */
export function unsubscribeSignature(keys: TokenKeys, ticketId: string, address: string): string {
  const [secret] = keys.secrets;
  if (!secret) throw new Error('unsubscribe links need at least one secret');
  return sign(secret, ticketId, address);
}

/** True when `signature` was made by any of the keys for this ticket and address (case of the address ignored). */
export function verifyUnsubscribe(keys: TokenKeys, ticketId: string, address: string, signature: string): boolean {
  const given = Buffer.from(signature.trim().toLowerCase());
  return keys.secrets.some((secret) => {
    const expected = Buffer.from(sign(secret, ticketId, address));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/**
 * The link the API serves at `GET /api/unsubscribe?ticket=&address=&sig=`.
 * @example unsubscribeUrl('https://help.example.com', keys, ticket.id, 'ann@example.com')
 */
export function unsubscribeUrl(baseUrl: string, keys: TokenKeys, ticketId: string, address: string): string {
  const url = new URL('/api/unsubscribe', baseUrl);
  url.searchParams.set('ticket', ticketId);
  url.searchParams.set('address', address.toLowerCase());
  url.searchParams.set('sig', unsubscribeSignature(keys, ticketId, address));
  return url.href;
}
