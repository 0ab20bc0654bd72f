// core: use case: an SES bounce or complaint notification → address state and the delivery it concerns
import { InvalidInputError } from '../errors';
import { normalizeMessageId } from '../ids';
import type { Log } from '../ports';
import { sesNotificationSchema, sesNotificationType } from '../ses-notification';
import type { AddressFeedback, DeliveryRepository } from './notify-ports';
import { sesHeaderMessageId } from './ses-message-id';

export interface FeedbackDeps {
  readonly deliveries: DeliveryRepository;
  readonly clock: () => Date;
  /** The SES region the mail was sent from: it decides the Message-ID form stored for it. */
  readonly region: string;
  readonly log: Log;
}

export interface FeedbackResult {
  readonly kind: 'bounce' | 'complaint' | 'ignored';
  readonly addresses: readonly AddressFeedback[];
  readonly ticketId: string | null;
  readonly deliveryId: string | null;
}

/**
 * Records what SES reports about mail we sent: a permanent bounce makes the address `undeliverable` and the
 * delivery `bounced`; a complaint makes it `complained` (no more mail to it); a transient bounce is only
 * counted. Other notification types (Delivery, Send, Open…) are ignored.
 * @throws InvalidInputError when the message is not an SES notification.
 * @example await recordSesFeedback(deps, JSON.parse(snsRecord.Sns.Message))
 */
export async function recordSesFeedback(deps: FeedbackDeps, message: unknown): Promise<FeedbackResult> {
  const parsed = sesNotificationSchema.safeParse(message);
  if (!parsed.success) throw new InvalidInputError(`not an SES notification: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const notification = parsed.data;
  const type = sesNotificationType(notification);

  let kind: FeedbackResult['kind'] = 'ignored';
  let addresses: AddressFeedback[] = [];
  let reason = '';
  if (type === 'bounce' && notification.bounce) {
    kind = 'bounce';
    const permanent = notification.bounce.bounceType === 'Permanent';
    const what = `${notification.bounce.bounceType} bounce${notification.bounce.bounceSubType ? ` (${notification.bounce.bounceSubType})` : ''}`;
    reason = what;
    addresses = notification.bounce.bouncedRecipients.map((r) => ({
      address: r.emailAddress.toLowerCase(),
      state: permanent ? 'undeliverable' : null,
      reason: [what, r.status, r.diagnosticCode].filter(Boolean).join(': ').slice(0, 500),
    }));
  } else if (type === 'complaint' && notification.complaint) {
    kind = 'complaint';
    reason = `complaint${notification.complaint.complaintFeedbackType ? ` (${notification.complaint.complaintFeedbackType})` : ''}`;
    addresses = notification.complaint.complainedRecipients.map((r) => ({
      address: r.emailAddress.toLowerCase(),
      state: 'complained',
      reason,
    }));
  }
  if (kind === 'ignored') return { kind, addresses: [], ticketId: null, deliveryId: null };

  const target = await deps.deliveries.findByMessageId(normalizeMessageId(sesHeaderMessageId(notification.mail.messageId, deps.region)));
  // Only a permanent failure ends the delivery; a complaint means it arrived, a transient bounce may still.
  const marksDelivery = addresses.some((a) => a.state === 'undeliverable');
  const delivery = target?.deliveryId && marksDelivery ? { ticketId: target.ticketId, deliveryId: target.deliveryId } : null;
  await deps.deliveries.recordFeedback(addresses, delivery, deps.clock().toISOString(), reason);
  deps.log.info(`SES ${kind} recorded`, {
    ticketId: target?.ticketId ?? null,
    deliveryId: target?.deliveryId ?? null,
    sesMessageId: notification.mail.messageId,
    addresses: addresses.map((a) => a.address),
    reason,
  });
  return { kind, addresses, ticketId: target?.ticketId ?? null, deliveryId: target?.deliveryId ?? null };
}
