// adapter: the dashboard API's routes: path patterns, zod schemas for their input, and the use case each calls
import { timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { postMessage } from '../core/api/agent-messages';
import { findTeamMember } from '../core/config/desk-config';
import type { ApiDeps } from '../core/api/api-ports';
import type { Agent } from '../core/api/auth';
import { ForbiddenError, UnauthenticatedError } from '../core/api/errors';
import { clearAddressState } from '../core/api/address-states';
import { openTicketFromDesk } from '../core/api/desk-tickets';
import { MAX_UPLOAD_BYTES, attachmentUrl, createUpload, isUploadKey, quarantinedAttachmentUrl } from '../core/api/files';
import { acceptHeldMessage, moveHeldMessage, splitMessage } from '../core/api/held-messages';
import { getDeskSettings, saveDeskSettings } from '../core/api/settings';
import { addParticipant, patchTicket, removeParticipant, retryDelivery } from '../core/api/ticket-changes';
import {
  emailAddress as email,
  listFilterFields,
  sortField,
  sortOrder,
  ticketPriority as priority,
  ticketStatus as status,
} from '../core/api/list-query';
import { listMailLog, rawMailUrl, replayMail } from '../core/api/mail-log';
import { mergeTickets } from '../core/api/merge-tickets';
import { countTickets, requesterHistory, ticketDetail } from '../core/api/ticket-queries';
import { findTickets, type FindTicketsInput } from '../core/api/ticket-search';
import { checkUnsubscribeLink, followUnsubscribeLink, type UnsubscribeLink } from '../core/api/unsubscribe-link';
import '../core/config/zod-messages';
import { NotFoundError } from '../core/errors';
import { MAIL_LOG_OUTCOMES } from '../core/ports';
import { deliveryView, htmlPage, messageView, ticketDetailView, ticketView } from './views';
import { workflowRoutes } from './workflow-routes';

/** What a route answers: JSON (or nothing), or an HTML page. */
export type RouteResult = { readonly status: number; readonly json?: unknown } | { readonly status: number; readonly html: string };

export interface RouteContext {
  readonly deps: ApiDeps;
  /** The caller; routes marked public get none. */
  readonly agent: Agent;
  /** Path parameters, already percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** The parsed JSON body, or undefined without one. */
  readonly body: unknown;
}

interface RouteBase {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Segments; `:name` captures one. */
  readonly path: string;
  /** True when the route reads no body, whatever its type (a one-click unsubscribe POSTs a form). */
  readonly ignoresBody?: true;
}

/** A route for team members: the handler has verified the caller before it runs. */
interface TeamRoute extends RouteBase {
  readonly public?: false;
  handle(context: RouteContext): Promise<RouteResult>;
}

/** Reachable without a token (API Gateway: no authorizer on this route). */
interface PublicRoute extends RouteBase {
  readonly public: true;
  handle(context: Omit<RouteContext, 'agent'>): Promise<RouteResult>;
}

export type Route = TeamRoute | PublicRoute;

const version = z.number().check(z.int(), z.minimum(0));
const mimeType = z.string().check(z.regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type like text/plain'), z.maxLength(255));
const filename = z.string().check(z.minLength(1), z.maxLength(255));

const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));
const limit = z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 25);
const listQuery = z.object({
  ...listFilterFields,
  view: z._default(z.enum(['all', 'mine', 'unassigned']), 'all'),
  sort: z._default(sortField, 'updated'),
  order: z._default(sortOrder, 'desc'),
  cursor,
  limit,
});
const searchQuery = z.object({ q: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200)) });
const mailLogQuery = z.object({ outcome: z.optional(z.enum(MAIL_LOG_OUTCOMES)), cursor, limit });
const mailKey = z.object({ key: z.string().check(z.minLength(1), z.maxLength(500)) });
const attachment = z.strictObject({
  key: z.string().check(z.refine(isUploadKey, 'must be a key from POST /api/uploads')),
  filename,
  contentType: mimeType,
  size: z.number().check(z.int(), z.minimum(0), z.maximum(MAX_UPLOAD_BYTES)),
});
const messageBody = z.strictObject({
  body: z.string().check(
    z.maxLength(100_000),
    z.refine((s) => s.trim().length > 0, 'must not be empty'),
  ),
  internal: z.boolean(),
  attachments: z._default(z.array(attachment).check(z.maxLength(10)), []),
  status: z.optional(status),
  version: z.optional(version),
});
const mailbox = z.union([
  z.pipe(
    email,
    z.transform((address: string) => ({ address, name: '' })),
  ),
  z.pipe(
    z.strictObject({ address: email, name: z.optional(z.string().check(z.trim(), z.maxLength(255))) }),
    z.transform((m: { address: string; name?: string }) => ({ address: m.address, name: m.name ?? '' })),
  ),
]);
const newTicketBody = z.strictObject({
  deskId: z.string().check(z.minLength(1), z.maxLength(100)),
  to: mailbox,
  cc: z._default(z.array(mailbox).check(z.maxLength(9)), []),
  subject: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(500)),
  body: messageBody.shape.body,
  attachments: z._default(z.array(attachment).check(z.maxLength(10)), []),
});
const patchBody = z
  .strictObject({
    status: z.optional(status),
    assignee: z.optional(z.nullable(email)),
    labels: z.optional(z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(50))).check(z.maxLength(20))),
    priority: z.optional(priority),
    version: z.optional(version),
  })
  .check(
    z.refine(
      (p) => p.status !== undefined || p.assignee !== undefined || p.labels !== undefined || p.priority !== undefined,
      'give at least one of status, assignee, labels, priority',
    ),
  );
