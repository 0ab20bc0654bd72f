// core: marks the quoted history in a message's sanitised HTML, so the dashboard can fold it as it folds plain text
import { DomUtils, parseDocument } from 'htmlparser2';
import { Element, isTag, isText, type AnyNode, type Document, type ParentNode } from 'domhandler';
import { QUOTED_HTML_ATTRIBUTE } from '../../contracts';
import { renderReplyText, type QuotedParts } from './reply/html-to-text';
import { isForwardSeparator } from './reply/patterns';
import { isAttributionText, matchHeaderBlock } from './reply/strip-quotes';

const QUOTE_ATTRIBUTE = QUOTED_HTML_ATTRIBUTE;

/**
 * Marks what {@link separateReplyFromHtml} treats as quoted: the client quote containers (Gmail, Apple Mail,
 * Thunderbird, Yahoo, Zoho, a blockquote after an "On … wrote:" line) and, from an Outlook original-message marker
 * on, everything after it. Returns the HTML unchanged when there is nothing quoted or nothing new before the quote
 * (a mail that is all quote is shown whole).
 *
 * @example
 * markQuotedHtml('<div>Fine.</div><div class="gmail_quote">On … wrote:<blockquote>Hi</blockquote></div>');
 * // '<div>Fine.</div><div class="gmail_quote" data-sesdesk-quote="">On … wrote:<blockquote>Hi</blockquote></div>'
 */
export function markQuotedHtml(html: string): string {
  const doc = parseDocument(html);
  const found: QuotedParts = { quotes: [], cut: null };
  const reply = renderReplyText(doc, found);
  // The sanitiser keeps no ids, borders or `type="cite"`, so Outlook's and Apple Mail's own markers are gone: the
  // header line or block above their quote still reads as one.
  if (found.quotes.length === 0 && found.cut === null) found.cut = originalMessageHeader(doc);
  if (found.quotes.length === 0 && found.cut === null) return html;
  if (reply.replace(/^>$/gm, '').trim() === '' || !textBefore(doc, found.cut ?? found.quotes[0]!)) return html;
  for (const quote of found.quotes) {
    quote.attribs[QUOTE_ATTRIBUTE] = '';
    // The empty line a client leaves above its quote would stay as a gap under the folded reply.
    for (
      let prev = quote.prev;
      prev && ((isTag(prev) && prev.name === 'br') || (isText(prev) && prev.data.trim() === ''));
      prev = prev.prev
    ) {
      if (isTag(prev)) prev.attribs[QUOTE_ATTRIBUTE] = '';
    }
  }
  if (found.cut) markFrom(found.cut);
  return DomUtils.getOuterHTML(doc, { encodeEntities: 'utf8' });
}

/**
 * The first paragraph that starts the quoted history by its text alone: an "On … wrote:" line, a forward separator
 * ("-----Original Message-----") or Outlook's From:/Sent:/To: lines.
 */
function originalMessageHeader(doc: Document): Element | null {
  const paragraphs = DomUtils.findAll((el) => (el.name === 'p' || el.name === 'div') && !el.children.some(isBlockElement), doc.children);
  for (const paragraph of paragraphs) {
    const lines = renderReplyText(paragraph, null)
      .split('\n')
      .filter((line) => line.trim() !== '');
    const first = lines[0];
    if (first !== undefined && (isAttributionText(lines.join(' ')) || isForwardSeparator(first) || matchHeaderBlock(lines, 0))) {
      return paragraph;
    }
  }
  return null;
}

function isBlockElement(node: AnyNode): boolean {
  return isTag(node) && (node.name === 'p' || node.name === 'div' || node.name === 'table' || node.name === 'blockquote');
}

/** True when some text comes before `element`: a mail that is all quote is shown whole. */
function textBefore(doc: Document, element: Element): boolean {
  const stack: AnyNode[] = [...doc.children].reverse();
  for (let node = stack.pop(); node && node !== element; node = stack.pop()) {
    if (isText(node) && node.data.trim() !== '') return true;
    if (isTag(node)) stack.push(...[...node.children].reverse());
  }
  return false;
}

/** Marks `start` and everything after it in document order: its later siblings, then its ancestors' later siblings. */
function markFrom(start: Element): void {
  let current: AnyNode | null = start;
  while (current) {
    for (let sibling: AnyNode | null = current; sibling;) {
      const next: AnyNode | null = sibling.next;
      markNode(sibling);
      sibling = next;
    }
    // The ancestors themselves hold the reply and stay; what follows the nearest one with a later sibling is quoted.
    let ancestor: ParentNode | null = current.parent;
    current = null;
    while (ancestor && isTag(ancestor)) {
      if (ancestor.next) {
        current = ancestor.next;
        break;
      }
      ancestor = ancestor.parent;
    }
  }
}

/** Marks an element, or wraps text (and comments) in a marked span so it can be hidden too. */
function markNode(node: AnyNode): void {
  if (isTag(node)) {
    node.attribs[QUOTE_ATTRIBUTE] = '';
    return;
  }
  if (!isText(node) || node.data.trim() === '') return;
  const span = new Element('span', { [QUOTE_ATTRIBUTE]: '' });
  DomUtils.replaceElement(node, span);
  DomUtils.appendChild(span, node);
}
