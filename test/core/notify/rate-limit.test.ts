// core: which per-address counter a delivery takes one from
import { describe, expect, it } from 'vitest';
import { deliveryRate, NOTICE_LIMIT_PER_HOUR } from '../../../functions/core/notify/rate-limit';

const now = new Date('2026-11-29T20:15:00.000Z');
const LIMITS = { ackLimitPerDay: 3, relayLimitPerDay: 50 };

describe('deliveryRate', () => {
  it("counts an acknowledgement against its recipient's UTC day", () => {
    expect(deliveryRate({ kind: 'ack' }, now, LIMITS)).toEqual({
      window: '2026-11-29',
      limit: 3,
      expiresAt: now.getTime() / 1000 + 2 * 86_400,
    });
  });

  it("counts a relay against its recipient's relays of the UTC day, apart from acknowledgements", () => {
    expect(deliveryRate({ kind: 'relay' }, now, LIMITS)).toEqual({
      window: 'relay#2026-11-29',
      limit: 50,
      expiresAt: now.getTime() / 1000 + 2 * 86_400,
    });
  });

  it('counts a notice about inbound mail against its limit key for the UTC hour', () => {
    const rate = deliveryRate({ kind: 'agent-notice', noticeLimitKey: 'sender:ann@customer.example' }, now, LIMITS);
    expect(rate).toEqual({
      window: 'notice#sender:ann@customer.example#2026-11-29T20',
      limit: NOTICE_LIMIT_PER_HOUR,
      expiresAt: now.getTime() / 1000 + 86_400,
    });
    expect(
      deliveryRate({ kind: 'agent-notice', noticeLimitKey: 'sender:ann@customer.example' }, new Date('2026-11-29T21:00:00Z'), LIMITS)
        ?.window,
    ).toBe('notice#sender:ann@customer.example#2026-11-29T21');
  });

  it("leaves answers, participant notices and notices of agents' actions unlimited", () => {
    expect(deliveryRate({ kind: 'reply' }, now, LIMITS)).toBeNull();
    expect(deliveryRate({ kind: 'participant-added' }, now, LIMITS)).toBeNull();
    expect(deliveryRate({ kind: 'agent-notice' }, now, LIMITS)).toBeNull();
  });
});
