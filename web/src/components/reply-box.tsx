// web: the reply / note composer: Markdown with preview, Note toggle, saved replies, file uploads, send with a status, version check
import type { Ref } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { SavedReply, Ticket, TicketStatus } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { MarkdownPreview } from './markdown-preview';
import { SavedReplyMenu, useSavedReplies } from './saved-reply-menu';
import { savedReplyActions, savedReplyActs, savedReplyPatch } from '../lib/saved-replies';
import { AttachButton, UploadList, useUploads } from './uploads';

/** What changed in the ticket since the agent last looked, found when the API refused a reply with 409. */
export interface TicketNews {
  readonly newMessages: number;
  /** The status now, when it is not the one the agent saw. */
  readonly status: TicketStatus | null;
}

export interface ReplyBoxProps {
  readonly ticketId: string;
  /** The ticket a saved reply's placeholders and actions apply to. */
  readonly ticket: Pick<Ticket, 'number' | 'subject' | 'requester' | 'labels' | 'deskId'>;
  readonly internal: boolean;
  readonly onInternalChange: (internal: boolean) => void;
  readonly textareaRef: Ref<HTMLTextAreaElement>;
  /** The ticket version the agent has seen; sent along, so a reply to a ticket that changed meanwhile is refused (409). */
  readonly version: number;
  /** Reloads the ticket after a 409 and says what is new (the page marks the new messages). */
  readonly onConflict: () => Promise<TicketNews>;
  /** Called after the message was stored; sending stays on until it has reloaded the ticket (and the version seen). */
  readonly onSent: () => Promise<void>;
}

/** A public reply's status choices: waiting for the customer (the default), closed, or still open on our side. */
const SEND_AS: readonly { readonly status: TicketStatus; readonly label: string }[] = [
  { status: 'pending', label: 'Send reply' },
  { status: 'closed', label: 'Send and close' },
  { status: 'open', label: 'Send and keep open' },
];

/** Writes a reply (emailed to the participants) or an internal note (never emailed). */
export function ReplyBox({ ticketId, ticket, internal, onInternalChange, textareaRef, version, onConflict, onSent }: ReplyBoxProps) {
  const { api, announce, team } = useApp();
  const [body, setBody] = useState('');
  const saved = useSavedReplies(ticket);
  /** The saved reply whose actions (status, labels, assignee) go with this message. */
  const [macro, setMacro] = useState<SavedReply | null>(null);
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  const uploads = useUploads();
  const [sending, setSending] = useState(false);
  // Set after a 409: what is new, and the status the agent chose, until they send anyway or go back to editing.
  const [news, setNews] = useState<{ news: TicketNews; status: TicketStatus | undefined } | null>(null);
  const blocked = sending || uploads.uploading || uploads.failed.length > 0 || !body.trim();

  const send = async (status: TicketStatus | undefined): Promise<void> => {
    if (blocked) return;
    setSending(true);
    try {
      const attachments = uploads.files;
      await api.postMessage(ticketId, {
        body,
        internal,
        version,
        ...(status ? { status } : {}),
        ...(attachments.length ? { attachments } : {}),
      });
      const patch = macro ? savedReplyPatch(macro, ticket) : null;
      if (patch) await api.patchTicket(ticketId, patch);
      setMacro(null);
      setBody('');
      uploads.clear();
      setTab('write');
      setNews(null);
      announce(internal ? 'Note added.' : status === 'closed' ? 'Reply sent; the ticket is closed.' : 'Reply sent to the participants.');
      await onSent();
    } catch (failure) {
      // Nothing was stored: the agent sees what is new and decides; the next try carries the version they have now seen.
      if (failure instanceof ApiError && failure.status === 409) setNews({ news: await onConflict(), status });
      else announce(errorMessage(failure), 'error');
    } finally {
      setSending(false);
    }
  };
  const submit = (event: Event): void => {
    event.preventDefault();
    // A saved reply's status goes with the default send; the other buttons say their own.
    void send(macro?.status ?? (internal ? undefined : 'pending'));
  };

  return (
    <form class={`reply-box ${internal ? 'is-note' : ''}`} onSubmit={submit} aria-label={internal ? 'Internal note' : 'Reply'}>
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
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit(event);
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
          Sending will also {savedReplyActions(macro, team).join(', ')}.{' '}
          <button type="button" class="small" onClick={() => setMacro(null)}>
            Don’t
          </button>
        </p>
      )}
      <UploadList uploads={uploads} />
      {news && <ChangedMeanwhile news={news.news} internal={internal} onSend={() => void send(news.status)} onBack={() => setNews(null)} />}
      <div class="composer-actions">
        <AttachButton uploads={uploads} />
        <span class="send-actions">
          {internal ? (
            <button type="submit" class="primary" disabled={blocked || news !== null}>
              {sending ? 'Saving…' : 'Add note'}
            </button>
          ) : (
            // The default (Enter in the form, Ctrl+Enter) leaves the ticket waiting for the customer.
            SEND_AS.map((choice, index) => (
              <button
                key={choice.status}
                type={index === 0 ? 'submit' : 'button'}
                class={index === 0 ? 'primary' : ''}
                disabled={blocked || news !== null}
                onClick={index === 0 ? undefined : () => void send(choice.status)}
              >
                {sending ? 'Sending…' : choice.label}
              </button>
            ))
          )}
        </span>
      </div>
    </form>
  );
}

/** The ticket changed while the agent wrote: what is new, and nothing goes out until they confirm. */
function ChangedMeanwhile(props: { news: TicketNews; internal: boolean; onSend: () => void; onBack: () => void }) {
  const { newMessages, status } = props.news;
  const what = [
    newMessages > 0 ? `${newMessages} new message${newMessages === 1 ? '' : 's'} (marked New above)` : null,
    status ? `the status is now ${status}` : null,
  ].filter(Boolean);
  return (
    <div class="callout warn changed-meanwhile" role="alertdialog" aria-label="The ticket changed meanwhile">
      <p>
        The ticket changed while you were writing{what.length > 0 ? `: ${what.join('; ')}` : ''}. Your {props.internal ? 'note' : 'reply'}{' '}
        has not been {props.internal ? 'saved' : 'sent'}.
      </p>
      <button type="button" class="small primary" onClick={props.onSend}>
        {props.internal ? 'Add it anyway' : 'Send anyway'}
      </button>{' '}
      <button type="button" class="small" onClick={props.onBack}>
        Keep editing
      </button>
    </div>
  );
}
