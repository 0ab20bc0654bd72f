// core: use case: an SES bounce or complaint notification → address state and the delivery it concerns
import { InvalidInputError } from '../errors';
import { normalizeMessageId } from '../ids';
import type { Log } from '../ports';
import { decideFeedback, type AddressFeedback, type FeedbackReport } from '../feedback/address-feedback';
import { sesNotificationSchema, sesNotificationType, type SesNotification } from '../ses-notification';
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

  const report = feedbackReport(notification, type);
  if (!report) return { kind: 'ignored', addresses: [], ticketId: null, deliveryId: null };
  const { addresses, deliveriesBounced } = decideFeedback(report);
  const kind = report.kind;
  const reason = report.reason;

  const target = await deps.deliveries.findByMessageId(normalizeMessageId(sesHeaderMessageId(notification.mail.messageId, deps.region)));
  const delivery = target?.deliveryId && deliveriesBounced ? { ticketId: target.ticketId, deliveryId: target.deliveryId } : null;
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
