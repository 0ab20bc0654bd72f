// core: classification: tells bounces, complaints and auto-replies from normal mail, and reads SES's verdicts
import type { AddressObject, ParsedMail as MailparserMail } from 'mailparser';
import type { Classification, SenderAuthentication, SesVerdicts } from '../types';
import { normaliseAddress } from './classify/addresses';
import { autoReplyReason } from './classify/auto-reply';
import { bounceSignals, classifyBounce } from './classify/bounce';
import { parseFeedbackReport } from './classify/feedback-report';
import { headerValues, rawHeaders, type RawHeader } from './classify/header-lines';
import { reportSources } from './classify/report-sources';
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

function classifyParsed(mail: MailparserMail): Classification {
  const headers = rawHeaders(mail);
  const subject = typeof mail.subject === 'string' ? mail.subject : '';
  const fromAddress = addressList(mail.from)[0] ?? '';
  const sources = reportSources(mail);
  const signals = bounceSignals(headers, subject, fromAddress, ownAddresses(mail, headers));

  if (signals.reportType === 'feedback-report' || sources.feedbackReports.length > 0) {
    const report = parseFeedbackReport(sources.feedbackReports, sources.originals, sources.body);
    return {
      kind: 'complaint',
      reason: `ARF feedback report (Feedback-Type: ${report.feedbackType})`,
      failedRecipients: report.recipients,
    };
  }
  if (signals.reportType === 'disposition-notification') {
    return { kind: 'auto-reply', reason: 'read receipt (multipart/report; report-type=disposition-notification)', failedRecipients: [] };
  }
  const autoReply = autoReplyReason(headers, subject);
  const bounce = classifyBounce(headers, sources, signals, autoReply);
  if (bounce) return bounce;
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
