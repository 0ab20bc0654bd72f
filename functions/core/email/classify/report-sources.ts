// core: the bounded pieces of a message that bounce/complaint detection reads (body, report parts)
import type { ParsedMail } from 'mailparser';

/** Classification reads at most this much of any one text, so huge mail stays cheap. */
export const SCAN_LIMIT = 64 * 1024;

/** Texts a report-reading rule may look at, each cut to {@link SCAN_LIMIT}. */
export interface ReportSources {
  /** The plain-text body (mailparser inlines `message/delivery-status` and inline `message/rfc822` here). */
  readonly body: string;
  /** `message/delivery-status` parts that mailparser kept as attachments. */
  readonly deliveryStatus: string[];
  /** `message/feedback-report` parts. */
  readonly feedbackReports: string[];
  /** Returned original messages or their headers (`message/rfc822`, `text/rfc822-headers`). */
  readonly originals: string[];
}

const DELIVERY_STATUS = new Set(['message/delivery-status', 'message/global-delivery-status']);
const FEEDBACK_REPORT = new Set(['message/feedback-report']);
const ORIGINALS = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'text/rfc822-header', 'message/global-headers']);

/** Caps how many attachments are looked at; a report has three parts, not thousands. */
const MAX_PARTS = 20;

function bounded(content: unknown): string {
  if (typeof content === 'string') return content.slice(0, SCAN_LIMIT);
  if (content instanceof Uint8Array) return Buffer.from(content.subarray(0, SCAN_LIMIT)).toString('utf8');
  return '';
}

/** Strips tags so an HTML-only bounce can still be read line by line. */
function htmlToLines(html: string): string {
  return html
    .slice(0, SCAN_LIMIT)
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h\d)\b[^>]{0,200}>/gi, '\n')
    .replace(/<[^>]{0,2000}>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/&nbsp;/g, ' ');
}

/** Collects the texts once, so each rule reads the same bounded copies. */
export function reportSources(mail: ParsedMail): ReportSources {
  const text = typeof mail.text === 'string' ? mail.text : '';
  const html = typeof mail.html === 'string' ? mail.html : '';
  const body = text.trim() !== '' ? text.slice(0, SCAN_LIMIT) : htmlToLines(html);
  const deliveryStatus: string[] = [];
  const feedbackReports: string[] = [];
  const originals: string[] = [];
  const attachments: unknown = mail.attachments;
  if (Array.isArray(attachments)) {
    for (const part of attachments.slice(0, MAX_PARTS)) {
      if (typeof part !== 'object' || part === null) continue;
      const { contentType, content } = part as { contentType?: unknown; content?: unknown };
      const type = typeof contentType === 'string' ? contentType.toLowerCase() : '';
      if (DELIVERY_STATUS.has(type)) deliveryStatus.push(bounded(content));
      else if (FEEDBACK_REPORT.has(type)) feedbackReports.push(bounded(content));
      else if (ORIGINALS.has(type)) originals.push(bounded(content));
    }
  }
  return { body: body.includes('\r') ? body.replace(/\r\n?/g, '\n') : body, deliveryStatus, feedbackReports, originals };
}
