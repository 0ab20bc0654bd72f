// core: one delivery → raw MIME (multipart/alternative text + HTML, attachments, threading headers)
import type { compile as compileHtmlToText } from 'html-to-text';
import type MailComposer from 'nodemailer/lib/mail-composer';
import { marked } from 'marked';
import type sanitizeHtml from 'sanitize-html';
import type { Desk } from '../config/desk-config';
import type { DeskSettings, TemplateName } from '../settings/desk-settings';
import type { StoredAttachment } from '../types';
import type { Delivery } from './notify-ports';
import { withoutReplyMarks } from './subject-line';
import { renderTemplate, type TemplateValues } from './templates';

/** References keeps the thread's first id and its latest ones; long headers get cut by some servers. */
const MAX_REFERENCES = 10;
const MAX_SUBJECT_CHARS = 200;
/** A rendered subject: the ticket's subject plus whatever the template adds around it. */
const MAX_RENDERED_SUBJECT_CHARS = 250;
const MAX_NAME_CHARS = 100;

/** Tags Markdown produces; anything else (raw HTML typed into a template or reply) is dropped. */
const HTML_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'del',
    'a',
    'ul',
    'ol',
    'li',
    'blockquote',
    'code',
    'pre',
    'hr',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'img',
  ],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title'], ol: ['start'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https'] },
  disallowedTagsMode: 'escape',
};

interface MimeLibraries {
  readonly MailComposer: typeof MailComposer;
  readonly sanitizeHtml: typeof sanitizeHtml;
  /** The text/plain part from the HTML one: what the Markdown means (emphasis gone, links as `text [url]`), not its markup. */
  readonly htmlToText: (html: string) => string;
}

/**
 * nodemailer's composer and sanitize-html (with postcss and htmlparser2) load with the first email, not at
 * cold start: that keeps the Lambda init short, and a redelivered batch or a suppressed delivery never needs them.
 */
let mimeLibraries: Promise<MimeLibraries> | undefined;
function loadMimeLibraries(): Promise<MimeLibraries> {
  mimeLibraries ??= Promise.all([import('nodemailer/lib/mail-composer'), import('sanitize-html'), import('html-to-text')]).then(
    ([composer, sanitizer, htmlToText]) => ({
      MailComposer: composer.default,
      sanitizeHtml: sanitizer.default,
      htmlToText: plainTextOf(htmlToText.compile),
    }),
  );
  return mimeLibraries;
}

/**
 * Team notifications are not the desk's to word for customers: one fixed template, the change described in `note.text`
 * (Markdown with anything from mail escaped) and a link to the ticket.
 */
const AGENT_NOTICE_TEMPLATE = {
  // Subjects are used as written: a reply in the ticket's thread, tagged, as the desk's own replies are.
  subject: 'Re: {{ticket.subject}} [#{{ticket.number}}]',
  body: [
    '{{note.text}}',
    '',
    '[Open ticket #{{ticket.number}}]({{ticket.url}})',
    '',
    '---',
    '',
    'You get this as a member of the {{desk.name}} team. Choose what you are mailed about on the Settings page of the dashboard.',
  ].join('\n'),
};

const TEMPLATE_OF: Record<Exclude<Delivery['kind'], 'agent-notice'>, TemplateName> = {
  ack: 'ack',
  reply: 'reply',
  'participant-added': 'participantAdded',
  relay: 'relay',
};

function plainTextOf(compile: typeof compileHtmlToText): (html: string) => string {
  return compile({
    // Mail clients wrap text themselves; hard breaks would split links from their text.
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'img', format: 'skip' },
      ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((selector) => ({ selector, options: { uppercase: false } })),
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  });
}

/** An attachment fetched for sending. */
export interface AttachmentPart {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Uint8Array;
  readonly cid: string | null;
}

export interface ComposeInput {
  readonly delivery: Delivery;
  readonly desk: Desk;
  readonly settings: DeskSettings;
  /** Our own Message-ID, e.g. `<delivery-id@help.example.com>`. */
  readonly messageId: string;
  /** The Reply-To address carrying a fresh reply token. */
  readonly replyTo: string;
  /** Signed link for List-Unsubscribe and the template; null for acknowledgements. */
  readonly unsubscribeUrl: string | null;
  /** Where the ticket can be followed (links to attachments too large to send). */
  readonly ticketUrl: string;
  readonly attachments: readonly AttachmentPart[];
  /** Attachments too large for the message, mentioned as a link instead. */
  readonly linkedAttachments: readonly StoredAttachment[];
  readonly date: Date;
}

export interface ComposedEmail {
  readonly raw: Uint8Array;
  readonly subject: string;
  readonly from: string;
}

/**
 * Builds the email for one delivery from the desk's template.
 *
 * Headers: From `"<Agent> via <Desk>" <desk>` (the desk name alone for automatic mail), Reply-To with the
 * token, the template's Subject as written (by default `Re: <subject> [#n]`), our Message-ID, In-Reply-To/References from the thread,
 * `X-Auto-Response-Suppress: All` always, `Auto-Submitted: auto-replied` on automatic mail, and
 * `List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058) when there is a
 * link. Everything from customers is stripped of line breaks and encoded by nodemailer (RFC 2047), so no
 * header can be injected.
 *
 * @example const { raw } = await composeEmail({ delivery, desk, settings, messageId, replyTo, ... })
 */
