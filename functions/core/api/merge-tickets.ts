// core: use case: merge one ticket into another (the source becomes a closed pointer that threading follows)
import { InvalidInputError, NotFoundError } from '../errors';
import { normalizeMessageId } from '../ids';
import { messageTerms, threadTerms } from '../search/search-terms';
import { MAX_THREAD_IDS } from '../tickets/ticket-activity';
import type { Participant, Ticket, TicketMessage } from '../types';
import { agentMessage, deskOf } from './agent-messages';
import type { ApiDeps } from './api-ports';
import type { Agent } from './auth';

/** Messages one merge moves at most: the move is one transaction (100 items, four of them the tickets and notes). */
export const MAX_MERGED_MESSAGES = 96;

/** Everything a merge writes: both tickets guarded by their versions, the moved messages, a note on each. */
export interface MergeWrite {
  readonly source: { readonly before: Ticket; readonly after: Ticket };
  readonly target: { readonly before: Ticket; readonly after: Ticket };
  /** The source's messages, now under the target (same ids and times). */
  readonly moved: readonly TicketMessage[];
  readonly notes: { readonly source: TicketMessage; readonly target: TicketMessage };
  /** Search terms the source's thread adds to the target. */
  readonly terms: readonly string[];
}

/** The target's people after a merge: its own, then the source's it lacks (as Cc), without the limit on new mail. */
function mergedParticipants(target: Ticket, source: Ticket): Participant[] {
  const people = [...target.participants];
  for (const p of [{ ...source.requester, role: 'cc' as const, unsubscribed: false }, ...source.participants]) {
    const address = p.address.toLowerCase();
    if (!address.includes('@') || people.some((q) => q.address.toLowerCase() === address)) continue;
    people.push({ address, name: p.name, role: p.role === 'requester' ? 'cc' : p.role, unsubscribed: p.unsubscribed });
  }
  return people;
}

function mergedThreadIds(target: Ticket, source: Ticket): string[] {
  const all = [...new Set([...target.threadMessageIds, ...source.threadMessageIds].map(normalizeMessageId))];
  return all.length > MAX_THREAD_IDS ? [all[0]!, ...all.slice(-(MAX_THREAD_IDS - 1))] : all;
}

/**
 * Merges ticket `sourceId` into `targetId`: the source's messages, people and thread ids move to the target; the
 * source is closed with a pointer that threading (token, Message-ID, `[#n]`), search and `GET` follow. Both get a note.
 * @throws NotFoundError, InvalidInputError (itself, already merged, another desk), ConcurrentUpdateError
 * @example await mergeTickets(deps, agent, '01abc', '01def')
 */
export async function mergeTickets(deps: ApiDeps, agent: Agent, sourceId: string, targetId: string): Promise<Ticket> {
  if (sourceId === targetId) throw new InvalidInputError('into: a ticket cannot be merged into itself');
  const [thread, target] = await Promise.all([deps.desk.getThread(sourceId), deps.tickets.getTicket(targetId)]);
  if (!thread) throw new NotFoundError(`ticket ${sourceId} does not exist`);
  if (!target) throw new NotFoundError(`into: ticket ${targetId} does not exist`);
  const source = thread.ticket;
  if (source.mergedInto) throw new InvalidInputError(`ticket #${source.number} is already merged into another ticket`);
  if (target.mergedInto)
    throw new InvalidInputError(`into: ticket #${target.number} was merged itself; merge into the ticket it points to`);
  if (source.deskId !== target.deskId) throw new InvalidInputError('into: tickets of different desks cannot be merged');
  if (thread.messages.length > MAX_MERGED_MESSAGES) {
    throw new InvalidInputError(`ticket #${source.number} has more than ${MAX_MERGED_MESSAGES} messages, more than one merge can move`);
  }

  const now = deps.clock().toISOString();
  const desk = deskOf(deps.config, source);
  const note = (ticket: Ticket, text: string) =>
    agentMessage(ticket, desk, deps.config, agent, { direction: 'note', text, to: [], attachments: [], createdAt: now });
  const notes = {
    source: note(source, `${agent.name} merged this ticket into #${target.number} (${target.subject}).`),
    target: note(target, `${agent.name} merged #${source.number} (${source.subject}) into this ticket.`),
  };
  const moved = thread.messages.map((m) => ({ ...m, ticketId: target.id }));
  const write: MergeWrite = {
    source: {
      before: source,
      after: {
        ...source,
        status: 'closed',
        mergedInto: target.id,
        messageCount: source.messageCount + 1,
        updatedAt: now,
        version: source.version + 1,
      },
    },
    target: {
      before: target,
      after: {
        ...target,
        participants: mergedParticipants(target, source),
        threadMessageIds: mergedThreadIds(target, source),
        messageCount: target.messageCount + moved.length + 1,
        updatedAt: now,
        version: target.version + 1,
      },
    },
    moved,
    notes,
    // The source's people move with its thread: the target is found by them too (some never wrote a message).
    terms: [
      ...threadTerms(source.subject, thread.messages),
      ...messageTerms({ body: '', people: [source.requester, ...source.participants] }),
    ],
  };
  await deps.desk.mergeTickets(write);
  deps.log.info('tickets merged', { ticketId: source.id, into: target.id, by: agent.email, moved: moved.length });
  return write.target.after;
}
