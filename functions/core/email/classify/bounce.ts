// core: recognise bounces (DSNs, null-sender and mailer-daemon mail, plain-text MTA reports) and their failed recipients
import type { Classification } from '../../types';
import { addressesIn, uniqueAddresses } from './addresses';
import { parseDeliveryStatus, type RecipientStatus } from './delivery-status';
import type { RawHeader } from './header-lines';
import { firstHeader, headerValues } from './header-lines';
import { permanentFromStatus, permanentFromText } from './permanence';
import type { ReportSources } from './report-sources';
import { parseTextBounce } from './text-bounce';

/** What the headers say about who sent the mail and how. */
export interface BounceSignals {
  /** The `report-type` of a top-level `multipart/report`, lower-cased; null otherwise. */
  readonly reportType: string | null;
  readonly nullReturnPath: boolean;
  readonly daemonSender: boolean;
  readonly subject: string;
  /** Addresses of the bounce's own From/To/envelope: never a failed recipient. */
  readonly ownAddresses: ReadonlySet<string>;
}

/** Subjects MTAs give their reports; anchored, so "Fwd: Undeliverable…" from a person does not match. */
const BOUNCE_SUBJECT =
  /^\s*(?:undeliver(?:ed|able)|returned mail|mail delivery (?:failed|failure)|delivery (?:status notification|failure|has failed|notification|failed)|failure notice|non[- ]?deliver(?:y|able)|delayed mail|warning: message\b.{0,100}\bdelayed|message (?:not delivered|delivery failure)|could not send message|unzustellbar|nicht zustellbar|non remis|no se puede entregar)/i;

/** Local parts that only delivery software uses (postmaster is also checked against the subject/text). */
const DAEMON_LOCAL = /^(?:mailer-daemon|mailer_daemon|mailerdaemon|mail-daemon|mail_daemon)$/i;

/** True when the address belongs to delivery software (mailer-daemon, or a bare MAILER-DAEMON). */
export function isDaemonAddress(address: string): boolean {
  const local = address.split('@')[0] ?? '';
  return DAEMON_LOCAL.test(local) || (/^postmaster$/i.test(local) && !address.includes('@'));
}

function isFailing(record: RecipientStatus): boolean {
  return record.action === 'failed' || record.action === 'delayed' || record.action === 'unknown';
}

function recordPermanent(record: RecipientStatus, explanation: string): boolean {
  if (record.action === 'delayed') return false;
  return permanentFromStatus(record.status) ?? permanentFromText(record.diagnostic, explanation);
}

function bounce(reason: string, failedRecipients: string[], permanent: boolean): Classification {
  const count = failedRecipients.length;
  const suffix = count === 0 ? 'no failed recipient found' : `${count} failed recipient${count === 1 ? '' : 's'}`;
  return { kind: 'bounce', reason: `${reason}; ${suffix}`, failedRecipients, permanent };
}

/** Names the strongest sign that a mail with no readable DSN fields is still a bounce; null when none. */
function bounceEvidence(
  signals: BounceSignals,
  found: { readonly isDsn: boolean; readonly bounceSubject: boolean; readonly failedHeader: boolean; readonly autoReply: string | null },
): string | null {
  if (found.isDsn) return 'multipart/report; report-type=delivery-status';
  if (found.failedHeader) return 'X-Failed-Recipients header';
  if (signals.daemonSender) return 'sender is mailer-daemon';
  // RFC 3834 auto-replies also use a null return path, so a null sender alone loses to auto-reply markers.
  if (found.bounceSubject && (signals.nullReturnPath || found.autoReply !== null))
    return `bounce subject "${signals.subject.slice(0, 80)}"`;
  if (signals.nullReturnPath && found.autoReply === null) return 'null return path <>';
  return null;
}

/**
 * Classifies delivery reports. Returns a bounce, an auto-reply for a success-only DSN, or null when
 * the mail is not a delivery report. A returned mail with nothing readable still counts as a bounce
 * (with no recipients) when its envelope or sender says so.
 */
export function classifyBounce(
  headers: readonly RawHeader[],
  sources: ReportSources,
  signals: BounceSignals,
  autoReply: string | null,
): Classification | null {
  const isDsn = signals.reportType === 'delivery-status' || sources.deliveryStatus.length > 0;
  const bounceSubject = BOUNCE_SUBJECT.test(signals.subject);
  const failedHeader = headerValues(headers, 'x-failed-recipients').flatMap(addressesIn);
  const fromDeliverySoftware = signals.daemonSender || signals.nullReturnPath || failedHeader.length > 0;

  // The report parsers are the costly part and only matter with some sign of a report, which ordinary mail lacks.
  const records =
    isDsn || fromDeliverySoftware || bounceSubject ? [...sources.deliveryStatus, sources.body].flatMap(parseDeliveryStatus) : [];
  const readText = () => parseTextBounce(sources.body, signals.subject, signals.ownAddresses);

  if (records.length > 0) {
    const text = readText();
    const failing = records.filter(isFailing);
    if (failing.length === 0) return { kind: 'auto-reply', reason: 'delivery status notification without failures', failedRecipients: [] };
    const permanent = failing.some((r) => recordPermanent(r, text.explanation));
    return bounce(
      `delivery-status report (action ${failing[0]?.action ?? 'failed'})`,
      uniqueAddresses(failing.map((r) => r.address)),
      permanent,
    );
  }

  const evidence = bounceEvidence(signals, { isDsn, bounceSubject, failedHeader: failedHeader.length > 0, autoReply });
  if (evidence === null) return null;
  const text = readText();

  // X-Failed-Recipients is written from the MTA's own delivery data, so it wins over reading the text.
  const recipients = uniqueAddresses(failedHeader.length > 0 ? failedHeader : text.recipients.map((r) => r.address));
  const permanent =
    !text.delayed &&
    (text.recipients.length === 0
      ? permanentFromText('', text.explanation)
      : text.recipients.some((r) => permanentFromText(r.diagnostic, text.explanation)));
  return bounce(`${evidence} (${text.delayed ? 'delivery delayed' : 'delivery failed'})`, recipients, permanent);
}

/** Reads the header facts bounce detection needs. */
export function bounceSignals(
  headers: readonly RawHeader[],
  subject: string,
  fromAddress: string,
  ownAddresses: ReadonlySet<string>,
): BounceSignals {
  const contentType = firstHeader(headers, 'content-type') ?? '';
  const reportType = /^\s*multipart\/report\b/i.test(contentType)
    ? (/report-type\s*=\s*"?([a-z0-9-]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? '')
    : null;
  const returnPath = firstHeader(headers, 'return-path');
  const nullReturnPath = returnPath !== null && /^<?\s*>?$/.test(returnPath.trim());
  const returnAddress = returnPath ? (addressesIn(returnPath)[0] ?? returnPath.replace(/[<>]/g, '').trim()) : '';
  // A postmaster address is also a person's mailbox, so it counts only with an MTA's report subject.
  const postmasterReport = /^postmaster@/i.test(fromAddress) && BOUNCE_SUBJECT.test(subject);
  const daemonSender = isDaemonAddress(fromAddress) || (returnAddress !== '' && isDaemonAddress(returnAddress)) || postmasterReport;
  return { reportType, nullReturnPath, daemonSender, subject, ownAddresses };
}
