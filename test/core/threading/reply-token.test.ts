import { describe, expect, it } from 'vitest';
import {
  createAgentReplyToken,
  createReplyToken,
  replyAddress,
  tokenIsForAgent,
  verifyReplyToken,
} from '../../../functions/core/threading/reply-token';
import { newId } from '../../../functions/core/ids';
import { TEST_TOKEN_KEYS } from '../../support/secret';

const keys = TEST_TOKEN_KEYS;

describe('reply tokens', () => {
  it('verifies a token it created and returns the ticket id', () => {
    const ticketId = newId();
    expect(verifyReplyToken(keys, createReplyToken(keys, ticketId))).toBe(ticketId);
  });

  it('gives every outgoing email its own token for the same ticket', () => {
    const ticketId = newId();
    expect(createReplyToken(keys, ticketId)).not.toBe(createReplyToken(keys, ticketId));
  });

  it('survives mail systems that upper-case the local part', () => {
    const ticketId = newId();
    expect(verifyReplyToken(keys, createReplyToken(keys, ticketId).toUpperCase())).toBe(ticketId);
  });

  it('rejects every single-character alteration of a token', () => {
    const token = createReplyToken(keys, newId());
    const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
    for (let i = 0; i < token.length; i += 1) {
      const replacement = alphabet[(alphabet.indexOf(token[i]!) + 1) % alphabet.length];
      const altered = token.slice(0, i) + replacement + token.slice(i + 1);
      expect(verifyReplyToken(keys, altered), `altered at ${i}`).toBeNull();
    }
  });

  it('rejects a token that points at another ticket with a signature made for the first', () => {
    const token = createReplyToken(keys, newId());
    const otherTicket = newId();
    expect(verifyReplyToken(keys, otherTicket + token.slice(26))).toBeNull();
  });

  it('rejects tokens signed with another secret, and accepts them while that secret is still listed', () => {
    const ticketId = newId();
    const old = createReplyToken({ secrets: ['the-previous-secret-value'] }, ticketId);
    expect(verifyReplyToken(keys, old)).toBeNull();
    expect(verifyReplyToken({ secrets: ['a-new-secret-of-enough-length', 'the-previous-secret-value'] }, old)).toBe(ticketId);
  });

  it('rejects malformed tokens without throwing', () => {
    for (const bad of ['', 'abc', 'x'.repeat(48), '🙂'.repeat(24), `${'0'.repeat(47)}!`]) {
      expect(verifyReplyToken(keys, bad)).toBeNull();
    }
  });

  it('builds the plus address for a desk and keeps the local part within 64 characters', () => {
    const address = replyAddress('support@help.example.com', createReplyToken(keys, newId()));
    expect(address).toMatch(/^support\+[0-9a-z]{48}@help\.example\.com$/);
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
  });
});

describe('team notification tokens', () => {
  const ticketId = newId();

  it('thread like any token and prove only the member they were made for', () => {
    const token = createAgentReplyToken(TEST_TOKEN_KEYS, ticketId, 'Ada@Help.example.com');
    expect(token).toHaveLength(48);
    expect(verifyReplyToken(TEST_TOKEN_KEYS, token)).toBe(ticketId);
    expect(tokenIsForAgent(TEST_TOKEN_KEYS, token, 'ada@help.example.com')).toBe(true);
    expect(tokenIsForAgent(TEST_TOKEN_KEYS, token.toUpperCase(), 'ADA@help.example.com')).toBe(true);
    expect(tokenIsForAgent(TEST_TOKEN_KEYS, token, 'bob@help.example.com')).toBe(false);
    expect(
      tokenIsForAgent(TEST_TOKEN_KEYS, createAgentReplyToken(TEST_TOKEN_KEYS, newId(), 'ada@help.example.com'), 'bob@help.example.com'),
    ).toBe(false);
  });

  it('are not made by a customer token, an altered signature or another key', () => {
    const token = createAgentReplyToken(TEST_TOKEN_KEYS, ticketId, 'ada@help.example.com');
    expect(tokenIsForAgent(TEST_TOKEN_KEYS, createReplyToken(TEST_TOKEN_KEYS, ticketId), 'ada@help.example.com')).toBe(false);
    const altered = `${token.slice(0, 47)}${token.endsWith('0') ? '1' : '0'}`;
    expect(tokenIsForAgent(TEST_TOKEN_KEYS, altered, 'ada@help.example.com')).toBe(false);
    expect(tokenIsForAgent({ secrets: ['another-secret-of-enough-length'] }, token, 'ada@help.example.com')).toBe(false);
    // While a key rotates, a notice signed with the old key still proves its member.
    expect(tokenIsForAgent({ secrets: ['a-new-key-of-enough-length', ...TEST_TOKEN_KEYS.secrets] }, token, 'ada@help.example.com')).toBe(
      true,
    );
  });
});
