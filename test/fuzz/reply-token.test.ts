// Fuzz: reply tokens round-trip, and no altered or random token ever verifies
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createReplyToken, verifyReplyToken } from '../../functions/core/threading/reply-token';
import { fuzzOptions } from './fuzz-settings';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const base32 = (length: number) => fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: length, maxLength: length });
const secretArb = fc.string({ minLength: 1, maxLength: 64 });
const keysArb = fc.array(secretArb, { minLength: 1, maxLength: 3 }).map((secrets) => ({ secrets }));
const ticketIdArb = base32(26);
/** Any character a mangled address could carry: the alphabet, the letters it leaves out, upper case, symbols, non-ASCII. */
const anyCharArb = fc.oneof(
  fc.constantFrom(...ALPHABET, ...'ilouILOUABZ+-_.@=~ '),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

type Edit =
  { readonly kind: 'change' | 'insert'; readonly at: number; readonly char: string } | { readonly kind: 'remove'; readonly at: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constantFrom('change' as const, 'insert' as const), at: fc.nat({ max: 48 }), char: anyCharArb }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat({ max: 47 }) }),
);

function applyEdit(token: string, edit: Edit): string {
  const at = Math.min(edit.at, edit.kind === 'insert' ? token.length : token.length - 1);
  if (edit.kind === 'remove') return token.slice(0, at) + token.slice(at + 1);
  return token.slice(0, at) + edit.char + token.slice(edit.kind === 'change' ? at + 1 : at);
}

describe('reply tokens under fuzzing', () => {
  it('verifies every token it created back to its ticket id, under any of the keys', () => {
    fc.assert(
      fc.property(keysArb, ticketIdArb, base32(6), (keys, ticketId, nonce) => {
        const token = createReplyToken(keys, ticketId, nonce);

        expect(token).toMatch(/^[0-9a-hjkmnp-tv-z]{48}$/);
        expect(verifyReplyToken(keys, token)).toBe(ticketId);
        // Key rotation: a token signed with the old first key still verifies once a new key is put in front.
        expect(verifyReplyToken({ secrets: ['rotated-in', ...keys.secrets] }, token)).toBe(ticketId);
      }),
      fuzzOptions(500, 20261124),
    );
  });

  it('rejects a token with any character changed, added or removed', () => {
    fc.assert(
      fc.property(keysArb, ticketIdArb, fc.array(editArb, { minLength: 1, maxLength: 3 }), (keys, ticketId, edits) => {
        const token = createReplyToken(keys, ticketId);
        const altered = edits.reduce(applyEdit, token);
        // Case is not an alteration: mail systems lowercase local parts, so verification ignores it by design.
        fc.pre(altered.toLowerCase() !== token);

        expect(verifyReplyToken(keys, altered)).toBeNull();
      }),
      fuzzOptions(1_000, 20261125),
    );
  });

  it('rejects a valid token under keys that did not sign it', () => {
    fc.assert(
      fc.property(keysArb, keysArb, ticketIdArb, (signing, other, ticketId) => {
        fc.pre(other.secrets.every((s) => !signing.secrets.includes(s)) && signing.secrets[0] !== undefined);
        expect(verifyReplyToken(other, createReplyToken(signing, ticketId))).toBeNull();
      }),
      fuzzOptions(300, 20261126),
    );
  });

  it('never verifies a random string, even one of the right length and alphabet', () => {
    fc.assert(
      fc.property(
        keysArb,
        fc.oneof(fc.string({ maxLength: 100 }), base32(48), fc.string({ unit: 'binary', maxLength: 60 })),
        (keys, candidate) => {
          expect(verifyReplyToken(keys, candidate)).toBeNull();
        },
      ),
      fuzzOptions(1_000, 20261127),
    );
  });
});
