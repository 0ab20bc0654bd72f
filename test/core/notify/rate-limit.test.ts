import { describe, expect, it } from 'vitest';
import { deliveryRate, NOTICE_LIMIT_PER_HOUR } from '../../../functions/core/notify/rate-limit';

const now = new Date('2026-11-29T20:15:00.000Z');

describe('deliveryRate', () => {
  it("counts an acknowledgement against its recipient's UTC day", () => {
    expect(deliveryRate({ kind: 'ack' }, now, 3)).toEqual({ window: '2026-11-29', limit: 3, expiresAt: now.getTime() / 1000 + 2 * 86_400 });
  });

  it('counts a notice about inbound mail against its limit key for the UTC hour', () => {
    const rate = deliveryRate({ kind: 'agent-notice', noticeLimitKey: 'sender:ann@customer.example' }, now, 3);
    expect(rate).toEqual({
      window: 'notice#sender:ann@customer.example#2026-11-29T20',
      limit: NOTICE_LIMIT_PER_HOUR,
      expiresAt: now.getTime() / 1000 + 86_400,
    });
    expect(
      deliveryRate({ kind: 'agent-notice', noticeLimitKey: 'sender:ann@customer.example' }, new Date('2026-11-29T21:00:00Z'), 3)?.window,
    ).toBe('notice#sender:ann@customer.example#2026-11-29T21');
  });

  it("leaves replies, relays and notices of agents' actions unlimited", () => {
    expect(deliveryRate({ kind: 'reply' }, now, 3)).toBeNull();
    expect(deliveryRate({ kind: 'relay' }, now, 3)).toBeNull();
    expect(deliveryRate({ kind: 'agent-notice' }, now, 3)).toBeNull();
  });
});
