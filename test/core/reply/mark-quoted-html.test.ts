// unit: the quoted history of HTML mail is marked for folding, exactly where reply extraction cuts it
import { hasChildren, isTag, isText, type AnyNode } from 'domhandler';
import { DomUtils, parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { QUOTED_HTML_ATTRIBUTE as QUOTE_ATTRIBUTE } from '../../../functions/contracts';
import { markQuotedHtml } from '../../../functions/core/email/mark-quoted-html';
import { sanitizeEmailHtml } from '../../../functions/core/email/sanitize-html';
import { REPLY_SAMPLES } from '../../fixtures/replies/reply-samples';

/** The text the marks would hide (the outermost marked elements) and the text that stays, as an HTML parser reads it. */
function split(html: string): { shown: string; hidden: string } {
  const shown: string[] = [];
  const hidden: string[] = [];
  const walk = (nodes: readonly AnyNode[]): void => {
    for (const node of nodes) {
      if (isTag(node) && QUOTE_ATTRIBUTE in node.attribs) hidden.push(DomUtils.textContent(node));
      else if (isText(node)) shown.push(node.data);
      else if (hasChildren(node)) walk(node.children);
    }
  };
  walk(parseDocument(html).children);
  return { shown: shown.join(' ').trim(), hidden: hidden.join(' ').trim() };
}

describe('markQuotedHtml', () => {
  it("marks Gmail's quote container and keeps the new text, entities intact", () => {
    const html =
      '<div dir="ltr">Fine &amp; thanks, &lt;b&gt; is literal — ok?</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, Desk wrote:</div><blockquote>Hi Ann</blockquote></div>';

    const marked = markQuotedHtml(html);

    expect(marked).toContain(`class="gmail_quote" ${QUOTE_ATTRIBUTE}`);
    expect(marked).toContain(`</div><br ${QUOTE_ATTRIBUTE}><div class="gmail_quote"`);
    expect(marked).toContain('Fine &amp; thanks, &lt;b&gt; is literal — ok?');
    expect(split(marked)).toEqual({ shown: 'Fine & thanks, <b> is literal — ok?', hidden: 'On Mon, Desk wrote:Hi Ann' });
  });

  it("marks everything from Outlook's original-message border on, including text and later blocks outside its parent", () => {
    const html =
      '<div class="WordSection1"><p class="MsoNormal">Thanks!</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in"><p class="MsoNormal"><b>From:</b> Desk</p></div><p class="MsoNormal">old text</p>tail</div><p>after</p>';

    const marked = markQuotedHtml(html);

    expect(split(marked)).toEqual({ shown: 'Thanks!', hidden: 'From: Desk old text tail after' });
  });

  it.each(
    REPLY_SAMPLES.filter((sample) => sample.format === 'html').map((sample) => [`${sample.client} ${sample.language}`, sample] as const),
  )('marks all but the new text of a sanitised %s HTML reply, Outlook with only its header block left to go by', (_, sample) => {
    const sanitised = sanitizeEmailHtml(sample.body);

    const { shown, hidden } = split(markQuotedHtml(sanitised));

    expect(shown.replace(/\s+/g, ' ')).toBe(sample.reply.replace(/\s+/g, ' '));
    expect(hidden).not.toBe('');
  });

  it('marks a blockquote that follows an "On … wrote:" line (Apple Mail without its classes)', () => {
    const marked = markQuotedHtml('<div>Works now.</div><div>On 3 Nov 2026, at 10:00, Desk wrote:</div><blockquote>Try again</blockquote>');

    expect(marked).toContain(`<blockquote ${QUOTE_ATTRIBUTE}>Try again</blockquote>`);
  });

  it('leaves mail with nothing quoted, or with nothing but the quote, as it was', () => {
    expect(markQuotedHtml('<p>Only new text</p>')).toBe('<p>Only new text</p>');
    const allQuote = '<div class="gmail_quote"><blockquote>Old</blockquote></div>';
    expect(markQuotedHtml(allQuote)).toBe(allQuote);
  });

  it('cannot be forged by a sender: the sanitiser drops the attribute before any marking', () => {
    const forged = sanitizeEmailHtml(`<p ${QUOTE_ATTRIBUTE}="">Pay to account 123</p><p>Hello</p>`);

    expect(markQuotedHtml(forged)).not.toContain(QUOTE_ATTRIBUTE);
  });
});