const splitBody = z.optional(z.strictObject({ acknowledge: z.optional(z.boolean()) }));
const mergeBody = z.strictObject({ into: z.string().check(z.regex(/^[a-z0-9]{1,64}$/, 'must be a ticket id')) });
const participantBody = z.strictObject({ address: email, name: z.optional(z.string().check(z.trim(), z.maxLength(255))) });
const uploadBody = z.strictObject({
  filename,
  contentType: mimeType,
  size: z.number().check(z.int(), z.minimum(1), z.maximum(MAX_UPLOAD_BYTES, `must be at most ${MAX_UPLOAD_BYTES} bytes`)),
});
const addressParam = z.object({ address: email });
const keyQuery = z.object({ key: z.string().check(z.minLength(1), z.maxLength(500)) });
const quarantinedBody = z.strictObject({
  key: z.string().check(z.minLength(1), z.maxLength(500)),
  confirm: z.boolean(),
});
const clearBody = z.strictObject({ reason: z.string().check(z.trim(), z.minLength(1, 'say why'), z.maxLength(500)) });
const signInBody = z.strictObject({ email, code: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)) });
const unsubscribeQuery = z.object({
  ticket: z.string().check(z.minLength(1), z.maxLength(64)),
  address: z.string().check(z.minLength(3), z.maxLength(254)),
  sig: z.string().check(z.minLength(1), z.maxLength(64)),
});

/**
 * The list query as core takes it. `view` (the inbox's first parameter) is an assignee filter: `mine` is the caller,
 * `unassigned` nobody; an explicit `assignee` wins. Without text or requester the status defaults to open.
 */
function findInput(input: z.infer<typeof listQuery>, agent: Agent): FindTicketsInput {
  const viewAssignee = input.view === 'mine' ? agent.email : input.view === 'unassigned' ? null : undefined;
  const assignee = input.assignee === undefined ? viewAssignee : input.assignee === 'none' ? null : input.assignee;
  const searching = Boolean(input.q) || input.requester !== undefined || input.delivery !== undefined;
  const status = input.status ?? (searching ? undefined : 'open');
  return {
    ...(input.q ? { q: input.q } : {}),
    filters: {
      ...(status !== undefined ? { status } : {}),
      ...(input.label !== undefined ? { label: input.label } : {}),
      ...(assignee !== undefined ? { assignee } : {}),
      ...(input.desk !== undefined ? { deskId: input.desk } : {}),
      ...(input.priority !== undefined ? { priority: input.priority } : {}),
      ...(input.requester !== undefined ? { requester: input.requester } : {}),
      ...(input.delivery !== undefined ? { delivery: input.delivery } : {}),
    },
    sort: input.sort,
    order: input.order,
    limit: input.limit,
    cursor: input.cursor ?? null,
  };
}

