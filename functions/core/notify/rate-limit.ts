// core: the per-address acknowledgement window that stops ping-pong with auto-responders

/** Counters outlive their day by one more, so a late-arriving mail near midnight still finds yesterday's. */
const COUNTER_LIFETIME_SECONDS = 2 * 24 * 60 * 60;

/** The UTC day an acknowledgement counts against and when its counter may be deleted (epoch seconds, for TTL). */
export function ackRateWindow(now: Date): { day: string; expiresAt: number } {
  return { day: now.toISOString().slice(0, 10), expiresAt: Math.floor(now.getTime() / 1000) + COUNTER_LIFETIME_SECONDS };
}
