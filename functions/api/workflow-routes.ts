// adapter: the routes of the team's workflow (notification preferences, failed webhooks), added to the route table
import * as z from 'zod/mini';
import { failedWebhooks, getNotificationPreferences, retryWebhook, saveNotificationPreferences } from '../core/api/workflow-settings';
import type { Route } from './routes';

const webhookKey = z.object({
  ticketId: z.string().check(z.minLength(1)),
  eventId: z.string().check(z.minLength(1)),
  hookIndex: z.number().check(z.int(), z.minimum(0)),
});

/** Notification preferences of the caller, and failed webhook deliveries (see docs/api.md). */
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
