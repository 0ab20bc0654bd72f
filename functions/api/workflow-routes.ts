// adapter: the routes of the team's workflow (notification preferences, saved views, saved replies, template previews,
// failed webhooks), added to the route table
import * as z from 'zod/mini';
import {
  deleteSavedReply,
  deleteSavedView,
  failedWebhooks,
  getNotificationPreferences,
  listSavedReplies,
  listSavedViews,
  retryWebhook,
  saveNotificationPreferences,
  saveSavedReply,
  saveSavedView,
} from '../core/api/workflow-settings';
import { previewDeskTemplate } from '../core/api/settings';
import type { Route } from './routes';

const webhookKey = z.object({
  ticketId: z.string().check(z.minLength(1)),
  eventId: z.string().check(z.minLength(1)),
  hookIndex: z.number().check(z.int(), z.minimum(0)),
});

const preview = z.object({
  name: z.enum(['ack', 'reply', 'participantAdded', 'relay']),
  subject: z.string().check(z.maxLength(500)),
  body: z.string().check(z.maxLength(20_000)),
});

/** Notification preferences and saved views of the caller, saved replies, and failed webhook deliveries (see docs/api.md). */
export const workflowRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/me/notifications',
    handle: async ({ deps, agent }) => ({ status: 200, json: await getNotificationPreferences(deps, agent) }),
  },
  {
    method: 'PUT',
    path: '/api/me/notifications',
    handle: async ({ deps, agent, body }) => ({ status: 200, json: await saveNotificationPreferences(deps, agent, body) }),
  },
  {
    method: 'POST',
    path: '/api/settings/:deskId/preview',
    handle: async ({ deps, params, body }) => {
      const input = preview.parse(body);
      return {
        status: 200,
        json: await previewDeskTemplate(deps, params.deskId ?? '', input.name, { subject: input.subject, body: input.body }),
      };
    },
  },
  {
    method: 'GET',
    path: '/api/views',
    handle: async ({ deps, agent }) => ({ status: 200, json: { items: await listSavedViews(deps, agent) } }),
  },
  {
    // A name the caller already uses replaces that view (200), so a repeated POST never makes a second one.
    method: 'POST',
    path: '/api/views',
    async handle({ deps, agent, body }) {
      const { view, created } = await saveSavedView(deps, agent, body);
      return { status: created ? 201 : 200, json: view };
    },
  },
  {
    method: 'DELETE',
    path: '/api/views/:id',
    handle: async ({ deps, agent, params }) => {
      await deleteSavedView(deps, agent, params.id ?? '');
      return { status: 204 };
    },
  },
  { method: 'GET', path: '/api/replies', handle: async ({ deps }) => ({ status: 200, json: { items: await listSavedReplies(deps) } }) },
  {
    method: 'POST',
    path: '/api/replies',
    handle: async ({ deps, agent, body }) => ({ status: 201, json: await saveSavedReply(deps, agent, null, body) }),
  },
  {
    method: 'PUT',
    path: '/api/replies/:id',
    handle: async ({ deps, agent, params, body }) => ({ status: 200, json: await saveSavedReply(deps, agent, params.id ?? '', body) }),
  },
  {
    method: 'DELETE',
    path: '/api/replies/:id',
    handle: async ({ deps, agent, params }) => {
      await deleteSavedReply(deps, agent, params.id ?? '');
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/api/webhooks/failed',
    handle: async ({ deps }) => ({ status: 200, json: { items: await failedWebhooks(deps) } }),
  },
  {
    method: 'POST',
    path: '/api/webhooks/retry',
    handle: async ({ deps, agent, body }) => {
      await retryWebhook(deps, agent, webhookKey.parse(body));
      return { status: 204 };
    },
  },
];
