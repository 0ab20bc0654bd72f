// web: an agent opens a ticket to a customer: the desk starts the conversation (POST /api/tickets)
import { useEffect, useState } from 'preact/hooks';
import type { Desk } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { AttachButton, UploadList, useUploads } from '../components/uploads';
import { routeHref } from '../lib/route';

/** The addresses of a comma- or semicolon-separated list, as typed. */
export function addressList(value: string): string[] {
  return value
    .split(/[,;\s]+/)
    .map((a) => a.trim())
    .filter(Boolean);
}

/** The new-ticket form: desk, customer, Cc, subject and the first message (Markdown, emailed as an answer). */
export function NewTicketPage() {
  const { api, announce } = useApp();
  const [desks, setDesks] = useState<Desk[]>([]);
  const [deskId, setDeskId] = useState('');
  const [to, setTo] = useState('');
  const [cc, setCc] = useState('');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);
  const uploads = useUploads();

  useEffect(() => {
    api.desks().then(
      (r) => {
        setDesks(r.items);
        setDeskId((current) => current || (r.items[0]?.id ?? ''));
      },
      (failure: unknown) => setError(errorMessage(failure)),
    );
  }, [api]);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (uploads.uploading || uploads.failed.length > 0) return;
    setSending(true);
    try {
      const attachments = uploads.files;
      const ticket = await api.createTicket({
        deskId,
        to: to.trim(),
        cc: addressList(cc),
        subject,
        body,
        ...(attachments.length ? { attachments } : {}),
      });
      announce(`Ticket #${ticket.number} opened and emailed to ${to.trim()}.`);
      location.hash = routeHref({ page: 'ticket', id: ticket.id });
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setSending(false);
    }
  };

  return (
    <div class="settings-page new-ticket">
      <h1>New ticket</h1>
      <p class="hint">The desk writes first: the customer gets your message by email and their reply lands on this ticket.</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form class="settings" onSubmit={(event) => void submit(event)}>
        {desks.length > 1 && (
          <>
            <label for="new-desk">Desk</label>
            <select id="new-desk" value={deskId} onChange={(event) => setDeskId(event.currentTarget.value)}>
              {desks.map((desk) => (
                <option key={desk.id} value={desk.id}>
                  {desk.name} ({desk.address})
                </option>
              ))}
            </select>
          </>
        )}
        <label for="new-to">To (the customer)</label>
        <input id="new-to" type="email" required value={to} onInput={(event) => setTo(event.currentTarget.value)} />
        <label for="new-cc">Cc (comma-separated, optional)</label>
        <input id="new-cc" value={cc} onInput={(event) => setCc(event.currentTarget.value)} />
        <label for="new-subject">Subject</label>
        <input id="new-subject" required value={subject} onInput={(event) => setSubject(event.currentTarget.value)} />
        <label for="new-body">Message (Markdown)</label>
        <textarea id="new-body" rows={8} required value={body} onInput={(event) => setBody(event.currentTarget.value)} />
        <UploadList uploads={uploads} />
        <div class="composer-actions">
          <AttachButton uploads={uploads} />
          <button
            type="submit"
            class="primary"
            disabled={sending || uploads.uploading || uploads.failed.length > 0 || !deskId || !to.trim() || !subject.trim() || !body.trim()}
          >
            {sending ? 'Opening…' : 'Open ticket and send'}
          </button>
        </div>
      </form>
    </div>
  );
}
