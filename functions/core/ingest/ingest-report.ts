// core: ingest step: a bounce or complaint arriving as mail marks the addresses it reports and our deliveries it names
import { decideFeedback } from '../feedback/address-feedback';
import type { MessageIdTarget } from '../ports';
import type { ThreadCandidates } from '../threading/thread-candidates';
import { ticketAfterMessage } from '../tickets/ticket-activity';
import type { ParsedMail } from '../types';
import { embeddedMessageIds } from './embedded-message-ids';
import { storeInboundMessage } from './inbound-message';
import { ingestRecord, outcomeOfWriteError } from './ingest-outcome';
import { stepLog, type IngestResult, type IngestStep } from './ingest-step';

/** A report names at most this many of our deliveries that it marks. */
const MAX_REPORTED_DELIVERIES = 10;

/** The Message-IDs a report refers to: its own threading headers, then those of the returned message inside it. */
export function reportMessageIds(mail: ParsedMail, candidates: ThreadCandidates): string[] {
  return [...new Set([...candidates.messageIds, ...embeddedMessageIds(mail)])];
}

/**
 * Records a bounce or complaint: the address states {@link decideFeedback} decides, the deliveries it names marked
 * bounced when the failure is permanent, and a message on the ticket it refers to (status unchanged).
 */
export async function recordReport(step: IngestStep): Promise<IngestResult> {
  const { deps, input, mail, lookup } = step;
  const { classification } = mail;
  const targets = reportMessageIds(mail, step.candidates)
    .map((id) => lookup.messageIds.get(id))
    .filter((target): target is MessageIdTarget => target !== undefined);
  const ticketId = targets[0]?.ticketId ?? null;
  const before = ticketId ? (lookup.tickets.get(ticketId) ?? (await deps.tickets.getTicket(ticketId))) : null;
  const feedback = decideFeedback({
    kind: classification.kind === 'complaint' ? 'complaint' : 'bounce',
    permanent: classification.permanent ?? null,
    recipients: classification.failedRecipients.map((address) => ({ address })),
    reason: classification.reason,
  });
  const outcome = classification.kind === 'complaint' ? 'complaint' : 'bounce';
  const ingest = ingestRecord(deps, input, outcome, classification.reason, before?.id ?? null, mail.messageId, step.attempts);
  const message = before ? await storeInboundMessage(deps, input, mail, before.id, 'message-id') : null;
  const bouncedDeliveries = feedback.deliveriesBounced
    ? targets.flatMap((t) => (t.deliveryId ? [{ ticketId: t.ticketId, deliveryId: t.deliveryId }] : [])).slice(0, MAX_REPORTED_DELIVERIES)
    : [];
  try {
    await deps.tickets.recordReport({
      ingest,
      addresses: feedback.addresses,
      bouncedDeliveries,
      reason: classification.reason,
      onTicket: before && message ? { before, after: ticketAfterMessage(before, message), message } : null,
    });
  } catch (error) {
    return outcomeOfWriteError(deps, input, step.attempts, error);
  }
  stepLog(step, 'info', `${outcome} recorded`, { ticketId: before?.id, failedRecipients: classification.failedRecipients });
  return { outcome, reason: ingest.reason, ticketId: before?.id ?? null, messageId: mail.messageId };
}
