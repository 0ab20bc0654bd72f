// core: ingest step: an email that threads into an existing ticket becomes its next message, or waits there as held
import type { ThreadDecision } from '../threading/resolve-thread';
import { idForIngest } from '../ids';
import { fanOutBlockedBecause, replyFanOut, type ReplyFanOut } from '../tickets/reply-fan-out';
import type { Ticket, TicketMessage } from '../types';
import { statusAfterInbound, ticketAfterMessage } from '../tickets/ticket-activity';
import { storeInboundMessage } from './inbound-message';
import { ingestRecord, outcomeOfWriteError } from './ingest-outcome';
import { stepLog, type IngestResult, type IngestStep } from './ingest-step';

/**
 * Adds the email to the ticket threading chose. A customer's reply reopens the ticket, an auto-reply does not. A held
 * message (a match by Message-ID or subject tag from someone not trusted on the ticket) changes neither status nor
 * preview, stays out of the thread our mail references, and is recorded `held` for an agent to accept or move. A reply
 * that is not held is relayed to the ticket's other people and adds whom its Cc names (`replyFanOut`), in the same write,
 * so a redelivered event creates no second delivery.
 */
export async function addReply(step: IngestStep, decision: ThreadDecision & { ticketId: string }, before: Ticket): Promise<IngestResult> {
  const { deps, input, mail } = step;
  const held = decision.held;
  const message = await storeInboundMessage(deps, input, mail, before.id, decision.rule, {
    held,
    notices: step.notices,
    idTaken: step.claims.messageId === null,
  });
  const threaded = held
    ? ticketAfterMessage(before, message, { updatesPreview: false, threads: false })
    : ticketAfterMessage(before, message, { status: statusAfterInbound(before.status, mail.classification) });
  const fanOut = held ? null : await fanOutOf(step, before, threaded, message);
  const after = fanOut && fanOut.added.length > 0 ? { ...threaded, participants: [...threaded.participants, ...fanOut.added] } : threaded;
  const outcome = held ? 'held' : 'reply-added';
  const reason = held ? `held on ticket #${before.number} (matched by ${decision.rule}): ${held}` : `threaded by ${decision.rule}`;
  const ingest = ingestRecord(deps, input, outcome, reason, before.id, mail.messageId, step.attempts);
  try {
    await deps.tickets.addInboundMessage({ ingest, claims: step.claims, before, after, message, deliveries: fanOut?.deliveries ?? [] });
  } catch (error) {
    return outcomeOfWriteError(deps, input, step.attempts, error);
  }
  stepLog(step, 'info', held ? 'message held' : 'reply added', {
    ticketId: before.id,
    threadedBy: decision.rule,
    status: after.status,
    ...(fanOut ? { relayed: fanOut.deliveries.filter((d) => d.kind === 'relay').length, added: fanOut.added.length } : {}),
    ...(fanOut?.skipped ? { notRelayed: fanOut.skipped } : {}),
  });
  return { outcome, reason, ticketId: before.id, messageId: mail.messageId };
}

/** The relays and Cc additions a threaded reply causes (see replyFanOut); the desk's settings are read only for it. */
async function fanOutOf(step: IngestStep, before: Ticket, after: Ticket, message: TicketMessage): Promise<ReplyFanOut> {
  const { deps, input, mail } = step;
  const blocked = fanOutBlockedBecause(before, mail, step.authenticity);
  if (blocked !== null) return { added: [], deliveries: [], skipped: blocked };
  return replyFanOut({
    before,
    after,
    mail,
    message,
    authenticity: step.authenticity,
    settings: await deps.settings(step.desk.id),
    config: deps.config,
    deliveryId: (purpose) => idForIngest(deps.tokenKeys, input.key, `delivery:${purpose}`),
    at: input.receivedAt,
  });
}
