// core: one delivery → raw MIME (multipart/alternative text + HTML, attachments, threading headers)
import type MailComposer from 'nodemailer/lib/mail-composer';
import { marked } from 'marked';
import type sanitizeHtml from 'sanitize-html';
import type { Desk } from '../config/desk-config';
import type { DeskSettings, TemplateName } from '../settings/desk-settings';
import type { StoredAttachment } from '../types';
import type { Delivery } from './notify-ports';
import { renderTemplate, type TemplateValues } from './templates';

/** References keeps the thread's first id and its latest ones; long headers get cut by some servers. */
const MAX_REFERENCES = 10;
const MAX_SUBJECT_CHARS = 200;
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
}

/**
 * nodemailer's composer and sanitize-html (with postcss and htmlparser2) load with the first email, not at
 * cold start: that keeps the Lambda init short, and a redelivered batch or a suppressed delivery never needs them.
 */
let mimeLibraries: Promise<MimeLibraries> | undefined;
function loadMimeLibraries(): Promise<MimeLibraries> {
  mimeLibraries ??= Promise.all([import('nodemailer/lib/mail-composer'), import('sanitize-html')]).then(([composer, sanitizer]) => ({
    MailComposer: composer.default,
    sanitizeHtml: sanitizer.default,
  }));
  return mimeLibraries;
}

/**
 * Team notifications are not the desk's to word for customers: one fixed template, the change described in `note.text`
 * (Markdown with anything from mail escaped) and a link to the ticket.
 */
const AGENT_NOTICE_TEMPLATE = {
  subject: '{{ticket.subject}}',
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
};

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
 * token, Subject `Re: <subject> [#n]`, our Message-ID, In-Reply-To/References from the thread,
 * `X-Auto-Response-Suppress: All` always, `Auto-Submitted: auto-replied` on automatic mail, and
 * `List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058) when there is a link. Everything from customers is stripped of line breaks and
 * encoded by nodemailer (RFC 2047), so no header can be injected.
 *
 * @example const { raw } = await composeEmail({ delivery, desk, settings, messageId, replyTo, ... })
 */
export async function composeEmail(input: ComposeInput): Promise<ComposedEmail> {
  const { delivery, desk } = input;
  const content = delivery.content;
  const values: TemplateValues = {
    'ticket.number': { text: String(content.ticketNumber) },
    'ticket.subject': { text: oneLine(content.subject, MAX_SUBJECT_CHARS) },
    // An acknowledgement quotes the customer: their words are text. A reply is the agent's own Markdown.
    'note.text': delivery.kind === 'ack' ? { text: content.body } : { markdown: content.body },
    'agent.name': { text: content.authorName ?? desk.name },
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
  const markdown = linkNote ? `${rendered.markdown}\n\n${linkNote.markdown}` : rendered.markdown;
  const text = linkNote ? `${rendered.text}\n\n${linkNote.text}` : rendered.text;
  const { MailComposer, sanitizeHtml } = await loadMimeLibraries();
  const html = sanitizeHtml(marked.parse(markdown, { async: false, gfm: true }), HTML_OPTIONS);

  const subject = replySubject(rendered.subject, content.ticketNumber);
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
 * `Re: <subject> [#n]`: one "Re:" and one tag however often the subject went back and forth, on one line,
 * at most 200 characters of the customer's subject.
 */
export function replySubject(subject: string, ticketNumber: number): string {
  const tag = `[#${ticketNumber}]`;
  let clean = oneLine(subject, MAX_SUBJECT_CHARS);
  while (/^(re|aw|sv)\s*:\s*/i.test(clean)) clean = clean.replace(/^(re|aw|sv)\s*:\s*/i, '');
  clean = clean.split(tag).join(' ').replace(/\s+/g, ' ').trim();
  return clean ? `Re: ${clean} ${tag}` : `Re: ${tag}`;
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

function referencesOf(references: readonly string[], inReplyTo: string | null): string[] {
  const ids = [...new Set([...references, ...(inReplyTo ? [inReplyTo] : [])])].filter((id) => /^<[^<>\s]+>$/.test(id));
  return ids.length > MAX_REFERENCES ? [ids[0]!, ...ids.slice(-(MAX_REFERENCES - 1))] : ids;
}

function linkedAttachmentsNote(linked: readonly StoredAttachment[], ticketUrl: string): { markdown: string; text: string } | null {
  if (linked.length === 0) return null;
  const names = linked.map((a) => `${oneLine(a.filename, MAX_SUBJECT_CHARS)} (${formatSize(a.size)})`);
  return {
    markdown: `Attachments too large for email: ${names.map((n) => n.replace(/[\\`*_[\]()<>#!|~&]/g, (c) => `\\${c}`)).join(', ')}. [View them on the ticket](${ticketUrl}).`,
    text: `Attachments too large for email: ${names.join(', ')}. View them on the ticket: ${ticketUrl}`,
  };
}

function formatSize(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.ceil(bytes / 1000)} KB`;
}
