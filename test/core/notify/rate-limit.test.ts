// core: which daily per-address counter a delivery takes one from
import { describe, expect, it } from 'vitest';
import { deliveryRate } from '../../../functions/core/notify/rate-limit';

const LIMITS = { ackLimitPerDay: 3, relayLimitPerDay: 50 };
const NOW = new Date('2026-11-29T23:59:00.000Z');

describe('deliveryRate', () => {
  it('counts acknowledgements and relays apart, each with its own limit, by UTC day, kept two days', () => {
    expect(deliveryRate('ack', LIMITS, NOW)).toEqual({
      counter: 'ack',
      limit: 3,
      day: '2026-11-29',
      expiresAt: NOW.getTime() / 1000 + 172_800,
    });
    expect(deliveryRate('relay', LIMITS, NOW)).toMatchObject({ counter: 'relay', limit: 50, day: '2026-11-29' });
  });

  it('limits nothing an agent caused: answers and participant notices', () => {
    expect(deliveryRate('reply', LIMITS, NOW)).toBeNull();
    expect(deliveryRate('participant-added', LIMITS, NOW)).toBeNull();
  });
});
