// unit: one rule for what a bounce or complaint changes, whether it came as mail or as an SES notification
import { describe, expect, it } from 'vitest';
import { decideFeedback, MAX_FEEDBACK_ADDRESSES } from '../../../functions/core/feedback/address-feedback';

const bounce = (permanent: boolean | null, recipients: { address: string; detail?: string }[] = [{ address: 'Ann@Example.com' }]) =>
  decideFeedback({ kind: 'bounce', permanent, recipients, reason: 'a bounce' });

describe('decideFeedback', () => {
  it('makes a permanent bounce mark the address undeliverable and the delivery bounced', () => {
    expect(bounce(true)).toEqual({
      addresses: [{ address: 'ann@example.com', state: 'undeliverable', reason: 'a bounce' }],
      deliveryEnd: 'bounced',
    });
  });

  it('only counts a transient bounce: the address stays deliverable and the delivery is not bounced', () => {
    expect(bounce(false)).toEqual({
      addresses: [{ address: 'ann@example.com', state: null, reason: 'a bounce' }],
      deliveryEnd: null,
    });
  });

  it('treats a bounce that does not say whether it is permanent as permanent', () => {
    expect(bounce(null).deliveryEnd).toBe('bounced');
  });

  it('marks complaining addresses complained and the delivery, which arrived, complained (not bounced)', () => {
    const decision = decideFeedback({
      kind: 'complaint',
      permanent: null,
      recipients: [{ address: 'bob@example.com' }],
      reason: 'complaint (abuse)',
    });
    expect(decision).toEqual({
      addresses: [{ address: 'bob@example.com', state: 'complained', reason: 'complaint (abuse)' }],
      deliveryEnd: 'complained',
    });
  });

  it('adds what the report says of each recipient to the reason', () => {
    const decision = bounce(true, [{ address: 'ann@example.com', detail: '5.1.1: user unknown' }]);
    expect(decision.addresses[0]?.reason).toBe('a bounce: 5.1.1: user unknown');
  });

  it('acts on each address once, skips what is not an address, and stops at the limit', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ address: `p${i}@example.com` }));
    const decision = bounce(true, [{ address: 'P0@example.com' }, { address: 'not an address' }, ...many]);
    expect(decision.addresses).toHaveLength(MAX_FEEDBACK_ADDRESSES);
    expect(new Set(decision.addresses.map((a) => a.address)).size).toBe(MAX_FEEDBACK_ADDRESSES);
    expect(decision.addresses.some((a) => a.address === 'not an address')).toBe(false);
  });
});
