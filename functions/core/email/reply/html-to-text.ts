// core: HTML mail → plain text for reply extraction, with client quote containers already removed
import { parseDocument } from 'htmlparser2';
import { isTag, isText, type AnyNode, type Element, type ParentNode } from 'domhandler';
import { CLIENT_ROWS, type HtmlMarker } from './quote-table';
import { isAttributionText } from './strip-quotes';

/** The line written in place of a removed quote container, so the text rules treat it as quoted. */
export const QUOTE_MARKER = '>';

const SKIPPED = new Set(['head', 'style', 'script', 'title', 'template', 'noscript', 'object', 'iframe', 'svg', 'xml', 'img']);
const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'caption',
  'center',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'tfoot',
  'thead',
  'tr',
  'ul',
]);

type Role = 'quote' | 'cut' | 'skip' | null;

function classesOf(el: Element): Set<string> {
  return new Set((el.attribs.class ?? '').toLowerCase().split(/\s+/).filter(Boolean));
}

function compactStyle(el: Element): string {
  const style = el.attribs.style ?? '';
  return style.length > 1000 ? '' : style.toLowerCase().replace(/\s+/g, '');
}

/** The client table's markers of one role, grouped by how they are looked up. */
interface MarkerSet {
  readonly classes: ReadonlySet<string>;
  readonly ids: ReadonlySet<string>;
  readonly idPrefixes: readonly string[];
  readonly attributes: readonly { readonly attribute: string; readonly value: string; readonly tag?: string }[];
  readonly styles: readonly string[];
}

function markerSet(pick: (row: (typeof CLIENT_ROWS)[number]) => readonly HtmlMarker[]): MarkerSet {
  const markers = CLIENT_ROWS.flatMap(pick);
  const values = <K extends string>(key: K): string[] =>
    markers.flatMap((m) => (key in m ? [(m as Record<K, string>)[key].toLowerCase()] : []));
  return {
    classes: new Set(values('class')),
    ids: new Set(values('id')),
    idPrefixes: values('idPrefix'),
    attributes: markers.flatMap((m) => ('attribute' in m ? [m] : [])),
    styles: values('style'),
  };
}

const QUOTE = markerSet((row) => row.quote);
const CUT = markerSet((row) => row.cut);
const SKIP = markerSet((row) => row.skip);

function matches(set: MarkerSet, el: Element, id: string, classes: ReadonlySet<string>, style: string): boolean {
  const name = el.name.toLowerCase();
  for (const c of classes) if (set.classes.has(c)) return true;
  if (id !== '' && (set.ids.has(id) || set.idPrefixes.some((prefix) => id.startsWith(prefix)))) return true;
  for (const m of set.attributes) {
    if ((m.tag === undefined || m.tag === name) && (el.attribs[m.attribute] ?? '').toLowerCase() === m.value.toLowerCase()) return true;
  }
  return (name === 'div' || name === 'p') && style !== '' && set.styles.some((s) => style.includes(s));
}

// What a client's container means for the reply (quote-table.ts, CLIENT_ROWS). 'quote' holds the quoted message
// (Gmail, Apple Mail, Thunderbird, Yahoo, Zoho); 'cut' starts it and everything after it is the original (Outlook);
// 'skip' is a signature or a quote caption that is dropped on its own.
function roleOf(el: Element): Role {
  const id = (el.attribs.id ?? '').toLowerCase();
  const classes = classesOf(el);
  const style = compactStyle(el);
  if (/(?:^|;)display:none/.test(style)) return 'skip';
  if (matches(QUOTE, el, id, classes, style)) return 'quote';
  if (matches(CUT, el, id, classes, style)) return 'cut';
  if (matches(SKIP, el, id, classes, style)) return 'skip';
  return null;
}

class TextOutput {
  private readonly lines: string[] = [];
  private line = '';
  // A list bullet waiting for its text: a block opening inside the item must not flush it alone.
  private pendingPrefix: string | null = null;
  // A block holding only &nbsp; is how Outlook and others write an empty line.
  private spacer = false;
  pre = 0;

  text(data: string): void {
    if (this.pre > 0) {
      const parts = data.split(/\r?\n/);
      this.line += parts[0] ?? '';
      for (const part of parts.slice(1)) {
        this.lineBreak();
        this.line = part;
      }
      return;
    }
    const collapsed = data.replace(/\s+/g, ' ');
    if (collapsed.trim() !== '') this.pendingPrefix = null;
    else if (data.includes('\u00a0')) this.spacer = true;
    this.line += this.line === '' || /[ \t]$/.test(this.line) ? collapsed.trimStart() : collapsed;
  }

  lineBreak(): void {
    this.spacer = false;
    this.lines.push(this.line.trimEnd());
    this.line = '';
  }

