// core: use case: an SES bounce or complaint notification → address state and the delivery it concerns
import * as z from 'zod/mini';
import '../config/zod-messages';
import { InvalidInputError } from '../errors';
import { normalizeMessageId } from '../ids';
import type { Log } from '../ports';
import { decideFeedback, type AddressFeedback, type FeedbackReport } from '../feedback/address-feedback';
import type { DeliveryRepository } from './notify-ports';
import { sesHeaderMessageId } from './ses-message-id';

const recipient = z.object({
  emailAddress: z.string().check(z.minLength(3)),
  diagnosticCode: z.optional(z.string()),
  status: z.optional(z.string()),
});

/** The fields we use of SES's notification (`notificationType`) or event-publishing (`eventType`) JSON. */
const notificationSchema = z.object({
  notificationType: z.optional(z.string()),
  eventType: z.optional(z.string()),
  mail: z.object({ messageId: z.string().check(z.minLength(1)) }),
  bounce: z.optional(
    z.object({ bounceType: z.string(), bounceSubType: z.optional(z.string()), bouncedRecipients: z._default(z.array(recipient), []) }),
  ),
  complaint: z.optional(
    z.object({ complaintFeedbackType: z.optional(z.string()), complainedRecipients: z._default(z.array(recipient), []) }),
  ),
});

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

type Notification = z.infer<typeof notificationSchema>;

/** The bounce or complaint an SES notification reports; null for the other types (Delivery, Send, Open…). */
function feedbackReport(notification: Notification, type: string): FeedbackReport | null {
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
  const parsed = notificationSchema.safeParse(message);
  if (!parsed.success) throw new InvalidInputError(`not an SES notification: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const notification = parsed.data;
  const type = (notification.notificationType ?? notification.eventType ?? '').toLowerCase();

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
