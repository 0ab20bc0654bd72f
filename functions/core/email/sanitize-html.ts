// core: inbound HTML made safe to show: formatting, tables, images and plain links only
import sanitizeHtml from 'sanitize-html';

/** htmlparser2 (under sanitize-html) is quadratic in nesting depth; deeper markup is shown as text. */
const MAX_NESTING_DEPTH = 1000;
const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** Closed implicitly by their next sibling, so a long unclosed run of them does not nest. */
const IMPLIED_END_TAGS = new Set(['p', 'li', 'dt', 'dd', 'option', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot']);
const SAFE_DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|bmp);/i;

const COLOR = [
  /^#[0-9a-f]{3,8}$/i,
  /^[a-z]{3,20}$/i,
  /^rgba?\(\s*[\d.%]{1,5}\s*,\s*[\d.%]{1,5}\s*,\s*[\d.%]{1,5}\s*(?:,\s*[\d.]{1,5}\s*)?\)$/i,
];
const LENGTH = [/^\d{1,4}(?:\.\d{1,2})?(?:px|pt|em|rem|%)?$/];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'a',
    'abbr',
    'address',
    'b',
    'big',
    'blockquote',
    'br',
    'caption',
    'center',
    'cite',
    'code',
    'col',
    'colgroup',
    'dd',
    'del',
    'div',
    'dl',
    'dt',
    'em',
    'font',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'i',
    'img',
    'ins',
    'kbd',
    'li',
    'mark',
    'ol',
    'p',
    'pre',
    'q',
    's',
    'small',
    'span',
    'strike',
    'strong',
    'sub',
    'sup',
    'table',
    'tbody',
    'td',
    'tfoot',
    'th',
    'thead',
    'tr',
    'tt',
    'u',
    'ul',
  ],
  allowedAttributes: {
    a: ['href', 'name', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    font: ['color', 'face', 'size'],
    table: ['border', 'cellpadding', 'cellspacing', 'width', 'align', 'bgcolor'],
    td: ['colspan', 'rowspan', 'align', 'valign', 'width', 'height', 'bgcolor'],
    th: ['colspan', 'rowspan', 'align', 'valign', 'width', 'height', 'bgcolor'],
    ol: ['start', 'type'],
    '*': ['align', 'dir', 'lang', 'title', 'class', 'style'],
  },
  // A tiny subset of CSS: values are matched whole, so `expression(...)` and `url(...)` never pass.
  allowedStyles: {
    '*': {
      color: COLOR,
      'background-color': COLOR,
      'font-weight': [/^(?:normal|bold|bolder|lighter|[1-9]00)$/],
      'font-style': [/^(?:normal|italic|oblique)$/],
      'text-decoration': [/^(?:none|underline|line-through|overline)$/],
      'text-align': [/^(?:left|right|center|justify)$/],
      'font-size': LENGTH,
    },
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data', 'cid'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'svg', 'math', 'iframe', 'object', 'xml'],
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer' } }),
    img: (tagName, attribs) => {
      const { src, ...rest } = attribs;
      // data: is only for raster images; anything else (HTML, SVG) loses its src.
      const keep = src !== undefined && (!/^\s*data:/i.test(src) || SAFE_DATA_IMAGE.test(src.trim()));
      return { tagName, attribs: keep ? { ...rest, src } : rest };
    },
  },
};

/** True when the markup nests deeper than htmlparser2-based tools can afford (one linear pass). */
export function nestingDepthExceeds(html: string, limit = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  for (const match of html.matchAll(/<(\/?)([A-Za-z][A-Za-z0-9-]{0,30})/g)) {
    const name = (match[2] ?? '').toLowerCase();
    if (VOID_TAGS.has(name) || IMPLIED_END_TAGS.has(name)) continue;
    depth += match[1] ? -1 : 1;
    if (depth < 0) depth = 0;
    if (depth > limit) return true;
  }
  return false;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Sanitises inbound email HTML for the dashboard: no scripts, styles, event handlers, frames,
 * forms, SVG or `javascript:` URLs; links keep http/https/mailto; images keep http(s), `cid:`
 * and raster `data:` sources (the dashboard blocks remote images itself).
 * @example sanitizeEmailHtml('<p onclick="x()">Hi<script>alert(1)</script></p>') // '<p>Hi</p>'
 */
export function sanitizeEmailHtml(html: string): string {
  if (nestingDepthExceeds(html, MAX_NESTING_DEPTH)) {
    const text = html.replace(/<[^<>]{0,2000}>/g, ' ');
    return `<pre>${escapeHtml(text)}</pre>`;
  }
  return sanitizeHtml(html, OPTIONS);
}
