// core: the SES notification JSON (bounce, complaint, delivery and other events), as SNS delivers it
import * as z from 'zod/mini';
import './config/zod-messages';

const recipient = z.object({
  emailAddress: z.string().check(z.minLength(3)),
  diagnosticCode: z.optional(z.string()),
  status: z.optional(z.string()),
  action: z.optional(z.string()),
});

/**
 * The fields sesdesk reads of SES's notification (`notificationType`) or event-publishing (`eventType`) JSON.
 * `mail` describes the message we sent: its SES message id, the region in `sourceArn`, and the headers we sent
 * (`commonHeaders.messageId`, `headers`), which is how a report is matched to mail of ours.
 */
export const sesNotificationSchema = z.object({
  notificationType: z.optional(z.string()),
  eventType: z.optional(z.string()),
  mail: z.object({
    messageId: z.string().check(z.minLength(1)),
    sourceArn: z.optional(z.string()),
    headers: z.optional(z.array(z.object({ name: z.string(), value: z.string() }))),
    commonHeaders: z.optional(z.object({ messageId: z.optional(z.string()) })),
  }),
  bounce: z.optional(
    z.object({ bounceType: z.string(), bounceSubType: z.optional(z.string()), bouncedRecipients: z._default(z.array(recipient), []) }),
  ),
  complaint: z.optional(
    z.object({ complaintFeedbackType: z.optional(z.string()), complainedRecipients: z._default(z.array(recipient), []) }),
  ),
  deliveryDelay: z.optional(z.object({ delayType: z.optional(z.string()), delayedRecipients: z._default(z.array(recipient), []) })),
});

/** One SES notification, as far as sesdesk reads it. */
export type SesNotification = z.infer<typeof sesNotificationSchema>;

/** The notification's kind in lower case (`bounce`, `complaint`, `delivery`, `deliverydelay`…), from either field. */
export function sesNotificationType(notification: SesNotification): string {
  return (notification.notificationType ?? notification.eventType ?? '').toLowerCase().replace(/\s+/g, '');
}

/** The AWS region SES sent the mail from, read from `mail.sourceArn` (`arn:aws:ses:eu-west-1:…`), or null. */
export function sesSourceRegion(notification: SesNotification): string | null {
  return /^arn:aws[\w-]*:ses:([a-z0-9-]+):/.exec(notification.mail.sourceArn ?? '')?.[1] ?? null;
}
