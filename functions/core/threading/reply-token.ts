// core: signed reply tokens carried in `support+<token>@domain` Reply-To addresses
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Token layout, all lowercase Crockford base32 so mail systems that lowercase local parts keep it intact:
 * `<ticket id: 26><nonce: 6><signature: 16>` = 48 characters, which with a short desk name stays inside
 * the 64-character local-part limit. The nonce gives every outgoing email its own token; the signature
 * is an HMAC-SHA256 over ticket id and nonce, so a token cannot be forged or pointed at another ticket.
 */
const TOKEN_PATTERN = /^([0-9a-hjkmnp-tv-z]{26})([0-9a-hjkmnp-tv-z]{6})([0-9a-hjkmnp-tv-z]{16})$/;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Encodes bytes as lowercase Crockford base32 (5 bits a character). */
export function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= 0xff;
  }
  if (out.length < length) throw new Error(`base32: ${bytes.length} bytes cannot give ${length} characters`);
  return out;
}

/** The HMAC keys: the first signs, all verify (so a key can be rotated without breaking old mail). */
export interface TokenKeys {
  readonly secrets: readonly string[];
}

function sign(secret: string, ticketId: string, nonce: string): string {
  return base32(createHmac('sha256', secret).update(`reply-token:${ticketId}:${nonce}`).digest(), 16);
}

/**
 * Creates a fresh reply token for a ticket.
 * @example createReplyToken(keys, '01jd2x...') // → '01jd2x…(48 chars)'
 */
export function createReplyToken(keys: TokenKeys, ticketId: string, nonce = base32(randomBytes(4), 6)): string {
  const [secret] = keys.secrets;
  if (!secret) throw new Error('reply tokens need at least one secret');
  if (!/^[0-9a-hjkmnp-tv-z]{26}$/.test(ticketId)) throw new Error(`not a ticket id: ${ticketId}`);
  return `${ticketId}${nonce}${sign(secret, ticketId, nonce)}`;
}

/** Returns the ticket id a token names when its signature verifies, or null for anything forged or altered. */
export function verifyReplyToken(keys: TokenKeys, token: string): string | null {
  const match = TOKEN_PATTERN.exec(token.toLowerCase());
  if (!match) return null;
  const [, ticketId = '', nonce = '', signature = ''] = match;
  const given = Buffer.from(signature);
  for (const secret of keys.secrets) {
    const expected = Buffer.from(sign(secret, ticketId, nonce));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return ticketId;
  }
  return null;
}

/** The Reply-To address for a desk address and a token: `support@x` → `support+<token>@x`. */
export function replyAddress(deskAddress: string, token: string): string {
  const [local, domain] = deskAddress.split('@');
  return `${local}+${token}@${domain}`;
}

/** The nonce of a team member's notice tokens on a ticket: an HMAC of ticket and address, so the token names them. */
function agentNonce(secret: string, ticketId: string, email: string): string {
  return base32(createHmac('sha256', secret).update(`agent-notice:${ticketId}:${email.toLowerCase()}`).digest(), 6);
}

/**
 * The reply token of a team notification: an ordinary token (it threads like any other) whose nonce proves which team
 * member it was sent to (see {@link tokenIsForAgent}).
 */
export function createAgentReplyToken(keys: TokenKeys, ticketId: string, email: string): string {
  const [secret] = keys.secrets;
  if (!secret) throw new Error('reply tokens need at least one secret');
  return createReplyToken(keys, ticketId, agentNonce(secret, ticketId, email));
}

/**
 * True when a token verifies and was made for a notification to this address about the ticket it names. A customer's
 * token has a random nonce (a 1 in 2^30 chance of looking like a member's), and nobody without the key makes either.
 */
export function tokenIsForAgent(keys: TokenKeys, token: string, email: string): boolean {
  const ticketId = verifyReplyToken(keys, token);
  if (!ticketId) return false;
  const nonce = token.toLowerCase().slice(26, 32);
  return keys.secrets.some((secret) => agentNonce(secret, ticketId, email) === nonce);
}
