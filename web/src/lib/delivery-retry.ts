// dashboard: which deliveries an agent may retry, as the API decides (RETRYABLE_ENDS in functions/core/notify/delivery-marks.ts)
import type { Delivery, DeliveryStatus } from '../api/types';

/** The ends the API takes back to `pending`; a web unit test keeps this equal to the core's list. */
export const RETRYABLE_STATUSES: readonly DeliveryStatus[] = ['failed', 'bounced', 'complained'];

/** True when Retry applies: an end the API takes back, or a send left `sending` past its lease (`now` ISO). */
export function canRetry(delivery: Pick<Delivery, 'status' | 'leaseUntil'>, now: string): boolean {
  const stuck = delivery.status === 'sending' && typeof delivery.leaseUntil === 'string' && delivery.leaseUntil < now;
  return stuck || RETRYABLE_STATUSES.includes(delivery.status);
}
