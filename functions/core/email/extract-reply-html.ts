// core: reply extraction from an HTML body: client quote containers removed from the markup, then the text rules
import { separateReply, type SeparatedReply } from './extract-reply';
import { htmlToReplyText } from './reply/html-to-text';

/** {@link separateReply} for an HTML body: client quote containers go first, then the text rules run. */
export function separateReplyFromHtml(html: string): SeparatedReply {
  const text = htmlToReplyText(html);
  const separated = separateReply(text);
  return { reply: separated.reply.replace(/\n{3,}/g, '\n\n'), confidence: separated.confidence };
}

/**
 * Returns only what the sender newly wrote in an HTML body, as plain text: client quote containers
 * (Gmail, Outlook, Apple Mail, Thunderbird, Yahoo, Zoho) are removed before the text rules of
 * `extractReply` run; paragraphs, lists and tables (tab-separated rows) keep their layout.
 *
 * @example
 * extractReplyFromHtml('<div>Fine.</div><div class="gmail_quote">On … wrote:<blockquote>Hi</blockquote></div>'); // 'Fine.'
 */
export function extractReplyFromHtml(html: string): string {
  return separateReplyFromHtml(html).reply;
}
