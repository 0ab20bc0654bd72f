// web: the srcdoc that shows untrusted email HTML (or Markdown preview) in a sandboxed frame under a strict CSP

/**
 * Remote images stay blocked until the agent asks: a tracking pixel must not fire just because a
 * ticket was opened. `cid:` parts and data: images are local and always allowed.
 */
export function emailCsp(remoteImages: boolean): string {
  const images = remoteImages ? 'data: cid: https: http:' : 'data: cid:';
  return `default-src 'none'; img-src ${images}; style-src 'unsafe-inline'`;
}

const FRAME_STYLE = [
  'html{color-scheme:light}',
  'body{margin:0;padding:12px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff;overflow-wrap:anywhere}',
  'img{max-width:100%;height:auto}',
  'pre{white-space:pre-wrap}',
  'blockquote{margin:0 0 0 4px;padding-left:12px;border-left:3px solid #d0d7de;color:#57606a}',
  'table{max-width:100%}',
  'a{color:#0a58ca}',
].join('');

/**
 * Wraps body HTML in a document whose first element is the CSP, so nothing in the body can load
 * before the policy applies. Pair it with `sandbox=""` (no scripts, opaque origin).
 */
export function frameDocument(bodyHtml: string, options: { remoteImages: boolean }): string {
  return [
    '<!doctype html><html><head>',
    `<meta http-equiv="Content-Security-Policy" content="${emailCsp(options.remoteImages)}">`,
    '<meta charset="utf-8"><meta name="referrer" content="no-referrer">',
    `<style>${FRAME_STYLE}</style>`,
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
}

/**
 * Defence in depth beside the server's sanitiser: parses the HTML inertly (DOMParser documents run no
 * scripts and load nothing) and drops active elements, event handlers and script URLs.
 */
export function inertBodyHtml(html: string): InertHtml {
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
  const remoteImages = Array.from(doc.body.querySelectorAll('img[src]')).filter((img) =>
    /^\s*(?:https?:)?\/\//i.test(img.getAttribute('src') ?? ''),
  ).length;
  return { html: doc.body.innerHTML, remoteImages };
}
