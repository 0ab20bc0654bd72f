// core: classification: tells bounces, complaints and auto-replies from normal mail, and reads SES's verdicts
import type { AddressObject, ParsedMail as MailparserMail } from 'mailparser';
import type { Classification, SenderAuthentication, SesVerdicts } from '../types';
import { normaliseAddress } from './classify/addresses';
import { autoReplyReason } from './classify/auto-reply';
import { bounceSignals, classifyBounce } from './classify/bounce';
import { hasFeedbackFields, marksRecipients, parseFeedbackReport } from './classify/feedback-report';
import { headerValues, rawHeaders, type RawHeader } from './classify/header-lines';
import { originalMessageIds } from './classify/original-message-ids';
import { reportSources, type ReportSources } from './classify/report-sources';
import { classifySnsMail, isSnsSender } from './classify/ses-notification-mail';
import { readSesAuthenticationFromHeaders, readSesVerdictsFromHeaders } from './classify/ses-verdicts';

const NORMAL_REASON = 'no automatic-mail markers';

function addressList(value: AddressObject | AddressObject[] | undefined): string[] {
  if (!value) return [];
  const objects = Array.isArray(value) ? value : [value];
  return objects.flatMap((o) => (Array.isArray(o.value) ? o.value : [])).map((m) => (typeof m.address === 'string' ? m.address : ''));
}

/** The bounce's own From, To and envelope addresses: a report never lists these as failed. */
function ownAddresses(mail: MailparserMail, headers: readonly RawHeader[]): Set<string> {
  const raw = [
    ...addressList(mail.from),
    ...addressList(mail.to),
    ...['delivered-to', 'x-original-to', 'envelope-to'].flatMap((name) => headerValues(headers, name)),
  ];
  return new Set(raw.map(normaliseAddress).filter((a): a is string => a !== null));
}

/** A report's classification with the ids of the original it returns, when it names any. */
function withOriginal(classification: Classification, sources: ReportSources): Classification {
  const ids = originalMessageIds(sources);
  return ids.length > 0 ? { ...classification, originalMessageIds: ids } : classification;
}

function complaintFrom(sources: ReportSources): Classification {
  const report = parseFeedbackReport(sources.feedbackReports, sources.originals, sources.body);
  const note = marksRecipients(report.feedbackType) ? '' : '; not a complaint against the recipient, nobody is marked';
  return withOriginal(
    {
      kind: 'complaint',
      reason: `ARF feedback report (Feedback-Type: ${report.feedbackType})${note}`,
      failedRecipients: report.recipients,
    },
    sources,
  );
}

function classifyParsed(mail: MailparserMail): Classification {
  const headers = rawHeaders(mail);
  const subject = typeof mail.subject === 'string' ? mail.subject : '';
  const fromAddress = addressList(mail.from)[0] ?? '';
  if (isSnsSender(fromAddress)) return classifySnsMail(typeof mail.text === 'string' ? mail.text : '');
  const sources = reportSources(mail);
  const signals = bounceSignals(headers, subject, fromAddress, ownAddresses(mail, headers));
  const autoReply = autoReplyReason(headers, subject);

  if (signals.reportType === 'feedback-report' || sources.feedbackReports.length > 0) return complaintFrom(sources);
  // Report fields in a plain-text part count only in automatic mail: a person may forward or quote a report.
  if ((autoReply !== null || signals.nullReturnPath) && hasFeedbackFields(sources.body)) return complaintFrom(sources);
  if (signals.reportType === 'disposition-notification') {
    return { kind: 'auto-reply', reason: 'read receipt (multipart/report; report-type=disposition-notification)', failedRecipients: [] };
  }
  const bounce = classifyBounce(headers, sources, signals, autoReply);
  if (bounce) return bounce.kind === 'bounce' ? withOriginal(bounce, sources) : bounce;
  if (autoReply) return { kind: 'auto-reply', reason: autoReply, failedRecipients: [] };
  return { kind: 'normal', reason: NORMAL_REASON, failedRecipients: [] };
}

/**
 * Tells bounces, complaints and auto-replies from normal mail (DESIGN.md "Loop and noise protection").
 * Reads at most 64 KB of any body or report part. Never throws: unreadable input is `normal` with a reason.
 *
 * @example
 * const mail = await simpleParser(raw);
 * classifyEmail(mail); // { kind: 'bounce', reason: 'delivery-status report …', failedRecipients: ['a@example.org'], permanent: true }
 */
export function classifyEmail(mail: MailparserMail): Classification {
  try {
    return classifyParsed(mail);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'normal', reason: `could not be classified (${message.slice(0, 120)})`, failedRecipients: [] };
  }
}

/**
 * Reads the spam and virus verdicts SES prepended (only SES's own copies count; a sender's lower copies
 * are ignored). Values are upper-cased tokens such as `PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`, or null.
 */
export function readSesVerdicts(mail: MailparserMail): SesVerdicts {
  try {
    return readSesVerdictsFromHeaders(rawHeaders(mail));
  } catch {
    return { spam: null, virus: null };
  }
}

/** No verdicts: what mail that did not pass through SES (the local stack) has. */
export const NO_AUTHENTICATION: SenderAuthentication = { spf: null, dkim: null, dmarc: null };

/**
 * Reads SES's SPF, DKIM and DMARC results from the block it prepended (only SES's own copies count; a sender's lower
 * copies are ignored). Each is lower-cased as SES wrote it (`pass`, `fail`, `none`…), or null.
 */
export function readSesAuthentication(mail: MailparserMail): SenderAuthentication {
  try {
    return readSesAuthenticationFromHeaders(rawHeaders(mail));
  } catch {
    return NO_AUTHENTICATION;
  }
}
