// core: classification (placeholder signature; the real module replaces this)
import type { ParsedMail as MailparserMail } from 'mailparser';
import type { Classification, SesVerdicts } from '../types';

/** Tells bounces, complaints and auto-replies from normal mail. */
export function classifyEmail(mail: MailparserMail): Classification {
  void mail;
  return { kind: 'normal', reason: 'no automatic-mail markers', failedRecipients: [] };
}

/** Reads the spam and virus verdicts SES prepended (only SES's own copies count). */
export function readSesVerdicts(mail: MailparserMail): SesVerdicts {
  void mail;
  return { spam: null, virus: null };
}
