// web: Markdown preview of a reply, rendered by marked (loaded on first use) into a sandboxed frame
import { useEffect, useState } from 'preact/hooks';
import { frameDocument } from '../lib/email-frame';

/**
 * Shows `markdown` as the customer will roughly see it. The HTML goes into a `sandbox=""` frame under
 * a no-remote CSP, so pasted markup cannot run or load anything; no sanitiser needed.
 */
export function MarkdownPreview({ markdown }: { markdown: string }) {
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
