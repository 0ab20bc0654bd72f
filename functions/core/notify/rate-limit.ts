// core: the rate limits that stop loops: acknowledgements and relays per address and day, team notices per sender and hour
import type { ClaimRequest, Delivery } from './notify-ports';

/** Counters outlive their window by a day, so a late-arriving mail near the window's end still finds its counter. */
const COUNTER_EXTRA_SECONDS = 24 * 60 * 60;

/**
 * How many notifications one team member gets in a UTC hour about mail from one sender (new tickets and replies,
 * across all tickets), or about held mail on one ticket (whose sender is unproven). A person rarely writes more; a
 * looping auto-responder or a flood does, and then the rest wait on their tickets (the notices are recorded
 * `suppressed`, `rate-limited`).
 */
export const NOTICE_LIMIT_PER_HOUR = 3;

/** The UTC day an acknowledgement counts against and when its counter may be deleted (epoch seconds, for TTL). */
function ackRateWindow(now: Date): { window: string; expiresAt: number } {
  return { window: now.toISOString().slice(0, 10), expiresAt: Math.floor(now.getTime() / 1000) + 2 * COUNTER_EXTRA_SECONDS };
}

/**
 * The counter a delivery must take one from before it is sent, or null for none: an acknowledgement counts against
 * its recipient's day (`ackLimitPerDay`, against auto-responders); a relay against its recipient's relays of the day
 * (`relayLimitPerDay`, against loops between participants' forwarding rules); a team notice about inbound mail
 * against its recipient and limit key (the sender, or the ticket for held mail) for the UTC hour
 * ({@link NOTICE_LIMIT_PER_HOUR}). Answers and notices about agents' actions are not limited.
 * @example deliveryRate({ kind: 'ack' }, now, { ackLimitPerDay: 3, relayLimitPerDay: 50 }) // { window: '2026-11-29', limit: 3, expiresAt }
 */
export function deliveryRate(
  delivery: Pick<Delivery, 'kind' | 'noticeLimitKey'>,
  now: Date,
  limits: { readonly ackLimitPerDay: number; readonly relayLimitPerDay: number },
): ClaimRequest['rate'] {
  const day = ackRateWindow(now);
  if (delivery.kind === 'ack') return { ...day, limit: limits.ackLimitPerDay };
  if (delivery.kind === 'relay') return { ...day, window: `relay#${day.window}`, limit: limits.relayLimitPerDay };
  if (delivery.kind === 'agent-notice' && delivery.noticeLimitKey) {
    return {
      window: `notice#${delivery.noticeLimitKey}#${now.toISOString().slice(0, 13)}`,
      limit: NOTICE_LIMIT_PER_HOUR,
      expiresAt: Math.floor(now.getTime() / 1000) + COUNTER_EXTRA_SECONDS,
    };
  }
  return null;
}
