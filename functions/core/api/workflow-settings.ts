// core: use cases of the team's workflow: an agent's notification preferences, failed webhooks, saved replies
import type { AgentPreferences } from '../workflow/agent-preferences';
import { DEFAULT_AGENT_PREFERENCES, parseAgentPreferences } from '../workflow/agent-preferences';
import type { WebhookDelivery, WebhookKey } from '../workflow/workflow-ports';
import { savedReply, type SavedReply } from '../workflow/saved-replies';
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
