// core: raw MIME → ParsedMail (contract 3 plus what ingest needs), never throwing on malformed mail
import { simpleParser } from 'mailparser';
import type { ParsedMail as MailparserMail, SimpleParserOptions } from 'mailparser';
import type { SplitterOptions } from '@zone-eu/mailsplit';
import type { Classification, ParsedEmail, ParsedMail, SesVerdicts } from '../types';
import { classifyEmail, NO_AUTHENTICATION, readSesAuthentication, readSesVerdicts } from './classify';
import { separateReply, type SeparatedReply } from './extract-reply';
import type * as HtmlBodyModule from './html-body';
import { loadHtmlToText, needsHtmlToText } from './lazy-html-to-text';
import { envelopeRecipients, pickFrom, toMailboxes } from './parse/addresses';
import { toAttachmentContents } from './parse/attachments';
import { parseMailDate } from './parse/mail-date';
import { deriveMessageId, normalizeMessageId, parseIdList } from './parse/message-ids';
import { rawHeader, rawHeaderValues } from './parse/raw-headers';
import { needsBodyRepair } from './parse/body-repair-scan';
import { inspectBodyParts, repairBodyCharsets } from './parse/repair-body-charsets';
import { repairHeaderBlock } from './parse/repair-headers';
import { cutAfterParts, isPartsLimitError } from './parse/parts-limit';
import { emptyMailparserMail, salvageHeaders } from './parse/salvage-headers';
import { unpartedMultipartText } from './parse/unparted-multipart';

/** Bounds on the work one message may cause. */
export interface ParseOptions {
  /** Largest header block of one MIME part, in bytes. @default 1048576 */
  readonly maxHeadSize?: number;
  /** Most MIME parts a message may have; more and only the headers are read. @default 1000 */
  readonly maxParts?: number;
  /** HTML longer than this (characters) is not converted to text. @default 5000000 */
  readonly maxHtmlLength?: number;
}

const DEFAULTS = { maxHeadSize: 1024 * 1024, maxParts: 1000, maxHtmlLength: 5_000_000 } as const;

function errorMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}

function stripNul(text: string): string {
  return text.includes('\0') ? text.replace(/\0/g, '') : text;
}

/** An mbox `From ` separator line (as in `.box` files) is not a header; mailparser would choke on it. */
function stripMboxSeparator(raw: Buffer): Buffer {
  if (raw.subarray(0, 5).toString('latin1') !== 'From ') return raw;
  const newline = raw.indexOf(0x0a);
  return newline < 0 ? raw : raw.subarray(newline + 1);
}

function safely<T>(warnings: string[], what: string, run: () => T, fallback: T): T {
  try {
    return run();
  } catch (err) {
    warnings.push(`${what} failed: ${errorMessage(err)}`);
    return fallback;
  }
}

type HtmlLibrary = typeof HtmlBodyModule;
let htmlLibrary: Promise<HtmlLibrary> | undefined;

/** An HTML body with what reads it. */
interface HtmlBody {
  readonly raw: string;
  readonly read: HtmlLibrary;
}

/** Most mail has no HTML: the sanitiser and the HTML converters load with the first message that has some. */
async function loadHtmlBody(mail: MailparserMail): Promise<HtmlBody | null> {
  if (typeof mail.html !== 'string') return null;
  return { raw: mail.html, read: await (htmlLibrary ??= import('./html-body')) };
}

const UNCLASSIFIED: Classification = { kind: 'normal', reason: 'classifier failed', failedRecipients: [] };
const NO_VERDICTS: SesVerdicts = { spam: null, virus: null };

/**
 * Parses a raw message into the shape ingest works with (contract 3 of DESIGN.md plus envelope
 * recipients, SES verdicts and attachment bytes). Repairs what real mail gets wrong (mislabelled
 * charsets, raw 8-bit headers, comma-joined References, a missing Message-ID) and never rejects:
 * malformed input yields what could be read, with `warnings` saying what went wrong.
 * @example
 * const mail = await parseEmail(readFileSync('reply.eml'));
 * mail.messageId; // '<CAF...@mail.gmail.com>'
 */
