// core: ingest step: a bounce or complaint arriving as mail marks the recipient of the email of ours it proves it is about
import { decideFeedback } from '../feedback/address-feedback';
import { matchReport, type SentDelivery } from '../feedback/report-match';
import type { MessageIdTarget } from '../ports';
import type { ThreadCandidates } from '../threading/thread-candidates';
import { ticketAfterMessage } from '../tickets/ticket-activity';
import type { ParsedMail } from '../types';
import { embeddedMessageIds } from './embedded-message-ids';
import { storeInboundMessage } from './inbound-message';
import { ingestRecord, outcomeOfWriteError, recordOutcome } from './ingest-outcome';
import { stepLog, type IngestResult, type IngestStep } from './ingest-step';

/**
 * The Message-IDs a report refers to: its own threading headers, then those of the original message it returns. Any
 * list of original ids works here (an SES notification's `mail.messageId` in its header form, for instance).
 */
export function reportMessageIds(mail: ParsedMail, candidates: ThreadCandidates): string[] {
  return [...new Set([...candidates.messageIds, ...embeddedMessageIds(mail)])];
}

/** Our deliveries among the report's Message-IDs, with their recipients (read for items written without one). */
async function sentDeliveries(step: IngestStep): Promise<SentDelivery[]> {
  const targets = reportMessageIds(step.mail, step.candidates)
    .map((id) => step.lookup.messageIds.get(id))
    .filter((t): t is MessageIdTarget & { deliveryId: string } => t !== undefined && t.deliveryId !== null);
  const unknown = targets.filter((t) => t.recipient === null);
  const recipients = unknown.length > 0 ? await step.deps.tickets.deliveryRecipients(unknown) : new Map<string, string>();
  return targets.flatMap((t) => {
    const recipient = t.recipient ?? recipients.get(t.deliveryId);
    return recipient ? [{ ticketId: t.ticketId, deliveryId: t.deliveryId, recipient: recipient.toLowerCase() }] : [];
  });
}

/**
 * Records a bounce or complaint about an email we sent: the recipient of that email is marked as {@link decideFeedback}
 * decides, the delivery is marked bounced when the failure is permanent, and the report is noted on the ticket (status
 * unchanged). A report that matches none of our emails, or names someone else, is recorded `ignored` and marks nobody.
 */
export async function recordReport(step: IngestStep): Promise<IngestResult> {
  const { deps, input, mail, lookup } = step;
  const { classification } = mail;
  const kind = classification.kind === 'complaint' ? 'complaint' : 'bounce';
  const match = matchReport(classification.failedRecipients, await sentDeliveries(step));
  if (match.unmatched !== null) {
    const reason = `${kind} not acted on: ${match.unmatched} (${classification.reason})`;
    stepLog(step, 'warn', `${kind} matches no email of ours; nobody marked`, {
      failedRecipients: classification.failedRecipients.slice(0, 20),
    });
    return recordOutcome(deps, input, 'ignored', reason, { attempts: step.attempts, mail });
  }
  const feedback = decideFeedback({
    kind,
    permanent: classification.permanent ?? null,
    recipients: [...new Set(match.matches.map((m) => m.recipient))].map((address) => ({ address })),
    reason: classification.reason,
  });
  const ticketId = match.matches[0]!.ticketId;
  const before = lookup.tickets.get(ticketId) ?? (await deps.tickets.getTicket(ticketId));
  const ingest = ingestRecord(deps, input, kind, classification.reason, before?.id ?? null, mail.messageId, step.attempts, mail);
  const message = before ? await storeInboundMessage(deps, input, mail, before.id, 'message-id') : null;
  try {
    await deps.tickets.recordReport({
      ingest,
      fingerprint: step.claims.fingerprint,
      addresses: feedback.addresses,
      bouncedDeliveries: feedback.deliveriesBounced
        ? match.matches.map(({ ticketId: t, deliveryId }) => ({ ticketId: t, deliveryId }))
        : [],
      reason: classification.reason,
      onTicket:
        before && message
          ? { before, after: ticketAfterMessage(before, message, { updatesPreview: false, threads: false }), message }
          : null,
    });
  } catch (error) {
    return outcomeOfWriteError(step, error);
  }
  stepLog(step, 'info', `${kind} recorded`, { ticketId: before?.id, marked: feedback.addresses.map((a) => a.address) });
  return { outcome: kind, reason: ingest.reason, ticketId: before?.id ?? null, messageId: mail.messageId };
}
