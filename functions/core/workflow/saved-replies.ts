// core: saved replies: team-shared answers with placeholders that may also set status, labels and assignee (macros)
import * as z from 'zod/mini';
import { findTeamMember } from '../config/desk-config';
import '../config/zod-messages';
import { InvalidInputError } from '../errors';
import { templateTextProblems } from '../notify/template-check';
import { TICKET_STATUSES, type TicketStatus } from '../types';

/**
 * Placeholders a saved reply may use; the dashboard fills them in when an agent picks the reply, so the agent sees
 * (and can change) the exact text before sending.
 */
export const SAVED_REPLY_PLACEHOLDERS = [
  'customer.name',
  'customer.firstName',
  'ticket.number',
  'ticket.subject',
  'agent.name',
  'desk.name',
] as const;

const savedReplyInput = z.strictObject({
  title: z.string().check(z.trim(), z.minLength(1, 'title must not be empty'), z.maxLength(100)),
  body: z.string().check(z.minLength(1, 'body must not be empty'), z.maxLength(20_000)),
  /** Set on the ticket when the reply is sent (e.g. `closed`). */
  status: z.optional(z.nullable(z.enum(TICKET_STATUSES as [TicketStatus, ...TicketStatus[]]))),
  /** Added to the ticket's labels. */
  labels: z.optional(z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(50))).check(z.maxLength(20))),
  /** Assigns the ticket (a team member's email). */
  assignee: z.optional(z.nullable(z.string().check(z.trim(), z.toLowerCase(), z.email()))),
});

export type SavedReplyInput = z.infer<typeof savedReplyInput>;

export interface SavedReply {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly status: TicketStatus | null;
  readonly labels: readonly string[];
  readonly assignee: string | null;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/**
 * Validates a saved reply from the API: fields, placeholders (each unknown one named) and an assignee on the team.
 * @throws zod's `$ZodError` for an invalid field; InvalidInputError naming an unknown placeholder or assignee.
 * @example savedReply({ title: 'Closing', body: 'Hi {{customer.firstName}}', status: 'closed' }, { id, team, by, at })
 */
export function savedReply(
  input: unknown,
  context: { readonly id: string; readonly team: readonly { email: string }[]; readonly by: string; readonly at: string },
): SavedReply {
  const given = savedReplyInput.parse(input);
  const problems = templateTextProblems(given.body, SAVED_REPLY_PLACEHOLDERS).map((p) => `body: ${p}`);
  if (problems.length > 0) throw new InvalidInputError(problems.join('; '));
  const assignee = given.assignee ?? null;
  if (assignee && !findTeamMember(context.team, assignee)) {
    throw new InvalidInputError(`assignee: ${assignee} is not a member of the team`);
  }
  return {
    id: context.id,
    title: given.title,
    body: given.body,
    status: given.status ?? null,
    labels: [...new Set(given.labels ?? [])],
    assignee,
    updatedAt: context.at,
    updatedBy: context.by,
  };
}