/** Ids are lowercase base32: anything else cannot name a stored ticket or delivery. */
const ID = /^[a-z0-9]{1,64}$/;

function id(context: RouteContext, name: string): string {
  const value = context.params[name] ?? '';
  if (!ID.test(value)) throw new NotFoundError(`${name} ${value} does not exist`);
  return value;
}

/** The local stack's sign-in route (written out in the table too, where test/reliability/auth.test.ts reads it). */
export const LOCAL_SIGN_IN_PATH = '/api/auth/local';

const routes: readonly Route[] = [
  {
    method: 'POST',
    path: '/api/auth/local',
    public: true,
    async handle({ deps, body }) {
      // In AWS there is no local sign-in at all: the route does not exist there.
      if (!deps.localSignIn) throw new NotFoundError('local sign-in is only available in the local stack');
      const input = signInBody.parse(body);
      const given = Buffer.from(input.code);
      const expected = Buffer.from(deps.localSignIn.code);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw new UnauthenticatedError('the sign-in code is wrong');
      const member = findTeamMember(deps.config.team, input.email);
      if (!member) throw new ForbiddenError(`${input.email} is not a member of the team`);
      return { status: 200, json: { token: await deps.localSignIn.issueToken(member), user: { email: member.email, name: member.name } } };
    },
  },
  {
    // Opening the link (a person, or a mail gateway scanning links) only shows a page asking to confirm.
    method: 'GET',
    path: '/api/unsubscribe',
    public: true,
    async handle({ deps, query }) {
      const link = unsubscribeLink(query);
      if (!link || !(await checkUnsubscribeLink(deps, link))) return invalidUnsubscribeLink();
      return {
        status: 200,
        html: htmlPage('Unsubscribe from this ticket?', `${link.address} will get no more email about this ticket.`, {
          action: `/api/unsubscribe?${new URLSearchParams({ ticket: link.ticketId, address: link.address, sig: link.signature })}`,
          button: 'Unsubscribe',
        }),
      };
    },
  },
  {
    // The confirmation page's form, and RFC 8058 one-click (`List-Unsubscribe-Post`): the signed link is the only proof.
    method: 'POST',
    path: '/api/unsubscribe',
    public: true,
    ignoresBody: true,
    async handle({ deps, query }) {
      const link = unsubscribeLink(query);
      const outcome = link ? await followUnsubscribeLink(deps, link) : 'invalid-link';
      if (outcome === 'unsubscribed') {
        return { status: 200, html: htmlPage('Unsubscribed', `${link!.address} will get no more email about this ticket.`) };
      }
      if (outcome === 'unknown-ticket') return { status: 404, html: htmlPage('Not found', 'This ticket no longer exists.') };
      return invalidUnsubscribeLink();
    },
  },
  { method: 'GET', path: '/api/me', handle: async ({ agent }) => ({ status: 200, json: { email: agent.email, name: agent.name } }) },
  {
    method: 'GET',
    path: '/api/desks',
    handle: async ({ deps }) => ({
      status: 200,
      json: { items: deps.config.desks.map((d) => ({ id: d.id, address: d.address, name: d.name })) },
    }),
  },
  {
    method: 'GET',
    path: '/api/team',
    handle: async ({ deps }) => ({ status: 200, json: { items: deps.config.team.map((m) => ({ email: m.email, name: m.name })) } }),
  },
  {
    method: 'GET',
    path: '/api/tickets',
    async handle({ deps, agent, query }) {
      const found = await findTickets(deps, findInput(listQuery.parse(query), agent));
      return { status: 200, json: { items: found.tickets.map(ticketView), cursor: found.cursor, partial: found.partial } };
    },
  },
  {
    method: 'POST',
    path: '/api/tickets',
    async handle({ deps, agent, body }) {
      const ticket = await openTicketFromDesk(deps, agent, newTicketBody.parse(body));
      return { status: 201, json: ticketView(ticket) };
    },
  },
  { method: 'GET', path: '/api/counts', handle: async ({ deps, agent }) => ({ status: 200, json: await countTickets(deps, agent) }) },
  {
    method: 'GET',
    path: '/api/search',
    async handle({ deps, query }) {
      // The first search API: any status, newest activity first, one page.
      const { q } = searchQuery.parse(query);
      const found = await findTickets(deps, { q, filters: {}, sort: 'updated', order: 'desc', limit: 50, cursor: null });
      return { status: 200, json: { items: found.tickets.map(ticketView), partial: found.partial } };
    },
  },
  {
    method: 'GET',
    path: '/api/requesters/:address/tickets',
    async handle({ deps, params }) {
      const { address } = addressParam.parse(params);
      return { status: 200, json: { items: (await requesterHistory(deps, address)).map(ticketView) } };
    },
  },
  {
    method: 'GET',
    path: '/api/tickets/:id',
    handle: async (context) => ({ status: 200, json: ticketDetailView(await ticketDetail(context.deps, id(context, 'id'))) }),
  },
  {
    method: 'PATCH',
    path: '/api/tickets/:id',
    async handle(context) {
      const ticket = await patchTicket(context.deps, context.agent, id(context, 'id'), patchBody.parse(context.body));
      return { status: 200, json: ticketView(ticket) };
    },
  },
  {
    method: 'POST',
    path: '/api/tickets/:id/messages',
    async handle(context) {
      const input = messageBody.parse(context.body);
      const result = await postMessage(context.deps, context.agent, { ...input, ticketId: id(context, 'id') });
      return { status: 201, json: messageView(result.message) };
    },
  },
  {
    method: 'POST',
    path: '/api/tickets/:id/merge',
    async handle(context) {
      const { into } = mergeBody.parse(context.body);
      return { status: 200, json: ticketView(await mergeTickets(context.deps, context.agent, id(context, 'id'), into)) };
    },
  },
  {
    method: 'POST',
    path: '/api/tickets/:id/participants',
    async handle(context) {
      const input = participantBody.parse(context.body);
      const result = await addParticipant(context.deps, context.agent, id(context, 'id'), input);
      return { status: result.created ? 201 : 200, json: result.participant };
    },
  },
  {
    method: 'DELETE',
    path: '/api/tickets/:id/participants/:address',
    async handle(context) {
      await removeParticipant(context.deps, context.agent, id(context, 'id'), addressParam.parse(context.params).address);
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    path: '/api/tickets/:id/messages/:messageId/accept',
    async handle(context) {
      const ticket = await acceptHeldMessage(context.deps, context.agent, id(context, 'id'), id(context, 'messageId'));
      return { status: 200, json: ticketView(ticket) };
    },
  },
  {
    method: 'POST',
    path: '/api/tickets/:id/messages/:messageId/move',
    async handle(context) {
      const ticket = await moveHeldMessage(context.deps, context.agent, id(context, 'id'), id(context, 'messageId'));
      return { status: 201, json: ticketView(ticket) };
    },
  },
  {
    method: 'POST',
    path: '/api/tickets/:id/messages/:messageId/split',
    async handle(context) {
      const acknowledge = splitBody.parse(context.body)?.acknowledge === true;
      const ticket = await splitMessage(context.deps, context.agent, id(context, 'id'), id(context, 'messageId'), { acknowledge });
      return { status: 201, json: ticketView(ticket) };
    },
  },
  {
    method: 'POST',
    path: '/api/tickets/:id/addresses/:address/clear',
    async handle(context) {
      const { address } = addressParam.parse(context.params);
      const { reason } = clearBody.parse(context.body);
      return { status: 200, json: await clearAddressState(context.deps, context.agent, id(context, 'id'), address, reason) };
    },
  },
  {
    method: 'POST',
    path: '/api/tickets/:id/deliveries/:deliveryId/retry',
    async handle(context) {
      const delivery = await retryDelivery(context.deps, context.agent, id(context, 'id'), id(context, 'deliveryId'));
      return { status: 200, json: deliveryView(delivery) };
    },
  },
  {
    method: 'POST',
    path: '/api/uploads',
    handle: async ({ deps, body }) => ({ status: 200, json: await createUpload(deps, uploadBody.parse(body)) }),
  },
  {
    method: 'GET',
    path: '/api/attachments/url',
    handle: async ({ deps, query }) => ({ status: 200, json: await attachmentUrl(deps, keyQuery.parse(query).key) }),
  },
  {
    // A POST with an explicit confirmation: a link or a prefetch can never release a quarantined file.
    method: 'POST',
    path: '/api/attachments/quarantined/url',
    handle: async ({ deps, agent, body }) => ({
      status: 200,
      json: await quarantinedAttachmentUrl(deps, agent, quarantinedBody.parse(body)),
    }),
  },
  {
    method: 'GET',
    path: '/api/settings/:deskId',
    handle: async ({ deps, params }) => ({ status: 200, json: await getDeskSettings(deps, params.deskId ?? '') }),
  },
  {
    method: 'PUT',
    path: '/api/settings/:deskId',
    handle: async ({ deps, agent, params, body }) => ({
      status: 200,
      json: await saveDeskSettings(deps, agent, params.deskId ?? '', body),
    }),
  },
  {
    method: 'GET',
    path: '/api/mail',
    async handle({ deps, query }) {
      const input = mailLogQuery.parse(query);
      return {
        status: 200,
        json: await listMailLog(deps, { outcome: input.outcome ?? null, limit: input.limit, cursor: input.cursor ?? null }),
      };
    },
  },
  {
    method: 'POST',
    path: '/api/mail/:key/replay',
    handle: async ({ deps, agent, params }) => ({ status: 200, json: await replayMail(deps, agent, mailKey.parse(params).key) }),
  },
  {
    method: 'GET',
    path: '/api/mail/:key/raw',
    handle: async ({ deps, params }) => ({ status: 200, json: await rawMailUrl(deps, mailKey.parse(params).key) }),
  },
  {
    // The first name of the failed part of the mail log.
    method: 'GET',
    path: '/api/ingest/failed',
    handle: async ({ deps }) => ({ status: 200, json: await listMailLog(deps, { outcome: 'failed', limit: 100, cursor: null }) }),
  },
  ...workflowRoutes,
];

/** The signed link's parts from the query string, or null when one is missing or malformed. */
function unsubscribeLink(query: Readonly<Record<string, string>>): UnsubscribeLink | null {
  const parsed = unsubscribeQuery.safeParse(query);
  return parsed.success
    ? { ticketId: parsed.data.ticket, address: parsed.data.address.trim().toLowerCase(), signature: parsed.data.sig }
    : null;
}

function invalidUnsubscribeLink(): RouteResult {
  return {
    status: 400,
    html: htmlPage('Invalid link', 'This unsubscribe link is incomplete or damaged. Copy the whole link from the email.'),
  };
}

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: Route; readonly params: Record<string, string>; readonly name: string }
  | { readonly kind: 'method-not-allowed'; readonly allowed: string[] }
  | { readonly kind: 'none' };

/**
 * Finds the route for a request path (as sent, percent-encoded).
 * @throws URIError when a segment is not valid percent-encoding.
 */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  const segments = rawPath.replace(/\/+$/, '').split('/');
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((part, i) => {
      const segment = segments[i]!;
      if (part.startsWith(':')) {
        params[part.slice(1)] = decodeURIComponent(segment);
        return segment.length > 0;
      }
      return part === segment;
    });
    if (!fits) continue;
    if (route.method === method) return { kind: 'route', route, params, name: `${route.method} ${route.path}` };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'none' };
}

/** True for the routes that take no token (local sign-in, unsubscribe links); the local server skips its check for them. */
export function isPublicRoute(method: string, rawPath: string): boolean {
  try {
    const match = matchRoute(method, rawPath);
    return match.kind === 'route' && match.route.public === true;
  } catch {
    return false;
  }
}
