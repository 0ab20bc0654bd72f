// web: one message body: sanitised HTML in a sandboxed, CSP-locked frame (remote images on request) or plain text
import { useMemo, useState } from 'preact/hooks';
import { frameDocument, inertBodyHtml } from '../lib/email-frame';

export interface EmailBodyProps {
  /** Server-sanitised HTML, or null for plain-text mail. */
  readonly html: string | null;
  /** The full plain text. */
  readonly text: string;
  /** The new text only (quotes and signature removed); shown first when shorter. */
  readonly reply: string;
  readonly label: string;
}

/** Estimated frame height: the frame runs no script and has an opaque origin, so it cannot be measured. */
function frameHeight(text: string): string {
  const lines = text.split('\n').reduce((sum, line) => sum + 1 + Math.floor(line.length / 90), 0);
  return `${Math.min(36, Math.max(6, lines * 1.5 + 2))}rem`;
}

/** A message body with its HTML / plain-text toggle and the remote-images switch. */
export function EmailBody({ html, text, reply, label }: EmailBodyProps) {
  const [mode, setMode] = useState<'html' | 'text'>(html ? 'html' : 'text');
  const [remoteImages, setRemoteImages] = useState(false);
  const [fullText, setFullText] = useState(false);
  const inert = useMemo(() => (html ? inertBodyHtml(html) : null), [html]);
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
          srcdoc={frameDocument(inert.html, { remoteImages })}
          style={{ height: frameHeight(text) }}
        />
      ) : (
        <div class="plain">{trimmed && !fullText ? reply : text}</div>
      )}
    </div>
  );
}
