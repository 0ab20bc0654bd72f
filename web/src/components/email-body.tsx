// web: one message body: sanitised HTML in a sandboxed, CSP-locked frame (remote images on request) or plain text
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { StoredAttachment } from '../api/types';
import { cidKey, frameDocument, inertBodyHtml, referencedCids } from '../lib/email-frame';

export interface EmailBodyProps {
  /** Server-sanitised HTML, or null for plain-text mail. */
  readonly html: string | null;
  /** The full plain text. */
  readonly text: string;
  /** The new text only (quotes and signature removed); shown first when shorter. */
  readonly reply: string;
  readonly label: string;
  /** The message's stored parts: `cid:` images are shown from them. */
  readonly parts?: readonly StoredAttachment[];
  /** A short-lived URL of a stored part (the API's download link). */
  readonly partUrl?: (part: StoredAttachment) => Promise<string>;
}

/** Estimated frame height: the frame runs no script and has an opaque origin, so it cannot be measured. */
function frameHeight(text: string): string {
  const lines = text.split('\n').reduce((sum, line) => sum + 1 + Math.floor(line.length / 90), 0);
  return `${Math.min(36, Math.max(6, lines * 1.5 + 2))}rem`;
}

/** A message body with its HTML / plain-text toggle and the remote-images switch. */
export function EmailBody({ html, text, reply, label, parts = [], partUrl }: EmailBodyProps) {
  const [mode, setMode] = useState<'html' | 'text'>(html ? 'html' : 'text');
  const [remoteImages, setRemoteImages] = useState(false);
  const [fullText, setFullText] = useState(false);
  const partUrls = useInlineParts(html, parts, partUrl);
  const inert = useMemo(() => (html ? inertBodyHtml(html, partUrls) : null), [html, partUrls]);
  const trimmed = reply.trim() !== '' && reply.trim() !== text.trim();

  return (
    <div class="email-body">
      {(inert || trimmed) && (
        <div class="body-tools">
          {inert && (
            <button type="button" class="small" aria-pressed={mode === 'text'} onClick={() => setMode(mode === 'html' ? 'text' : 'html')}>
              {mode === 'html' ? 'Plain text' : 'Formatted'}
            </button>
          )}
          {inert && mode === 'html' && inert.remoteImages > 0 && !remoteImages && (
            <button type="button" class="small" onClick={() => setRemoteImages(true)}>
              Load remote images ({inert.remoteImages})
            </button>
          )}
          {mode === 'text' && trimmed && (
            <button type="button" class="small" aria-pressed={fullText} onClick={() => setFullText(!fullText)}>
              {fullText ? 'Hide quoted text' : 'Show quoted text'}
            </button>
          )}
        </div>
      )}
      {inert && mode === 'html' ? (
        <iframe
          class="email-frame"
          title={label}
          sandbox=""
          referrerpolicy="no-referrer"
          srcdoc={frameDocument(inert.html, { remoteImages, partUrls: inert.partUrls })}
          style={{ height: frameHeight(text) }}
        />
      ) : (
        <div class="plain">{trimmed && !fullText ? reply : text}</div>
      )}
    </div>
  );
}

/** What `cid:` references of the HTML point at: Content-ID → URL of the stored part (never a quarantined one). */
function useInlineParts(
  html: string | null,
  parts: readonly StoredAttachment[],
  partUrl: ((part: StoredAttachment) => Promise<string>) | undefined,
): ReadonlyMap<string, string> {
  const [urls, setUrls] = useState<ReadonlyMap<string, string>>(NO_PARTS);
  const wanted = useMemo(() => {
    if (!html || !partUrl) return [];
    const cids = new Set(referencedCids(html));
    return parts.filter((p) => p.cid !== null && p.quarantined !== true && cids.has(cidKey(p.cid)));
  }, [html, parts, partUrl]);
  const wantedKeys = wanted.map((p) => p.key).join('\n');
  useEffect(() => {
    if (wanted.length === 0 || !partUrl) return;
    let live = true;
    void Promise.all(wanted.map((p) => partUrl(p).then((url): [string, string] => [cidKey(p.cid!), url]))).then(
      (entries) => {
        if (live) setUrls(new Map(entries));
      },
      // An image that cannot be linked stays broken, as before; the attachment list still offers the file.
      () => undefined,
    );
    return () => {
      live = false;
    };
    // The keys say everything: a refreshed ticket with the same parts must not ask for new links.
  }, [wantedKeys]);
  return urls;
}

const NO_PARTS: ReadonlyMap<string, string> = new Map();
