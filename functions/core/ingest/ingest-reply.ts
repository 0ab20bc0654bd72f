// core: ingest step: an email that threads into an existing ticket becomes its next message, or waits there as held
import type { ThreadDecision } from '../threading/resolve-thread';
import type { Ticket } from '../types';
import { statusAfterInbound, ticketAfterMessage } from '../tickets/ticket-activity';
import { storeInboundMessage } from './inbound-message';
import { ingestRecord, outcomeOfWriteError } from './ingest-outcome';
import { stepLog, type IngestResult, type IngestStep } from './ingest-step';

/**
 * Adds the email to the ticket threading chose. A customer's reply reopens the ticket, an auto-reply does not. A held
 * message (a match by Message-ID or subject tag from someone not trusted on the ticket) changes neither status nor
 * preview, stays out of the thread our mail references, and is recorded `held` for an agent to accept or move.
 */
export async function addReply(step: IngestStep, decision: ThreadDecision & { ticketId: string }, before: Ticket): Promise<IngestResult> {
  const { deps, input, mail } = step;
  const held = decision.held;
  const message = await storeInboundMessage(deps, input, mail, before.id, decision.rule, {
    held,
    notices: step.notices,
    idTaken: step.claims.messageId === null,
  });
  const after = held
    ? ticketAfterMessage(before, message, { updatesPreview: false, threads: false })
    : ticketAfterMessage(before, message, { status: statusAfterInbound(before.status, mail.classification) });
  const outcome = held ? 'held' : 'reply-added';
  const reason = held ? `held on ticket #${before.number} (matched by ${decision.rule}): ${held}` : `threaded by ${decision.rule}`;
  const ingest = ingestRecord(deps, input, outcome, reason, before.id, mail.messageId, step.attempts);
  try {
    await deps.tickets.addInboundMessage({ ingest, claims: step.claims, before, after, message });
  } catch (error) {
    return outcomeOfWriteError(deps, input, step.attempts, error);
  }
  stepLog(step, 'info', held ? 'message held' : 'reply added', { ticketId: before.id, threadedBy: decision.rule, status: after.status });
  return { outcome, reason, ticketId: before.id, messageId: mail.messageId };
}