export async function parseEmail(raw: Uint8Array | Buffer, options: ParseOptions = {}): Promise<ParsedMail> {
  const limits = { ...DEFAULTS, ...options };
  const parserOptions: SimpleParserOptions = {
    keepCidLinks: true,
    maxHeadSize: limits.maxHeadSize,
    maxChildNodes: limits.maxParts,
    maxHtmlLengthToParse: limits.maxHtmlLength,
    checksumAlgo: false,
  };
  const warnings: string[] = [];
  const input = stripMboxSeparator(Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
  const headerRepair = safely(warnings, 'header repair', () => repairHeaderBlock(input), { raw: input, warnings: [] });
  warnings.push(...headerRepair.warnings);

  const splitLimits: SplitterOptions = { maxHeadSize: limits.maxHeadSize, maxChildNodes: limits.maxParts };
  const bodyRepair = await repairBodyIfNeeded(headerRepair.raw, splitLimits, warnings);
  let prepared = bodyRepair.raw;
  const dropped: string[] = [];

  let mail: MailparserMail;
  try {
    const parseAll = async (raw: Buffer): Promise<MailparserMail> => {
      const parsed = await simpleParser(raw, parserOptions);
      if (!needsHtmlToText(parsed.textConversionError)) return parsed;
      // Only in a function bundle, and only until the first message whose HTML mailparser converts: load, read again.
      await loadHtmlToText();
      return simpleParser(raw, parserOptions);
    };
    mail = await parseAll(prepared).catch(async (err: unknown) => {
      if (!isPartsLimitError(err)) throw err;
      // Keep what comes before the limit (the text and the first attachments) instead of only the headers.
      const cut = cutAfterParts(prepared, limits.maxParts);
      const parsed = await parseAll(cut.raw);
      prepared = cut.raw;
      warnings.push(`more than ${limits.maxParts} MIME parts; the message was read up to the limit`);
      dropped.push(
        `This email has more than ${limits.maxParts} MIME parts. Its text and the parts before the limit were kept; ` +
          `about ${cut.droppedParts} further parts (${cut.droppedBytes} bytes) were not read. The raw email is kept unchanged.`,
      );
      return parsed;
    });
  } catch (err) {
    warnings.push(`malformed MIME (${errorMessage(err)}); only the top headers were read`);
    dropped.push(
      `This email's MIME structure could not be read (${errorMessage(err)}): only its headers were kept. The raw email is kept unchanged.`,
    );
    mail = await salvageHeaders(prepared, parserOptions).catch(() => emptyMailparserMail());
    return assemble(mail, true, warnings, dropped, limits.maxHtmlLength, await loadHtmlBody(mail));
  }
  const unparted = safely(warnings, 'reading a multipart without parts', () => unpartedMultipartText(mail, prepared), null);
  if (unparted !== null) {
    // The classifier reads the same object, so a bounce whose report has no parts is still read.
    mail.text = unparted;
    warnings.push('multipart message without readable parts; the body was read as plain text');
    return assemble(mail, true, warnings, dropped, limits.maxHtmlLength, await loadHtmlBody(mail));
  }
  const hasTextPart = dropped.length > 0 ? true : (bodyRepair.hasTextPart ?? (await findTextPartBesideHtml(mail, prepared, splitLimits)));
  return assemble(mail, hasTextPart, warnings, dropped, limits.maxHtmlLength, await loadHtmlBody(mail));
}

/**
 * Runs the body-charset repair pass (a split, rewrite and join, costing about half of mailparser)
 * only when it changes something, which is rare: a regex scan of the raw bytes clears most mail,
 * a plain split clears most of the rest. `hasTextPart` is null when the message was not split.
 */
async function repairBodyIfNeeded(
  raw: Buffer,
  splitLimits: SplitterOptions,
  warnings: string[],
): Promise<{ raw: Buffer; hasTextPart: boolean | null }> {
  if (!needsBodyRepair(raw)) return { raw, hasTextPart: null };
  try {
    const inspection = await inspectBodyParts(raw, splitLimits);
    if (!inspection.needsRepair) return { raw, hasTextPart: inspection.hasTextPart };
    const bodyRepair = await repairBodyCharsets(raw, splitLimits);
    warnings.push(...bodyRepair.warnings);
    return { raw: bodyRepair.raw, hasTextPart: bodyRepair.hasTextPart };
  } catch {
    // mailparser runs the same splitter and reports the same failure
    return { raw, hasTextPart: true };
  }
}

/** Whether a plain-text part exists only matters beside HTML, so only then is the message split for it. */
async function findTextPartBesideHtml(mail: MailparserMail, raw: Buffer, splitLimits: SplitterOptions): Promise<boolean> {
  if (typeof mail.html !== 'string') return true;
  return inspectBodyParts(raw, splitLimits).then(
    (inspection) => inspection.hasTextPart,
    () => true,
  );
}

/** `htmlBody` is the loaded {@link HtmlBody} of `mail.html`, null when the mail has none. */
function assemble(
  mail: MailparserMail,
  hasTextPart: boolean,
  warnings: string[],
  dropped: string[],
  maxHtmlLength: number,
  htmlBody: HtmlBody | null,
): ParsedMail {
  const lines = mail.headerLines;
  if (mail.textConversionError) warnings.push(`HTML not converted to text: ${errorMessage(mail.textConversionError)}`);

  const from = pickFrom(mail.headers);
  const to = toMailboxes(mail.headers.get('to'));
  const cc = toMailboxes(mail.headers.get('cc'));
  const subject = stripNul(mail.subject ?? '').trim();
  const dateHeader = rawHeader(lines, 'date');
  const date = parseMailDate(dateHeader)?.toISOString() ?? null;
  if (dateHeader === null) warnings.push('no Date header');
  else if (date === null) warnings.push(`unreadable Date header: ${dateHeader.slice(0, 100)}`);

  const rawHtml = htmlBody?.raw ?? null;
  let text = stripNul(mail.text ?? '');
  // mailparser converts HTML to text only for a root or top-level part; HTML inside
  // multipart/mixed or related without a text part would leave the text empty.
  if (htmlBody && !hasTextPart && text.trim() === '' && !mail.textConversionError) {
    text = safely(warnings, 'HTML to text', () => htmlBody.read.htmlBodyText(htmlBody.raw, maxHtmlLength), '');
  }
  const html = htmlBody ? safely(warnings, 'HTML sanitising', () => htmlBody.read.sanitizeEmailHtml(htmlBody.raw), '') : null;
  const separated = safely<SeparatedReply>(
    warnings,
    'reply extraction',
    () => (htmlBody && !hasTextPart ? htmlBody.read.separateReplyFromHtml(htmlBody.raw) : separateReply(text)),
    { reply: text.trim(), confidence: 'none' },
  );

  let messageId = normalizeMessageId(rawHeader(lines, 'message-id'));
  const messageIdDerived = messageId === null;
  if (messageId === null) {
    warnings.push('no Message-ID header; derived from content');
    messageId = deriveMessageId({ from: from.address, date, subject, to: to.map((m) => m.address), body: text || rawHtml || '' });
  }

  const attachmentContents = toAttachmentContents(mail.attachments, rawHtml);
  return {
    messageId,
    inReplyTo: parseIdList(rawHeader(lines, 'in-reply-to'))[0] ?? null,
    references: parseIdList(rawHeaderValues(lines, 'references').join(' ')),
    from,
    replyTo: toMailboxes(mail.headers.get('reply-to')),
    to,
    cc,
    subject,
    date,
    text,
    reply: separated.reply,
    replyConfidence: separated.confidence,
    html,
    attachments: attachmentContents.map(({ content: _content, ...info }) => info),
    classification: safely(warnings, 'classification', () => classifyEmail(mail), UNCLASSIFIED),
    authentication: safely(warnings, 'reading SES authentication', () => readSesAuthentication(mail), NO_AUTHENTICATION),
    envelopeRecipients: envelopeRecipients(to, cc, lines),
    verdicts: safely(warnings, 'reading SES verdicts', () => readSesVerdicts(mail), NO_VERDICTS),
    messageIdDerived,
    warnings,
    dropped,
    attachmentContents,
  };
}

/** Only the contract fields of a parsed message, in contract order: what `sesdesk parse` prints. */
export function toContractJson(mail: ParsedMail): ParsedEmail {
  return {
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    from: mail.from,
    replyTo: mail.replyTo,
    to: mail.to,
    cc: mail.cc,
    subject: mail.subject,
    date: mail.date,
    text: mail.text,
    reply: mail.reply,
    replyConfidence: mail.replyConfidence,
    html: mail.html,
    attachments: mail.attachments,
    classification: mail.classification,
    authentication: mail.authentication,
  };
}
