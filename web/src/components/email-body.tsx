// web: one message body: sanitised HTML in a sandboxed, CSP-locked frame (remote images on request) or plain text
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { StoredAttachment } from '../api/types';
import { cidKey, frameDocument, frameStyle, inertBodyHtml, measurableHtml, referencedCids } from '../lib/email-frame';

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

/** A first guess of the frame's height, until the measurement is in (the frame itself cannot be measured). */
function estimatedHeight(text: string): string {
  const lines = text.split('\n').reduce((sum, line) => sum + 1 + Math.floor(line.length / 90), 0);
  return `${Math.min(36, Math.max(4, lines * 1.5 + 2))}rem`;
}

/** A message body with its HTML / plain-text toggle and the remote-images switch. */
export function EmailBody({ html, text, reply, label, parts = [], partUrl }: EmailBodyProps) {
  const [mode, setMode] = useState<'html' | 'text'>(html ? 'html' : 'text');
  const [remoteImages, setRemoteImages] = useState(false);
  // One switch for both views: the quoted history stays folded until the agent asks, in HTML as in plain text.
  const [showQuoted, setShowQuoted] = useState(false);
  const partUrls = useInlineParts(html, parts, partUrl);
  const inert = useMemo(() => (html ? inertBodyHtml(html, partUrls) : null), [html, partUrls]);
  const trimmed = reply.trim() !== '' && reply.trim() !== text.trim();
  const foldable = inert && mode === 'html' ? inert.quoted : trimmed;
  const hideQuoted = foldable && !showQuoted;
  const measured = useMemo(
    () =>
      inert && mode === 'html'
        ? measurableHtml(
            inert.html,
            (src) => src.startsWith('data:') || inert.partUrls.includes(src) || (remoteImages && /^https?:/i.test(src)),
          )
        : null,
    [inert, mode, remoteImages],
  );
  const { frame, host, height } = useContentHeight(measured, hideQuoted);

  return (
    <div class="email-body">
      {(inert || foldable) && (
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
          {foldable && (
            <button type="button" class="small" aria-pressed={showQuoted} onClick={() => setShowQuoted(!showQuoted)}>
              {showQuoted ? 'Hide quoted text' : 'Show quoted text'}
            </button>
          )}
        </div>
      )}
      {inert && mode === 'html' ? (
        <>
          <iframe
            ref={frame}
            class="email-frame"
            title={label}
            sandbox=""
            referrerpolicy="no-referrer"
            srcdoc={frameDocument(inert.html, { remoteImages, partUrls: inert.partUrls, hideQuoted })}
            style={{ height: height === null ? estimatedHeight(hideQuoted ? reply : text) : `${height}px` }}
          />
          <div ref={host} class="email-frame-measure" aria-hidden="true" inert />
        </>
      ) : (
        <div class="plain">{hideQuoted ? reply : text}</div>
      )}
    </div>
  );
}

/**
 * The height the frame needs for its content. The sandboxed frame has an opaque origin and runs no script, so the
 * same body is laid out beside it, hidden, in a shadow root with the frame's styles and width, and measured; it is
 * measured again when its images load or the frame's width changes. The measured copy is the inert HTML, with only
 * the images the frame itself loads; it cannot paint outside its box.
 */
function useContentHeight(bodyHtml: string | null, hideQuoted: boolean) {
  const frame = useRef<HTMLIFrameElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const [height, setHeight] = useState<number | null>(null);
  useLayoutEffect(() => {
    const box = host.current;
    const iframe = frame.current;
    if (!bodyHtml || !box || !iframe) return;
    const root = box.shadowRoot ?? box.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${frameStyle('.frame-body', { hideQuoted })}.frame-body{display:block;box-sizing:border-box}</style><div class="frame-body">${bodyHtml}</div>`;
    const body = root.querySelector<HTMLElement>('.frame-body')!;
    const measure = (): void => {
      body.style.width = `${iframe.clientWidth}px`;
      const borders = iframe.offsetHeight - iframe.clientHeight;
      setHeight(Math.ceil(body.getBoundingClientRect().height) + borders);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(body);
    observer.observe(iframe);
    return () => observer.disconnect();
  }, [bodyHtml, hideQuoted]);
  return { frame, host, height };
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
