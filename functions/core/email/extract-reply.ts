// core: reply extraction — keeps only what the sender newly wrote (quotes, headers, signatures removed)
import { htmlToReplyText } from './reply/html-to-text';
import { stripQuotes } from './reply/strip-quotes';
import { stripSignature } from './reply/strip-signature';

function extractLines(text: string): string[] {
  const lines = stripSignature(stripQuotes(text.replace(/\r\n?/g, '\n').split('\n')));
  let start = 0;
  while (start < lines.length && (lines[start] ?? '').trim() === '') start++;
  return lines.slice(start).map((line) => line.trimEnd());
}

/**
 * Returns only what the sender newly wrote in a plain-text body: `>` quotes and their
 * "On … wrote:" headers (many languages, also interleaved), Outlook header blocks,
 * original/forwarded-message blocks, signatures and mobile footers are removed.
 * Blank-line layout inside the reply is kept. Runs in linear time on any input.
 *
 * @example
 * extractReply('Thanks!\n\nOn Mon, 2 Apr 2012, Bob <bob@example.com> wrote:\n> Hi'); // 'Thanks!'
 */
export function extractReply(text: string): string {
  return extractLines(text).join('\n').trimEnd();
}

/**
 * Returns only what the sender newly wrote in an HTML body, as plain text: client quote containers
 * (Gmail, Outlook, Apple Mail, Thunderbird, Yahoo) are removed before the text rules of
 * {@link extractReply} run; paragraphs, lists and tables (tab-separated rows) keep their layout.
 *
 * @example
 * extractReplyFromHtml('<div>Fine.</div><div class="gmail_quote">On … wrote:<blockquote>Hi</blockquote></div>'); // 'Fine.'
 */
export function extractReplyFromHtml(html: string): string {
  return extractReply(htmlToReplyText(html)).replace(/\n{3,}/g, '\n\n');
}