export async function composeEmail(input: ComposeInput): Promise<ComposedEmail> {
  const { delivery, desk } = input;
  const content = delivery.content;
  const values: TemplateValues = {
    'ticket.number': { text: String(content.ticketNumber) },
    'ticket.subject': { text: bareSubject(content.subject, content.ticketNumber) },
    // An acknowledgement or a relay quotes a customer: their words are text. A reply is the agent's own Markdown.
    'note.text': delivery.kind === 'ack' || delivery.kind === 'relay' ? { text: content.body } : { markdown: content.body },
    'agent.name': { text: content.authorName ?? desk.name },
    'author.name': { text: content.authorName ?? desk.name },
    'desk.name': { text: desk.name },
    // The recipient's name as their mail gave it; the first name is its first word (empty without a name).
    'customer.name': { text: oneLine(delivery.recipient.name, MAX_NAME_CHARS) || delivery.recipient.address },
    'customer.firstName': { text: oneLine(delivery.recipient.name, MAX_NAME_CHARS).split(' ')[0] ?? '' },
    'ticket.url': { url: input.ticketUrl },
    ...(input.unsubscribeUrl ? { 'unsubscribe.url': { url: input.unsubscribeUrl } } : {}),
  };
  const template = delivery.kind === 'agent-notice' ? AGENT_NOTICE_TEMPLATE : input.settings.templates[TEMPLATE_OF[delivery.kind]];
  const rendered = renderTemplate(template, values);
  const linkNote = linkedAttachmentsNote(input.linkedAttachments, input.ticketUrl);
  const markdown = linkNote ? `${rendered.markdown}\n\n${linkNote}` : rendered.markdown;
  const { html, text } = await mailBodyOf(markdown);
  const { MailComposer } = await loadMimeLibraries();

  // The template's subject is used as written (the defaults make it a reply); one with nothing in it still names the ticket.
  const written = oneLine(rendered.subject, MAX_RENDERED_SUBJECT_CHARS) || `[#${content.ticketNumber}]`;
  // The desk's first email of a ticket it opened answers nothing, so the default's "Re:" goes.
  const subject = content.inReplyTo === null ? newSubject(written) : written;
  const automatic = delivery.kind !== 'reply';
  const senderName = oneLine(content.authorName ? `${content.authorName} via ${desk.name}` : desk.name, MAX_NAME_CHARS);
  const headers: Record<string, string> = { 'X-Auto-Response-Suppress': 'All' };
  if (automatic) headers['Auto-Submitted'] = 'auto-replied';
  if (input.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${input.unsubscribeUrl}>`;
    // RFC 8058: mail clients POST to the link to unsubscribe in one click; a GET only asks to confirm.
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }

  const composer = new MailComposer({
    from: { name: senderName, address: desk.address },
    to: { name: oneLine(delivery.recipient.name, MAX_NAME_CHARS), address: delivery.recipient.address },
    replyTo: input.replyTo,
    subject,
    messageId: input.messageId,
    date: input.date,
    inReplyTo: content.inReplyTo ?? undefined,
    references: referencesOf(content.references, content.inReplyTo),
    headers,
    text,
    html: `<!doctype html><html><body>${html}</body></html>`,
    attachments: input.attachments.map((part) => ({
      filename: oneLine(part.filename, MAX_SUBJECT_CHARS) || 'attachment',
      contentType: part.contentType,
      content: Buffer.from(part.content),
      ...(part.cid ? { cid: part.cid } : {}),
    })),
  });
  const raw = await composer.compile().build();
  return { raw: new Uint8Array(raw), subject, from: desk.address };
}

/**
 * The ticket's subject as `{{ticket.subject}}` gives it: one line, without the reply prefixes (`Re:`, `AW:`,
 * `SV:`) and the ticket's own tag that replies piled onto it, so a template can add its own once.
 * @example bareSubject('RE: Re: Printer on fire [#42]', 42) // 'Printer on fire'
 */
export function bareSubject(subject: string, ticketNumber: number): string {
  return withoutReplyMarks(oneLine(subject, MAX_SUBJECT_CHARS), `[#${ticketNumber}]`);
}

/** A rendered subject without its leading "Re:": the subject of an email that starts a conversation. */
export function newSubject(subject: string): string {
  return subject.replace(/^re:\s*/i, '');
}

/** Control characters (CR, LF, tabs, NUL, Unicode line separators) become spaces; long text is cut. */
export function oneLine(value: string, maxChars: number): string {
  const flat = value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...flat];
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : flat;
}

/** A Markdown body as mail carries it: sanitised HTML and the plain text made from that HTML. */
export async function mailBodyOf(markdown: string): Promise<{ html: string; text: string }> {
  const { sanitizeHtml, htmlToText } = await loadMimeLibraries();
  const html = sanitizeHtml(marked.parse(markdown, { async: false, gfm: true }), HTML_OPTIONS);
  return { html, text: htmlToText(html) };
}

function referencesOf(references: readonly string[], inReplyTo: string | null): string[] {
  const ids = [...new Set([...references, ...(inReplyTo ? [inReplyTo] : [])])].filter((id) => /^<[^<>\s]+>$/.test(id));
  return ids.length > MAX_REFERENCES ? [ids[0]!, ...ids.slice(-(MAX_REFERENCES - 1))] : ids;
}

function linkedAttachmentsNote(linked: readonly StoredAttachment[], ticketUrl: string): string | null {
  if (linked.length === 0) return null;
  const names = linked.map((a) => `${oneLine(a.filename, MAX_SUBJECT_CHARS)} (${formatSize(a.size)})`);
  return `Attachments too large for email: ${names.map((n) => n.replace(/[\\`*_[\]()<>#!|~&]/g, (c) => `\\${c}`)).join(', ')}. [View them on the ticket](${ticketUrl}).`;
}

function formatSize(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.ceil(bytes / 1000)} KB`;
}
