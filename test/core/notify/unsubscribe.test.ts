// unit: unsubscribe links verify only for the ticket and address they were made for
import { describe, expect, it } from 'vitest';
import { unsubscribeSignature, unsubscribeUrl, verifyUnsubscribe } from '../../../functions/core/notify/unsubscribe';
import { TEST_TOKEN_KEYS } from '../../support/secret';
import { TICKET_ID } from './notify-fixtures';

describe('unsubscribe links', () => {
  it('verifies a signature for its ticket and address, ignoring the address case', () => {
    const sig = unsubscribeSignature(TEST_TOKEN_KEYS, TICKET_ID, 'Ann@Customer.example');

    expect(verifyUnsubscribe(TEST_TOKEN_KEYS, TICKET_ID, 'ann@customer.example', sig)).toBe(true);
  });

  it('rejects the signature for another address, another ticket, or altered', () => {
    const sig = unsubscribeSignature(TEST_TOKEN_KEYS, TICKET_ID, 'ann@customer.example');

    expect(verifyUnsubscribe(TEST_TOKEN_KEYS, TICKET_ID, 'bob@customer.example', sig)).toBe(false);
    expect(verifyUnsubscribe(TEST_TOKEN_KEYS, '01jd2x3y4z5a6b7c8d9e0f1g2j', 'ann@customer.example', sig)).toBe(false);
    const altered = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
    expect(verifyUnsubscribe(TEST_TOKEN_KEYS, TICKET_ID, 'ann@customer.example', altered)).toBe(false);
    expect(verifyUnsubscribe(TEST_TOKEN_KEYS, TICKET_ID, 'ann@customer.example', '')).toBe(false);
  });

  it('still verifies links signed with an older key during rotation', () => {
    const old = { secrets: ['old-secret-0123456789abcdef'] };
    const sig = unsubscribeSignature(old, TICKET_ID, 'ann@customer.example');

    expect(verifyUnsubscribe({ secrets: ['new-secret-0123456789abcdef', ...old.secrets] }, TICKET_ID, 'ann@customer.example', sig)).toBe(
      true,
    );
  });

  it('builds the API link with every parameter encoded', () => {
    const url = new URL(unsubscribeUrl('https://desk.example.com', TEST_TOKEN_KEYS, TICKET_ID, 'a+b@customer.example'));

    expect(url.pathname).toBe('/api/unsubscribe');
    expect(url.searchParams.get('address')).toBe('a+b@customer.example');
    expect(
      verifyUnsubscribe(TEST_TOKEN_KEYS, url.searchParams.get('ticket')!, url.searchParams.get('address')!, url.searchParams.get('sig')!),
    ).toBe(true);
  });
});
