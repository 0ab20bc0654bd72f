// web: the srcdoc that shows untrusted email HTML (or Markdown preview) in a sandboxed frame under a strict CSP
import { QUOTED_HTML_ATTRIBUTE } from '../../../functions/contracts';

/**
 * Remote images stay blocked until the agent asks: a tracking pixel must not fire just because a
 * ticket was opened. data: images are local and always allowed, and so are the exact URLs of the mail's own stored
 * parts (`partUrls`, the short-lived links `cid:` images were pointed at): they come from the desk's bucket, not the sender.
 */
export function emailCsp(remoteImages: boolean, partUrls: readonly string[] = []): string {
  const parts = partUrls.map(cspSource).filter((source): source is string => source !== null);
  const images = remoteImages ? ['data:', 'cid:', 'https:', 'http:'] : ['data:', 'cid:', ...parts];
  return `default-src 'none'; img-src ${images.join(' ')}; style-src 'unsafe-inline'`;
}

/** A URL as a CSP source that allows exactly its path (CSP ignores the query); null for anything that could break out. */
function cspSource(url: string): string | null {
  const bare = url.split(/[?#]/)[0]!;
  return /^https?:\/\/[A-Za-z0-9.\-:[\]]+\/[A-Za-z0-9%\-._~/]*$/.test(bare) ? bare : null;
}

const QUOTE_ATTRIBUTE = QUOTED_HTML_ATTRIBUTE;

/** The frame's styles, with `root` as the body: the frame's `body`, or the element the dashboard measures it in. */
export function frameStyle(root: string, options: { hideQuoted: boolean }): string {
  return [
    'html{color-scheme:light}',
    `${root}{margin:0;padding:12px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff;overflow-wrap:anywhere}`,
    `${root}>:first-child{margin-top:0}`,
    // Margins of the last element would fall outside the measured box.
    `${root}>:last-child{margin-bottom:0}`,
    ...FRAME_STYLE,
    ...(options.hideQuoted ? [`[${QUOTE_ATTRIBUTE}]{display:none!important}`] : []),
  ].join('');
}

const FRAME_STYLE = [
  'img{max-width:100%;height:auto}',
  'pre{white-space:pre-wrap}',
  'code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:90%;background:#f6f8fa;padding:1px 4px;border-radius:4px}',
  'blockquote{margin:0 0 0 4px;padding-left:12px;border-left:3px solid #d0d7de;color:#57606a}',
  'table{max-width:100%}',
  'a{color:#0a58ca}',
];

/**
 * Wraps body HTML in a document whose first element is the CSP, so nothing in the body can load
 * before the policy applies. Pair it with `sandbox=""` (no scripts, opaque origin).
 */
export function frameDocument(
  bodyHtml: string,
  options: { remoteImages: boolean; partUrls?: readonly string[]; hideQuoted?: boolean },
): string {
  return [
    '<!doctype html><html><head>',
    `<meta http-equiv="Content-Security-Policy" content="${emailCsp(options.remoteImages, options.partUrls)}">`,
    '<meta charset="utf-8"><meta name="referrer" content="no-referrer">',
    `<style>${frameStyle('body', { hideQuoted: options.hideQuoted ?? false })}</style>`,
    '</head><body>',
    bodyHtml,
    '</body></html>',
  ].join('');
}

/** Elements that could load, navigate or run something; the server's sanitiser removes them too. */
const ACTIVE = 'script,style,link,meta,base,iframe,frame,frameset,object,embed,applet,form,svg,math,template,noscript';

/** Body HTML made inert, and how many images would load from the network once allowed. */
export interface InertHtml {
  readonly html: string;
  readonly remoteImages: number;
  /** The stored parts' URLs that `cid:` images now point at (allowed by the frame's CSP). */
  readonly partUrls: readonly string[];
  /** True when the API marked quoted history in it, which the frame can hide. */
  readonly quoted: boolean;
}

/** The Content-IDs a message's HTML shows as `cid:` images, lowercased as ingest compares them. */
export function referencedCids(html: string): string[] {
  const cids = new Set<string>();
  for (const match of html.matchAll(/cid:([^"'\s>)]{1,500})/gi)) cids.add(cidKey(match[1]!));
  return [...cids];
}

/** A Content-ID as written in a `cid:` URL or a part's header, in the one form they are compared in. */
export function cidKey(raw: string): string {
  try {
    return decodeURIComponent(raw).replace(/^<|>$/g, '').toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/**
 * Defence in depth beside the server's sanitiser: parses the HTML inertly (DOMParser documents run no
 * scripts and load nothing) and drops active elements, event handlers and script URLs.
 */
export function inertBodyHtml(html: string, parts: ReadonlyMap<string, string> = new Map()): InertHtml {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  for (const element of Array.from(doc.querySelectorAll(ACTIVE))) element.remove();
  for (const element of Array.from(doc.body.querySelectorAll('*'))) {
    for (const attribute of Array.from(element.attributes)) {
      const name = attribute.name.toLowerCase();
      const scriptUrl = /^\s*(?:javascript|vbscript|data:text\/html)/i.test(attribute.value);
      if (name.startsWith('on') || name === 'formaction' || (scriptUrl && name !== 'alt' && name !== 'title')) {
        element.removeAttribute(attribute.name);
      }
    }
  }
  // Pasted screenshots: `cid:` sources point at the stored part (resolved by the caller), never at anything remote.
  const partUrls: string[] = [];
  for (const img of Array.from(doc.body.querySelectorAll('img[src]'))) {
    const src = img.getAttribute('src') ?? '';
    const url = /^\s*cid:/i.test(src) ? parts.get(cidKey(src.trim().slice(4))) : undefined;
    if (url) {
      img.setAttribute('src', url);
      partUrls.push(url);
    }
  }
  const remoteImages = Array.from(doc.body.querySelectorAll('img[src]')).filter((img) => {
    const src = img.getAttribute('src') ?? '';
    return /^\s*(?:https?:)?\/\//i.test(src) && !partUrls.includes(src);
  }).length;
  return { html: doc.body.innerHTML, remoteImages, partUrls, quoted: doc.body.querySelector(`[${QUOTE_ATTRIBUTE}]`) !== null };
}

/** What agents' Markdown renders to; anything else becomes its text. */
const MARKDOWN_TAGS = new Set(
  'p br strong em del a ul ol li blockquote code pre hr h1 h2 h3 h4 h5 h6 table thead tbody tr th td'.split(' '),
);
const MARKDOWN_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  a: ['href', 'title'],
  ol: ['start'],
  th: ['align'],
  td: ['align'],
};

/**
 * Rendered Markdown made safe to place in the page itself: only the tags Markdown produces (others, raw HTML an agent
 * typed included, become their text), only their plain attributes, links only to http(s) and mailto and opening
 * elsewhere. No images and no styles, so nothing loads. Parsed inertly with DOMParser.
 */
export function safeMarkdownHtml(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const clean = (element: Element): void => {
    for (const child of Array.from(element.children)) {
      const name = child.tagName.toLowerCase();
      if (!MARKDOWN_TAGS.has(name)) {
        child.replaceWith(doc.createTextNode(ACTIVE.split(',').includes(name) ? '' : (child.textContent ?? '')));
        continue;
      }
      const allowed = MARKDOWN_ATTRIBUTES[name] ?? [];
      for (const attribute of Array.from(child.attributes))
        if (!allowed.includes(attribute.name.toLowerCase())) child.removeAttribute(attribute.name);
      if (name === 'a') {
        const href = child.getAttribute('href') ?? '';
        if (!/^(?:https?:|mailto:)/i.test(href.trim())) child.removeAttribute('href');
        child.setAttribute('target', '_blank');
        child.setAttribute('rel', 'noopener noreferrer');
      }
      clean(child);
    }
  };
  clean(doc.body);
  return doc.body.innerHTML;
}

/**
 * The frame's body as the dashboard lays it out to measure it (the sandboxed frame runs no script and cannot say its
 * height): the same HTML with only the images the frame will load. Parsed inertly; the result is inert HTML too.
 */
export function measurableHtml(inertHtml: string, loads: (src: string) => boolean): string {
  const doc = new DOMParser().parseFromString(inertHtml, 'text/html');
  // The copy lives under the dashboard's own policy, not the frame's: nothing else in it may load (the server's
  // sanitiser already allows no such attribute or style; this holds even if it someday did).
  for (const element of Array.from(doc.body.querySelectorAll('[background], [poster], [style*="url" i]'))) {
    element.removeAttribute('background');
    element.removeAttribute('poster');
    if (/url\s*\(/i.test(element.getAttribute('style') ?? '')) element.removeAttribute('style');
  }
  for (const img of Array.from(doc.body.querySelectorAll('img'))) {
    img.removeAttribute('srcset');
    img.setAttribute('referrerpolicy', 'no-referrer');
    if (!loads(img.getAttribute('src') ?? '')) img.removeAttribute('src');
  }
  return doc.body.innerHTML;
}
