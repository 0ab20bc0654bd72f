// core: SES notifications that arrive as mail (an SNS "email" or "email-json" subscription) → bounce, complaint or automatic
import type { Classification } from '../../types';
import { sesHeaderMessageId } from '../../notify/ses-message-id';
import { sesNotificationSchema, sesNotificationType, sesSourceRegion, type SesNotification } from '../../ses-notification';
import { normalizeMessageId } from '../parse/message-ids';
import { uniqueAddresses } from './addresses';

/** SNS sends subscription mail from `no-reply@sns.amazonaws.com` (`…amazonaws.com.cn` in China). */
const SNS_SENDER = /^[^@\s]+@sns\.amazonaws\.com(?:\.cn)?$/i;
/** An SES notification with its full headers stays well under this; more is not one. */
const MAX_JSON_SCAN = 512 * 1024;

/** True when the mail says it comes from Amazon SNS (anyone can write that From: what it may change is decided later). */
export function isSnsSender(address: string): boolean {
  return SNS_SENDER.test(address.trim());
}

/** The first balanced `{…}` in the text, parsed; null when there is none or it is not JSON. Linear: one pass, no regex. */
function firstJsonObject(text: string): unknown {
  const start = text.indexOf('{');
  if (start < 0) return null;
  let depth = 0;
  let inString = false;
  const end = Math.min(text.length, start + MAX_JSON_SCAN);
  for (let i = start; i < end; i += 1) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth += 1;
    else if (ch === '}' && --depth === 0) {
      try {
        return JSON.parse(text.slice(start, i + 1)) as unknown;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** The SES notification in an SNS mail body: the JSON itself ("email"), or inside the SNS envelope's `Message` ("email-json"). */
function notificationIn(body: string): SesNotification | null {
  let json = firstJsonObject(body);
  if (typeof json === 'object' && json !== null && 'Message' in json && typeof json.Message === 'string') {
    json = firstJsonObject(json.Message);
  }
  const parsed = sesNotificationSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Our Message-IDs of the mail the notification is about: as SES rewrote it (when the region is known) and as we wrote it. */
function messageIdsOf(notification: SesNotification): string[] {
  const { mail } = notification;
  const region = sesSourceRegion(notification);
  const written = [
    mail.commonHeaders?.messageId,
    ...(mail.headers ?? []).filter((h) => h.name.toLowerCase() === 'message-id').map((h) => h.value),
  ];
  const ids = [region ? sesHeaderMessageId(mail.messageId, region) : null, ...written.map((id) => normalizeMessageId(id))];
  return [...new Set(ids.filter((id): id is string => id !== null))];
}

function addresses(recipients: readonly { emailAddress: string }[]): string[] {
  return uniqueAddresses(recipients.map((r) => r.emailAddress.trim().toLowerCase()));
}

function counted(reason: string, recipients: readonly string[]): string {
  const n = recipients.length;
  return `${reason}; ${n === 0 ? 'no failed recipient found' : `${n} failed recipient${n === 1 ? '' : 's'}`}`;
}

/**
 * Classifies mail from Amazon SNS. An SES notification in the body becomes a bounce (permanent when SES says
 * `Permanent`), a delivery delay a transient bounce, a complaint a complaint (a `not-spam` one marks nobody), and
 * every other SES event automatic mail; each carries `originalMessageIds` and `sesMessageId` so it acts only on
 * mail we sent. Anything else from SNS is automatic mail: it never opens a ticket or gets an acknowledgement.
 */
export function classifySnsMail(body: string): Classification {
  const notification = notificationIn(body);
  if (notification === null)
    return { kind: 'auto-reply', reason: 'Amazon SNS notification (not an SES notification)', failedRecipients: [] };
  const type = sesNotificationType(notification);
  const origin = { originalMessageIds: messageIdsOf(notification), sesMessageId: notification.mail.messageId };
  if (type === 'bounce' && notification.bounce) {
    const { bounceType, bounceSubType } = notification.bounce;
    const failedRecipients = addresses(notification.bounce.bouncedRecipients);
    const reason = counted(`SES bounce notification by mail (${bounceType}${bounceSubType ? `/${bounceSubType}` : ''})`, failedRecipients);
    return { kind: 'bounce', reason, failedRecipients, permanent: bounceType === 'Permanent', ...origin };
  }
  if (type === 'deliverydelay' && notification.deliveryDelay) {
    const failedRecipients = addresses(notification.deliveryDelay.delayedRecipients);
    const reason = counted(
      `SES delivery delay notification by mail (${notification.deliveryDelay.delayType ?? 'delayed'})`,
      failedRecipients,
    );
    return { kind: 'bounce', reason, failedRecipients, permanent: false, ...origin };
  }
  if (type === 'complaint' && notification.complaint) {
    const feedbackType = notification.complaint.complaintFeedbackType ?? 'unspecified';
    // A not-spam report says the recipient wants the mail (see feedback-report.ts): it marks nobody.
    const failedRecipients = feedbackType === 'not-spam' ? [] : addresses(notification.complaint.complainedRecipients);
    return {
      kind: 'complaint',
      reason: counted(`SES complaint notification by mail (${feedbackType})`, failedRecipients),
      failedRecipients,
      ...origin,
    };
  }
  return { kind: 'auto-reply', reason: `SES ${type || 'unknown'} notification by mail`, failedRecipients: [], ...origin };
}
