// web: Markdown (a reply's preview, agents' answers and notes in the thread), rendered by marked (loaded on first use)
import { useEffect, useState } from 'preact/hooks';
import { frameDocument, safeMarkdownHtml } from '../lib/email-frame';

/** Markdown as HTML, the way the reply box's preview and outgoing mail render it; null until marked has loaded. */
function useMarkdown(markdown: string): string | null {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void import('marked').then(({ marked }) => {
      const rendered = marked.parse(markdown, { async: false, gfm: true, breaks: true });
      if (live) setHtml(rendered);
    });
    return () => {
      live = false;
    };
  }, [markdown]);
  return html;
}

/**
 * An agent's answer or note in the thread, rendered from its Markdown into the page (so its text is found, read and
 * selected like the rest), through `safeMarkdownHtml`: only Markdown's own tags, no raw HTML, images or styles.
 */
export function MarkdownBody({ markdown }: { markdown: string }) {
  const html = useMarkdown(markdown);
  if (html === null) return <div class="plain">{markdown}</div>;
  return <div class="markdown-body" dangerouslySetInnerHTML={{ __html: safeMarkdownHtml(html) }} />;
}

/**
 * Shows `markdown` as the customer will roughly see it. The HTML goes into a `sandbox=""` frame under
 * a no-remote CSP, so pasted markup cannot run or load anything; no sanitiser needed.
 */
export function MarkdownPreview({ markdown }: { markdown: string }) {
  const html = useMarkdown(markdown);
  if (html === null) return <p class="loading">Rendering…</p>;
  return (
    <iframe
      class="preview-frame"
      title="Preview of the message"
      sandbox=""
      srcdoc={frameDocument(html || '<p><em>Nothing to preview.</em></p>', { remoteImages: false })}
    />
  );
}
