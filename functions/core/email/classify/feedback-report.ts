// core: read an ARF (RFC 5965) feedback report: its type and the recipients it complains about
import { addressesIn, uniqueAddresses } from './addresses';

/** What a complaint is about. */
export interface FeedbackReport {
  /** `abuse`, `fraud`, `opt-out`, `virus`…; `abuse` when the report did not say. */
  readonly feedbackType: string;
  readonly recipients: string[];
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
  const named = [...fieldValues(fields, 'Original-Rcpt-To'), ...fieldValues(fields, 'Removal-Recipient')].flatMap(addressesIn);
  if (named.length > 0) return { feedbackType, recipients: uniqueAddresses(named) };
  // Without those fields the original message's To is the best evidence (mailparser may inline it in the body).
  for (const source of [...originals, body]) {
    const to = fieldValues(source, 'To').flatMap(addressesIn);
    if (to.length > 0) return { feedbackType, recipients: uniqueAddresses(to) };
  }
  return { feedbackType, recipients: [] };
}
