// core: ingest step: an email that threads into an existing ticket becomes its next message
import { NotFoundError } from '../errors';
import type { ThreadDecision } from '../threading/resolve-thread';
import type { Ticket } from '../types';
import { statusAfterInbound, ticketAfterMessage } from '../tickets/ticket-activity';
import { storeInboundMessage } from './inbound-message';
import { ingestRecord, outcomeOfWriteError } from './ingest-outcome';
import { stepLog, type IngestResult, type IngestStep } from './ingest-step';

/** Adds the email to the ticket threading chose; a customer's reply reopens the ticket, an auto-reply does not. */
export async function addReply(
  step: IngestStep,
  decision: ThreadDecision & { ticketId: string },
  tickets: ReadonlyMap<string, Ticket>,
): Promise<IngestResult> {
  const { deps, input, mail } = step;
  const before = tickets.get(decision.ticketId);
  if (!before) throw new NotFoundError(`ticket ${decision.ticketId} vanished while threading`);
  const message = await storeInboundMessage(deps, input, mail, before.id, decision.rule);
  const after = ticketAfterMessage(before, message, { status: statusAfterInbound(before.status, mail.classification) });
  const ingest = ingestRecord(deps, input, 'reply-added', `threaded by ${decision.rule}`, before.id, mail.messageId, step.attempts);
  try {
    await deps.tickets.addInboundMessage({ ingest, before, after, message });
  } catch (error) {
    return outcomeOfWriteError(deps, input, step.attempts, error);
  }
  stepLog(step, 'info', 'reply added', { ticketId: before.id, threadedBy: decision.rule, status: after.status });
  return { outcome: 'reply-added', reason: ingest.reason, ticketId: before.id, messageId: mail.messageId };
}
