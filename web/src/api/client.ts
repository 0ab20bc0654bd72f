// web: typed calls to the dashboard API; one place turns HTTP errors into ApiError
import type {
  Counts,
  Delivery,
  Desk,
  DeskSettings,
  InboxView,
  ListFilters,
  MailLogEntry,
  Message,
  Page,
  Participant,
  ReplayReport,
  SavedReply,
  SavedReplyInput,
  SavedView,
  SavedViewQuery,
  TeamMember,
  Ticket,
  TicketDetail,
  TicketPatch,
  TicketStatus,
  UploadedFile,
  User,
} from './types';

/** An error answer of the API (`{ error: { code, message } }`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** Prefix of every route: '' for the same origin, else the API Gateway URL. */
  readonly baseUrl: string;
  /** A valid bearer token, or null when signed out. */
  readonly token: () => Promise<string | null>;
  /** Called on 401 so the app can show the sign-in page again. */
  readonly onUnauthorized: () => void;
}

export interface ListQuery {
  readonly view: InboxView;
  readonly cursor?: string | null;
  readonly limit?: number;
  readonly filters?: ListFilters;
  /** Search text: the list then spans every status unless a view narrows it. */
  readonly q?: string;
}

/**
 * Query string of `GET /api/tickets` for an inbox view: mine/unassigned are open tickets filtered by assignee (an
 * assignee filter does not override them); a status filter narrows search results only.
 */
export function listParams(query: ListQuery): URLSearchParams {
  const params = new URLSearchParams();
  const byAssignee = query.view === 'mine' || query.view === 'unassigned';
  if (byAssignee) {
    params.set('status', 'open');
    params.set('view', query.view);
  } else {
    params.set('status', query.view);
  }
  if (query.q) {
    params.set('q', query.q);
    params.delete('status');
  }
  for (const [name, value] of Object.entries(query.filters ?? {})) {
    if (!value || (name === 'assignee' && byAssignee) || (name === 'status' && !query.q)) continue;
    params.set(name, String(value));
  }
  if (query.cursor) params.set('cursor', query.cursor);
  if (query.limit) params.set('limit', String(query.limit));
  return params;
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** Builds the API client the pages use. */
export function createApiClient(options: ApiClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = await options.token();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${base}/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new ApiError(0, 'network', `The server could not be reached (${(error as Error).message}).`);
    }
    if (response.status === 401) options.onUnauthorized();
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const json: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? `http-${response.status}`,
        error?.message ?? `${method} ${path} failed (${response.status}).`,
      );
    }
    return json as T;
  }

  const enc = encodeURIComponent;
  return {
    me: () => call<User>('GET', '/me'),
    desks: () => call<{ items: Desk[] }>('GET', '/desks'),
    team: () => call<{ items: TeamMember[] }>('GET', '/team'),
    tickets: (query: ListQuery) => call<Page<Ticket>>('GET', `/tickets?${listParams(query)}`),
    counts: () => call<Counts>('GET', '/counts'),
    history: (address: string) => call<{ items: Ticket[] }>('GET', `/requesters/${enc(address)}/tickets`),
    mailLog: (outcome: string, cursor: string | null) =>
      call<Page<MailLogEntry>>('GET', `/mail?${new URLSearchParams({ ...(outcome ? { outcome } : {}), ...(cursor ? { cursor } : {}) })}`),
    replayMail: (key: string) => call<ReplayReport>('POST', `/mail/${enc(key)}/replay`),
    rawMail: (key: string) => call<{ url: string; filename: string }>('GET', `/mail/${enc(key)}/raw`),
    merge: (id: string, into: string) => call<Ticket>('POST', `/tickets/${enc(id)}/merge`, { into }),
    ticket: (id: string) => call<TicketDetail>('GET', `/tickets/${enc(id)}`),
    createTicket: (input: { deskId: string; to: string; cc: string[]; subject: string; body: string; attachments?: UploadedFile[] }) =>
      call<Ticket>('POST', '/tickets', input),
    postMessage: (
      id: string,
      input: { body: string; internal: boolean; attachments?: UploadedFile[]; status?: TicketStatus; version?: number },
    ) => call<Message>('POST', `/tickets/${enc(id)}/messages`, input),
    patchTicket: (id: string, patch: TicketPatch) => call<Ticket>('PATCH', `/tickets/${enc(id)}`, patch),
    addParticipant: (id: string, address: string, name?: string) =>
      call<Participant>('POST', `/tickets/${enc(id)}/participants`, name ? { address, name } : { address }),
    removeParticipant: (id: string, address: string) => call<void>('DELETE', `/tickets/${enc(id)}/participants/${enc(address)}`),
    retryDelivery: (id: string, deliveryId: string) => call<Delivery>('POST', `/tickets/${enc(id)}/deliveries/${enc(deliveryId)}/retry`),
    createUpload: (file: { filename: string; contentType: string; size: number }) =>
      call<{ key: string; url: string }>('POST', '/uploads', file),
    attachmentUrl: (key: string) => call<{ url: string }>('GET', `/attachments/url?key=${enc(key)}`),
    quarantinedAttachmentUrl: (key: string) => call<{ url: string }>('POST', '/attachments/quarantined/url', { key, confirm: true }),
    acceptHeld: (id: string, messageId: string) => call<Ticket>('POST', `/tickets/${enc(id)}/messages/${enc(messageId)}/accept`),
    moveHeld: (id: string, messageId: string) => call<Ticket>('POST', `/tickets/${enc(id)}/messages/${enc(messageId)}/move`),
    splitMessage: (id: string, messageId: string, acknowledge: boolean) =>
      call<Ticket>('POST', `/tickets/${enc(id)}/messages/${enc(messageId)}/split`, { acknowledge }),
    clearAddress: (id: string, address: string, reason: string) =>
      call<{ address: string; cleared: string }>('POST', `/tickets/${enc(id)}/addresses/${enc(address)}/clear`, { reason }),
    settings: (deskId: string) => call<DeskSettings>('GET', `/settings/${enc(deskId)}`),
    saveSettings: (settings: DeskSettings) => call<DeskSettings>('PUT', `/settings/${enc(settings.deskId)}`, settings),
    views: () => call<{ items: SavedView[] }>('GET', '/views'),
    saveView: (name: string, query: SavedViewQuery) => call<SavedView>('POST', '/views', { name, query }),
    deleteView: (id: string) => call<void>('DELETE', `/views/${enc(id)}`),
    replies: () => call<{ items: SavedReply[] }>('GET', '/replies'),
    createReply: (reply: SavedReplyInput) => call<SavedReply>('POST', '/replies', reply),
    deleteReply: (id: string) => call<void>('DELETE', `/replies/${enc(id)}`),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
