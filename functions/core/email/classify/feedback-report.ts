// core: read an ARF (RFC 5965) feedback report: its type and the recipients it complains about
import { addressesIn, uniqueAddresses } from './addresses';

/** What a complaint is about. */
export interface FeedbackReport {
  /** `abuse`, `fraud`, `opt-out`, `virus`…; `abuse` when the report did not say. */
  readonly feedbackType: string;
  /** The recipients the report is about; empty for types that mark nobody (see {@link marksRecipients}). */
  readonly recipients: string[];
}

/**
 * Feedback types that say nothing against the recipient, so nobody is marked: `not-spam` (RFC 6430) means a
 * recipient (or their provider) says our mail is wanted, the opposite of a complaint; `auth-failure` (RFC 6591)
 * reports mail that failed SPF/DKIM/DMARC for our domain, which is often mail someone else forged in our name.
 * Both are still reports, never tickets. Every other type (`abuse`, `fraud`, `virus`, `opt-out`, `other`, and
 * types we do not know) is a complaint about mail the recipient got, and marks them.
 */
const MARKS_NOBODY = new Set(['not-spam', 'auth-failure']);

/** True when a report of this feedback type should stop mail to the recipients it names. */
export function marksRecipients(feedbackType: string): boolean {
  return !MARKS_NOBODY.has(feedbackType);
}

/**
 * True when a text carries ARF report fields at line starts (RFC 5965 requires Feedback-Type, User-Agent and
 * Version): a report whose `message/feedback-report` part was sent as plain text, or inlined by the parser.
 */
export function hasFeedbackFields(text: string): boolean {
  return (
    fieldValues(text, 'Feedback-Type').length > 0 && (fieldValues(text, 'Version').length > 0 || fieldValues(text, 'User-Agent').length > 0)
  );
}

/** Values of one field at the start of a line, e.g. every `Original-Rcpt-To:`. */
function fieldValues(text: string, name: string): string[] {
  const out: string[] = [];
  const pattern = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, 'gim');
  for (const match of text.matchAll(pattern)) out.push(match[1] ?? '');
  return out;
}

/**
 * Reads the report fields, then the complained-about recipients: `Original-Rcpt-To` and
 * `Removal-Recipient` when the report names them, else the `To:` of the returned original message.
 */
export function parseFeedbackReport(reports: readonly string[], originals: readonly string[], body: string): FeedbackReport {
  const fields = reports.length > 0 ? reports.join('\n') : body;
  const feedbackType = (fieldValues(fields, 'Feedback-Type')[0] ?? '').trim().toLowerCase() || 'abuse';
  if (!marksRecipients(feedbackType)) return { feedbackType, recipients: [] };
  const named = [...fieldValues(fields, 'Original-Rcpt-To'), ...fieldValues(fields, 'Removal-Recipient')].flatMap(addressesIn);
  if (named.length > 0) return { feedbackType, recipients: uniqueAddresses(named) };
  // Without those fields the original message's To is the best evidence (mailparser may inline it in the body).
  for (const source of [...originals, body]) {
    const to = fieldValues(source, 'To').flatMap(addressesIn);
    if (to.length > 0) return { feedbackType, recipients: uniqueAddresses(to) };
  }
  return { feedbackType, recipients: [] };
}