  /** Ends the current line (if it has text) and, when asked, leaves one blank line. */
  block(blankLine: boolean): void {
    if (this.pendingPrefix !== null && this.line === this.pendingPrefix) return;
    const spacer = this.spacer && this.line.trim() === '';
    this.spacer = false;
    if (this.line.trim() !== '') this.lineBreak();
    else this.line = '';
    const last = this.lines[this.lines.length - 1];
    if ((blankLine || spacer) && last !== undefined && last !== '') this.lines.push('');
  }

  startCell(): void {
    if (this.line.trim() !== '') this.line = `${this.line.trimEnd()}\t`;
  }

  startItem(prefix: string): void {
    this.pendingPrefix = null;
    this.block(false);
    this.line = prefix;
    this.pendingPrefix = prefix;
  }

  quoteMarker(): void {
    this.block(false);
    this.lines.push(QUOTE_MARKER);
  }

  /** The last line holding text, where a reply header would sit just before a quote. */
  lastTextLine(): string {
    if (this.line.trim() !== '') return this.line;
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const l = this.lines[i] ?? '';
      if (l.trim() !== '') return l;
    }
    return '';
  }

  toString(): string {
    return [...this.lines, this.line.trimEnd()].join('\n');
  }
}

interface ListState {
  ordered: boolean;
  count: number;
}

type Frame = { node: AnyNode; exit: false } | { node: Element; exit: true };

function previousElement(el: Element): Element | null {
  let node = el.prev;
  while (node && !isTag(node)) node = node.prev;
  return node && isTag(node) ? node : null;
}

// Paragraphs get a blank line between them, except Outlook's MsoNormal ones, whose margin is zero
// and which carry their spacing as empty paragraphs instead.
function wantsBlankBefore(el: Element): boolean {
  const prev = previousElement(el);
  return prev !== null && prev.name.toLowerCase() === 'p' && !classesOf(el).has('msonormal');
}

/**
 * Renders HTML mail as text: block elements end lines, `<p>` paragraphs are spaced, lists get `- `/`1. `,
 * table rows become tab-separated lines, links keep their text; client quote containers become a `>`
 * line, everything after an Outlook original-message marker is dropped, and signature containers go.
 */
export function htmlToReplyText(html: string): string {
  return renderReplyText(parseDocument(html), null);
}

/** Where the quoted history of a document starts: its client quote containers, and the Outlook cut (if any). */
export interface QuotedParts {
  readonly quotes: Element[];
  cut: Element | null;
}

/** The text walk of {@link htmlToReplyText}; when `found` is given, it collects the containers it treats as quoted. */
export function renderReplyText(doc: ParentNode, found: QuotedParts | null): string {
  const out = new TextOutput();
  const lists: ListState[] = [];
  const stack: Frame[] = doc.children.map((node) => ({ node, exit: false as const })).reverse();

  while (stack.length > 0) {
    const frame = stack.pop();
    if (!frame) break;
    if (frame.exit) {
      const name = frame.node.name.toLowerCase();
      if (name === 'pre') out.pre--;
      if (name === 'ul' || name === 'ol') lists.pop();
      if (BLOCKS.has(name)) out.block(false);
      continue;
    }
    const node = frame.node;
    if (isText(node)) {
      out.text(node.data);
      continue;
    }
    if (!isTag(node)) continue;
    const name = node.name.toLowerCase();
    if (SKIPPED.has(name)) continue;
    const role = roleOf(node);
    if (role === 'cut') {
      if (found) found.cut = node;
      break;
    }
    if (role === 'skip') continue;
    if (role === 'quote' || (name === 'blockquote' && isAttributionText(out.lastTextLine()))) {
      found?.quotes.push(node);
      out.quoteMarker();
      continue;
    }

    if (name === 'br') out.lineBreak();
    else if (name === 'p') out.block(wantsBlankBefore(node));
    else if (name === 'li') {
      const list = lists[lists.length - 1];
      const indent = '  '.repeat(Math.max(0, lists.length - 1));
      if (list) list.count++;
      out.startItem(list?.ordered ? `${indent}${list.count}. ` : `${indent}- `);
    } else if (name === 'td' || name === 'th') out.startCell();
    else if (name === 'hr') out.block(true);
    else if (BLOCKS.has(name)) out.block(false);

    if (name === 'ul' || name === 'ol') lists.push({ ordered: name === 'ol', count: 0 });
    if (name === 'pre') out.pre++;
    stack.push({ node, exit: true });
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i];
      if (child) stack.push({ node: child, exit: false });
    }
  }
  return out
    .toString()
    .replace(/[\u200b-\u200f\u2060\ufeff]/g, '')
    .replace(/\u00a0/g, ' ');
}
