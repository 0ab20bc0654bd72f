// test support: what every `sesdesk parse` object must satisfy (contract 3 of DESIGN.md), for fixture and corpus mail
import { expect } from 'vitest';
import type { ParsedEmail } from '../../functions/core/types';
import { CONTRACT_FIELDS, parsedEmailSchema } from './parsed-mail-schema';

const MESSAGE_ID = /^<[^<>\s]+>$/;

/** Asserts the contract fields, their order and types, well-formed ids, a lower-case sender and no U+FFFD in the text. */
export function expectValidContract(contract: ParsedEmail): void {
  const json = JSON.parse(JSON.stringify(contract)) as ParsedEmail;
  expect(Object.keys(json)).toEqual(CONTRACT_FIELDS);
  parsedEmailSchema.parse(json);
  expect(json.messageId).toMatch(MESSAGE_ID);
  if (json.inReplyTo !== null) expect(json.inReplyTo).toMatch(MESSAGE_ID);
  for (const id of json.references) expect(id).toMatch(MESSAGE_ID);
  expect(json.from.address).toBe(json.from.address.toLowerCase());
  expect(`${json.text}${json.subject}${json.html ?? ''}`).not.toContain('\uFFFD');
}
