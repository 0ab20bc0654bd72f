// core: use cases of the team's workflow: an agent's notification preferences and saved views, failed webhooks, saved
// replies
import type { AgentPreferences } from '../workflow/agent-preferences';
import { DEFAULT_AGENT_PREFERENCES, parseAgentPreferences } from '../workflow/agent-preferences';
import type { WebhookDelivery, WebhookKey } from '../workflow/workflow-ports';
import { savedReply, type SavedReply } from '../workflow/saved-replies';
import { removeView, saveView, sortViews, type SavedView, type SavedViewChange } from '../workflow/saved-views';
import { ConcurrentUpdateError } from '../errors';
import { newId } from '../ids';
import type { ApiDeps } from './api-ports';
import type { Agent } from './auth';

/** The caller's notification preferences (everything on until they change it). */
export async function getNotificationPreferences(deps: ApiDeps, agent: Agent): Promise<AgentPreferences> {
  const stored = await deps.workflow.getPreferences([agent.email]);
  return stored.get(agent.email) ?? DEFAULT_AGENT_PREFERENCES;
}

/**
 * Changes the caller's preferences; kinds not named keep their value.
 * @throws zod's `$ZodError` naming an unknown kind or a value that is not true/false.
 */
export async function saveNotificationPreferences(deps: ApiDeps, agent: Agent, input: unknown): Promise<AgentPreferences> {
  const preferences = parseAgentPreferences(input, await getNotificationPreferences(deps, agent));
  await deps.workflow.savePreferences(agent.email, preferences, deps.clock().toISOString());
  deps.log.info('notification preferences saved', { by: agent.email });
  return preferences;
}

/** Webhook deliveries that failed after their retries, newest first. */
export function failedWebhooks(deps: ApiDeps): Promise<WebhookDelivery[]> {
  return deps.workflow.listFailedWebhooks(100);
}

/** Sends a failed webhook delivery again (same event id and body). @throws ConcurrentUpdateError when it is not failed. */
export async function retryWebhook(deps: ApiDeps, agent: Agent, key: WebhookKey): Promise<void> {
  await deps.workflow.retryWebhook(key, deps.clock().toISOString());
  deps.log.info('webhook retried', { ...key, by: agent.email });
}

/** Every saved reply of the team, by title. */
export function listSavedReplies(deps: ApiDeps): Promise<SavedReply[]> {
  return deps.workflow.listSavedReplies();
}

/**
 * Creates a saved reply (with a fresh id), or replaces one by id.
 * @throws zod's `$ZodError`, InvalidInputError (unknown placeholder or assignee), NotFoundError (replacing a missing one)
 */
export async function saveSavedReply(deps: ApiDeps, agent: Agent, id: string | null, input: unknown): Promise<SavedReply> {
  const reply = savedReply(input, { id: id ?? newId(), team: deps.config.team, by: agent.email, at: deps.clock().toISOString() });
  await deps.workflow.saveSavedReply(reply, id === null);
  deps.log.info(id ? 'saved reply changed' : 'saved reply created', { replyId: reply.id, by: agent.email });
  return reply;
}

/** @throws NotFoundError */
export async function deleteSavedReply(deps: ApiDeps, agent: Agent, id: string): Promise<void> {
  await deps.workflow.deleteSavedReply(id);
  deps.log.info('saved reply deleted', { replyId: id, by: agent.email });
}

/** Attempts at a read-decide-write of an agent's views before a conflict reaches the caller (two tabs saving at once). */
const VIEW_WRITE_ATTEMPTS = 3;

/** Reads the agent's views, lets `decide` change them, writes the result on the version read; again when it moved. */
async function changeViews<T>(
  deps: ApiDeps,
  agent: Agent,
  decide: (views: SavedView[]) => { readonly views: SavedView[] | null; readonly result: T },
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = await deps.workflow.getSavedViews(agent.email);
    const { views, result } = decide(stored.views);
    if (views === null) return result;
    try {
      await deps.workflow.putSavedViews(agent.email, views, stored.version, deps.clock().toISOString());
      return result;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt === VIEW_WRITE_ATTEMPTS) throw error;
    }
  }
}

/** The caller's saved views, by name; nobody else's. */
export async function listSavedViews(deps: ApiDeps, agent: Agent): Promise<SavedView[]> {
  return sortViews((await deps.workflow.getSavedViews(agent.email)).views);
}

/**
 * Saves a view of the caller's: new, or (by a name they already use) replacing that view's query.
 * @throws zod's `$ZodError`, InvalidInputError (unknown query key or desk, too many views), ConcurrentUpdateError
 */
export async function saveSavedView(deps: ApiDeps, agent: Agent, input: unknown): Promise<Omit<SavedViewChange, 'views'>> {
  const context = { id: newId(), at: deps.clock().toISOString(), deskIds: deps.config.desks.map((d) => d.id) };
  const change = await changeViews(deps, agent, (views) => {
    const decided = saveView(views, input, context);
    return { views: decided.changed ? decided.views : null, result: decided };
  });
  if (change.changed)
    deps.log.info(change.created ? 'saved view created' : 'saved view changed', { viewId: change.view.id, by: agent.email });
  return { view: change.view, created: change.created, changed: change.changed };
}

/** Deletes one of the caller's views. @throws NotFoundError when they have none with that id. */
export async function deleteSavedView(deps: ApiDeps, agent: Agent, id: string): Promise<void> {
  await changeViews(deps, agent, (views) => ({ views: removeView(views, id), result: undefined }));
  deps.log.info('saved view deleted', { viewId: id, by: agent.email });
}
