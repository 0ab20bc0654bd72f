// core: mailboxes from parsed address headers, and every address a message was delivered to
import type { AddressObject, EmailAddress, HeaderLines, HeaderValue } from 'mailparser';
import type { Mailbox } from '../../types';
import { rawHeaderValues } from './raw-headers';

/** More recipients than this in one header is a list dump; the rest are ignored. */
const MAX_MAILBOXES = 1000;
const ADDRESS_IN_TEXT = /[A-Za-z0-9._%+'=!#$&*/?^`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?/g;
/** `Received: ... for <addr>;`: bounded classes, no nested quantifiers, so no backtracking blow-up. */
const RECEIVED_FOR = /\bfor\s{1,10}<?([^\s<>;"]{1,64}@[^\s<>;"]{1,253})>?/gi;
const ENVELOPE_HEADERS = ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to'];

function isAddressObject(value: unknown): value is AddressObject {
  return typeof value === 'object' && value !== null && Array.isArray((value as { value?: unknown }).value);
}

function flatten(entries: EmailAddress[], out: Mailbox[]): void {
  for (const entry of entries) {
    if (out.length >= MAX_MAILBOXES) return;
    if (entry.group) flatten(entry.group, out);
    else if (entry.address && entry.address.includes('@')) {
      out.push({ address: entry.address.trim().toLowerCase(), name: (entry.name ?? '').replace(/\0/g, '').trim() });
    }
  }
}

/** The mailboxes of a parsed address header (groups flattened, addresses lowercased). */
export function toMailboxes(value: HeaderValue | undefined): Mailbox[] {
  const objects = (Array.isArray(value) ? value : [value]).filter(isAddressObject);
  const out: Mailbox[] = [];
  for (const object of objects) flatten(object.value, out);
  return out;
}

/** The author: the first From mailbox, else Sender, else Return-Path; empty when none is readable. */
export function pickFrom(headers: Map<string, HeaderValue>): Mailbox {
  for (const name of ['from', 'sender', 'return-path']) {
    const first = toMailboxes(headers.get(name))[0];
    if (first) return first;
  }
  return { address: '', name: '' };
}

function cleanAddress(address: string): string {
  return address.toLowerCase().replace(/^[<"']+|[>"'.,;]+$/g, '');
}

/**
 * Every address the message was delivered to, lowercased and deduplicated: To, Cc, Delivered-To,
 * X-Original-To, Envelope-To, X-Envelope-To and `Received: ... for <addr>` (where reply tokens hide).
 */
export function envelopeRecipients(to: Mailbox[], cc: Mailbox[], lines: HeaderLines | undefined): string[] {
  const found = new Set<string>([...to, ...cc].map((mailbox) => mailbox.address));
  for (const name of ENVELOPE_HEADERS) {
    for (const value of rawHeaderValues(lines, name)) {
      for (const match of value.slice(0, 10_000).matchAll(ADDRESS_IN_TEXT)) found.add(cleanAddress(match[0]));
    }
  }
  for (const value of rawHeaderValues(lines, 'received')) {
    for (const match of value.slice(0, 10_000).matchAll(RECEIVED_FOR)) found.add(cleanAddress(match[1] ?? ''));
  }
  found.delete('');
  return [...found];
}
