// core: the per-address daily counters that stop ping-pong with auto-responders and relay loops between participants
import type { NewDelivery } from '../ports';

/** Counters outlive their day by one more, so a late-arriving mail near midnight still finds yesterday's. */
const COUNTER_LIFETIME_SECONDS = 2 * 24 * 60 * 60;

/** The UTC day an acknowledgement counts against and when its counter may be deleted (epoch seconds, for TTL). */
export function ackRateWindow(now: Date): { day: string; expiresAt: number } {
  return { day: now.toISOString().slice(0, 10), expiresAt: Math.floor(now.getTime() / 1000) + COUNTER_LIFETIME_SECONDS };
}

/** Which daily counter a delivery takes one from: acknowledgements and relays count apart. */
export type RateCounter = 'ack' | 'relay';

/**
 * The per-address daily limit a delivery counts against, or null when its kind has none: acknowledgements
 * (`ackLimitPerDay`, against auto-responders) and relays (`relayLimitPerDay`, against loops between participants).
 * Answers and notices an agent caused are never limited.
 */
export function deliveryRate(
  kind: NewDelivery['kind'],
  limits: { readonly ackLimitPerDay: number; readonly relayLimitPerDay: number },
  now: Date,
): { readonly counter: RateCounter; readonly day: string; readonly limit: number; readonly expiresAt: number } | null {
  if (kind !== 'ack' && kind !== 'relay') return null;
  return { counter: kind, limit: kind === 'ack' ? limits.ackLimitPerDay : limits.relayLimitPerDay, ...ackRateWindow(now) };
}
