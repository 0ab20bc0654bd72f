// web: the reply / note composer: Markdown with preview, Note toggle, saved replies, file uploads straight to S3
import type { Ref } from 'preact';
import { useState } from 'preact/hooks';
import type { SavedReply, Ticket, UploadedFile } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { fileSize } from '../lib/format';
import { MarkdownPreview } from './markdown-preview';
import { SavedReplyMenu, useSavedReplies } from './saved-reply-menu';
import { savedReplyActions, savedReplyActs, savedReplyPatch } from '../lib/saved-replies';

export interface ReplyBoxProps {
  readonly ticketId: string;
  /** The ticket a saved reply's placeholders and actions apply to. */
  readonly ticket: Pick<Ticket, 'number' | 'subject' | 'requester' | 'labels' | 'deskId'>;
  readonly internal: boolean;
  readonly onInternalChange: (internal: boolean) => void;
  readonly textareaRef: Ref<HTMLTextAreaElement>;
  /** Called after the message was stored. */
  readonly onSent: () => void;
}

interface PendingUpload {
  readonly name: string;
  /** The file picked, kept so a failed upload can be retried. */
  readonly source: File;
  readonly file: UploadedFile | null;
  readonly error: string | null;
}

/** Writes a reply (emailed to the participants) or an internal note (never emailed). */
export function ReplyBox({ ticketId, ticket, internal, onInternalChange, textareaRef, onSent }: ReplyBoxProps) {
  const { api, announce } = useApp();
  const [body, setBody] = useState('');
  const saved = useSavedReplies(ticket);
  /** The saved reply whose actions (status, labels, assignee) go with this message. */
  const [macro, setMacro] = useState<SavedReply | null>(null);
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  const [uploads, setUploads] = useState<PendingUpload[]>([]);
  const [sending, setSending] = useState(false);
  const uploading = uploads.some((u) => u.file === null && u.error === null);
  // An answer must never go out silently without a file the agent attached: a failed upload blocks sending.
  const failed = uploads.filter((u) => u.error !== null);

  const upload = async (file: File): Promise<void> => {
    const contentType = file.type || 'application/octet-stream';
    const update = (next: PendingUpload): void => setUploads((list) => list.map((u) => (u.name === file.name ? next : u)));
    setUploads((list) => [...list.filter((u) => u.name !== file.name), { name: file.name, source: file, file: null, error: null }]);
    try {
      const { key, url } = await api.createUpload({ filename: file.name, contentType, size: file.size });
      let put: Response;
      try {
        put = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body: file });
      } catch {
        // The browser hides why (CORS, network): say what the agent can act on.
        throw new Error('the file store could not be reached');
      }
      if (!put.ok) throw new Error(`the file store refused it (HTTP ${put.status})`);
      update({ name: file.name, source: file, file: { key, filename: file.name, contentType, size: file.size }, error: null });
    } catch (failure) {
      update({ name: file.name, source: file, file: null, error: errorMessage(failure) });
    }
  };

  const onFiles = (event: Event): void => {
    const input = event.currentTarget as HTMLInputElement;
    for (const file of Array.from(input.files ?? [])) void upload(file);
    input.value = '';
  };

  const send = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!body.trim() || uploading || failed.length > 0) return;
    setSending(true);
    try {
      const attachments = uploads.flatMap((u) => (u.file ? [u.file] : []));
      await api.postMessage(ticketId, {
        body,
        internal,
        ...(attachments.length ? { attachments } : {}),
        ...(macro?.status ? { status: macro.status } : {}),
      });
      const patch = macro ? savedReplyPatch(macro, ticket) : null;
      if (patch) await api.patchTicket(ticketId, patch);
      setMacro(null);
      setBody('');
      setUploads([]);
      setTab('write');
      announce(internal ? 'Note added.' : 'Reply sent to the participants.');
      onSent();
    } catch (failure) {
      announce(errorMessage(failure), 'error');
    } finally {
      setSending(false);
    }
  };

  return (
    <form
      class={`reply-box ${internal ? 'is-note' : ''}`}
      onSubmit={(event) => void send(event)}
      aria-label={internal ? 'Internal note' : 'Reply'}
    >
      <div class="composer-bar">
        <div class="tabs" role="group" aria-label="Editor mode">
          <button type="button" class="small" aria-pressed={tab === 'write'} onClick={() => setTab('write')}>
            Write
          </button>
          <button type="button" class="small" aria-pressed={tab === 'preview'} onClick={() => setTab('preview')}>
            Preview
          </button>
        </div>
        <label class="toggle">
          <input type="checkbox" checked={internal} onChange={(event) => onInternalChange(event.currentTarget.checked)} />
          Internal note (not emailed)
        </label>
      </div>
      <label for="reply-body" class="visually-hidden">
        {internal ? 'Note text (Markdown)' : 'Reply text (Markdown)'}
      </label>
      {tab === 'write' ? (
        <textarea
          id="reply-body"
          ref={textareaRef}
          rows={7}
          placeholder={internal ? 'Write a note for the team (Markdown)…' : 'Write a reply to the customer (Markdown)…'}
          value={body}
          onInput={(event) => {
            setBody(event.currentTarget.value);
            saved.onTyped(event.currentTarget);
          }}
          onKeyDown={(event) => {
            if (saved.onKey(event)) return;
            // Ctrl/Cmd+Enter sends, as in most mail and chat tools.
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void send(event);
          }}
        />
      ) : (
        <MarkdownPreview markdown={body} />
      )}
      <SavedReplyMenu
        state={saved}
        onPick={(reply, text) => {
          setBody(text);
          setMacro(savedReplyActs(reply) ? reply : null);
        }}
        body={body}
      />
      {macro && (
        <p class="macro" role="status">
          Sending will also {savedReplyActions(macro).join(', ')}.{' '}
          <button type="button" class="small" onClick={() => setMacro(null)}>
            Don’t
          </button>
        </p>
      )}
      {uploads.length > 0 && (
        <ul class="uploads" aria-label="Files to attach">
          {uploads.map((u) => (
            <li key={u.name}>
              {u.name}{' '}
              {u.file ? (
                <span class="muted">({fileSize(u.file.size)})</span>
              ) : u.error ? (
                <>
                  <span class="error">upload failed: {u.error}</span>{' '}
                  <button type="button" class="small" onClick={() => void upload(u.source)}>
                    Retry
                  </button>
                </>
              ) : (
                <span class="muted">uploading…</span>
              )}
              <button
                type="button"
                class="small"
                onClick={() => setUploads((list) => list.filter((x) => x.name !== u.name))}
                aria-label={`Remove ${u.name}`}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {failed.length > 0 && (
        <p class="error" role="alert">
          {failed.length === 1 ? `${failed[0]!.name} did not upload` : `${failed.length} files did not upload`}: retry or remove
          {failed.length === 1 ? ' it' : ' them'} before sending.
        </p>
      )}
      <div class="composer-actions">
        <label class="file-button">
          Attach files
          <input type="file" multiple onChange={onFiles} class="visually-hidden" />
        </label>
        <button type="submit" class="primary" disabled={sending || uploading || failed.length > 0 || !body.trim()}>
          {sending ? 'Saving…' : internal ? 'Add note' : 'Send reply'}
        </button>
      </div>
    </form>
  );
}
