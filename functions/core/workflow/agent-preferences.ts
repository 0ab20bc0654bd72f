// core: a team member's notification preferences: one switch per kind, all on until they change them
import * as z from 'zod/mini';
import '../config/zod-messages';
import { NOTICE_KINDS, type NoticeKind } from './event-types';

export type AgentPreferences = Readonly<Record<NoticeKind, boolean>>;

/** Everything on: a new team member hears about everything until they choose otherwise. */
export const DEFAULT_AGENT_PREFERENCES: AgentPreferences = Object.fromEntries(NOTICE_KINDS.map((kind) => [kind, true])) as AgentPreferences;

const preferencesSchema = z.strictObject(
  Object.fromEntries(NOTICE_KINDS.map((kind) => [kind, z.optional(z.boolean())])) as Record<
    NoticeKind,
    z.ZodMiniOptional<z.ZodMiniBoolean>
  >,
);

/**
 * Reads preferences sent by an agent or stored in the table; missing kinds keep `base` (the defaults).
 * @throws zod's `$ZodError` naming an unknown kind or a value that is not true/false.
 * @example parseAgentPreferences({ 'new-ticket': false })['customer-reply'] // true
 */
export function parseAgentPreferences(input: unknown, base: AgentPreferences = DEFAULT_AGENT_PREFERENCES): AgentPreferences {
  const given = preferencesSchema.parse(input ?? {});
  return Object.fromEntries(NOTICE_KINDS.map((kind) => [kind, given[kind] ?? base[kind]])) as AgentPreferences;
}
