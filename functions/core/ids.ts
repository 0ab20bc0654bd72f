// core: identifiers: unguessable ticket ids, deterministic where an event can be redelivered
import { createHmac } from 'node:crypto';
import { ulid } from 'ulid';
import { base32, type TokenKeys } from './threading/reply-token';

/** A fresh, time-ordered, unguessable id (lowercase ULID, 26 characters). */
export function newId(): string {
  return ulid().toLowerCase();
}

/**
 * The id of whatever one stored email creates. Derived with the secret from the S3 key so that a
 * redelivered event, or a replay after a crash, produces the same ticket and message ids (attachments land on
 * the same keys, nothing is orphaned), while outsiders still cannot guess an id.
 */
export function idForIngest(keys: TokenKeys, ingestKey: string, purpose: 'ticket' | 'message' | `delivery:${string}`): string {
  const [secret] = keys.secrets;
  if (!secret) throw new Error('ids need at least one secret');
  return base32(createHmac('sha256', secret).update(`${purpose}:${ingestKey}`).digest(), 26);
}

/** Normalises a Message-ID for index lookups: trimmed, angle-bracketed, lowercased. */
export function normalizeMessageId(id: string): string {
  const bare = id.trim().replace(/^<+|>+$/g, '');
  return `<${bare.toLowerCase()}>`;
}

/**
 * The id of something a redelivered event must not create twice (a notification, a webhook event): derived with the
 * secret from a name that says what it is for, e.g. `notice:<change>:<kind>:<recipient>`.
 */
export function idFor(keys: TokenKeys, name: string): string {
  const [secret] = keys.secrets;
  if (!secret) throw new Error('ids need at least one secret');
  return base32(createHmac('sha256', secret).update(name).digest(), 26);
}
