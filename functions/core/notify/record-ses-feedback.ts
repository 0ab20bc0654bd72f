// core: use case: an SES bounce or complaint notification → address state and the delivery it concerns
import { InvalidInputError } from '../errors';
import { normalizeMessageId } from '../ids';
import type { Log } from '../ports';
import { decideFeedback, type AddressFeedback, type FeedbackReport } from '../feedback/address-feedback';
import { sesNotificationSchema, sesNotificationType, type SesNotification } from '../ses-notification';
import { lateEnd } from './delivery-marks';
import type { DeliveryRepository } from './notify-ports';
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

/** The bounce or complaint an SES notification reports; null for the other types (Delivery, Send, Open…). */
function feedbackReport(notification: SesNotification, type: string): FeedbackReport | null {
  if (type === 'bounce' && notification.bounce) {
    const { bounceType, bounceSubType, bouncedRecipients } = notification.bounce;
    return {
      kind: 'bounce',
      // `Undetermined` bounces may still deliver later: only `Permanent` is a permanent failure.
      permanent: bounceType === 'Permanent',
      recipients: bouncedRecipients.map((r) => ({
        address: r.emailAddress,
        detail: [r.status, r.diagnosticCode].filter(Boolean).join(': '),
      })),
      reason: `${bounceType} bounce${bounceSubType ? ` (${bounceSubType})` : ''}`,
    };
  }
  if (type === 'complaint' && notification.complaint) {
    const { complaintFeedbackType, complainedRecipients } = notification.complaint;
    return {
      kind: 'complaint',
      permanent: null,
      recipients: complainedRecipients.map((r) => ({ address: r.emailAddress })),
      reason: `complaint${complaintFeedbackType ? ` (${complaintFeedbackType})` : ''}`,
    };
  }
  return null;
}

/**
 * Records what SES reports about mail we sent: a permanent bounce makes the address `undeliverable` and the
 * delivery `bounced`; a complaint makes it `complained` (no more mail to it) and the delivery `complained`; either marks
 * the ticket as `lateEnd` decides. A transient bounce is only counted. Other notification types (Delivery, Send, Open…)
 * are ignored. The delivery is ended only while it is `sent` by the send SES reports on (its `sesMessageId`), so a
 * redelivered notification, which finds the end recorded, writes nothing at all.
 * @throws InvalidInputError when the message is not an SES notification.
 * @example await recordSesFeedback(deps, JSON.parse(snsRecord.Sns.Message))
 */
export async function recordSesFeedback(deps: FeedbackDeps, message: unknown): Promise<FeedbackResult> {
  const parsed = sesNotificationSchema.safeParse(message);
  if (!parsed.success) throw new InvalidInputError(`not an SES notification: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const notification = parsed.data;
  const type = sesNotificationType(notification);

  const report = feedbackReport(notification, type);
  if (!report) return { kind: 'ignored', addresses: [], ticketId: null, deliveryId: null };
  const { addresses, deliveryEnd } = decideFeedback(report);
  const kind = report.kind;
  const reason = report.reason;

  const target = await deps.deliveries.findByMessageId(normalizeMessageId(sesHeaderMessageId(notification.mail.messageId, deps.region)));
  const delivery = target?.deliveryId ? await deps.deliveries.getDelivery(target.ticketId, target.deliveryId) : null;
  // A report about an earlier send of a delivery an agent retried since says nothing about the delivery as it is now.
  const decision = delivery?.sesMessageId === notification.mail.messageId ? lateEnd(deliveryEnd, delivery.status) : null;
  const context = { ticketId: target?.ticketId ?? null, deliveryId: target?.deliveryId ?? null, sesMessageId: notification.mail.messageId };
  if (decision?.recorded) {
    deps.log.info(`SES ${kind} already recorded; nothing changed`, context);
    return { kind, addresses, ticketId: context.ticketId, deliveryId: context.deliveryId };
  }
  const end =
    delivery && decision?.end
      ? {
          ticketId: delivery.ticketId,
          deliveryId: delivery.id,
          deskId: delivery.deskId,
          status: decision.end,
          marksTicket: decision.marksTicket,
        }
      : null;
  await deps.deliveries.recordFeedback(addresses, end, deps.clock().toISOString(), reason);
  deps.log.info(`SES ${kind} recorded`, {
    ...context,
    addresses: addresses.map((a) => a.address),
    delivery: end?.status ?? null,
    ticketMarked: end?.marksTicket ?? false,
    reason,
  });
  return { kind, addresses, ticketId: context.ticketId, deliveryId: context.deliveryId };
}
