// core: ingest step: a bounce or complaint arriving as mail marks the recipient of the email of ours it proves it is about
import { decideFeedback } from '../feedback/address-feedback';
import { matchReport, type SentDelivery } from '../feedback/report-match';
import { lateEnd } from '../notify/delivery-marks';
import type { Delivery, LateEndWrite } from '../notify/notify-ports';
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

/** Our deliveries among the report's Message-IDs, with their recipients, and each as it stands now (one read). */
async function sentDeliveries(step: IngestStep): Promise<{ sent: SentDelivery[]; stored: Map<string, Delivery> }> {
  const targets = reportMessageIds(step.mail, step.candidates)
    .map((id) => step.lookup.messageIds.get(id))
    .filter((t): t is MessageIdTarget & { deliveryId: string } => t !== undefined && t.deliveryId !== null);
  const stored = targets.length > 0 ? await step.deps.tickets.getDeliveries(targets) : new Map<string, Delivery>();
  const sent = targets.flatMap((t) => {
    // Message-ID items older than their `recipient` field name it through the delivery.
    const recipient = t.recipient ?? stored.get(t.deliveryId)?.recipient.address;
    return recipient ? [{ ticketId: t.ticketId, deliveryId: t.deliveryId, recipient: recipient.toLowerCase() }] : [];
  });
  return { sent, stored };
}

/**
 * Records a bounce or complaint about an email we sent: the recipient of that email is marked as {@link decideFeedback}
 * decides, the delivery ends (`bounced` for good, `complained`) and marks its ticket as `lateEnd` decides from the
 * delivery's status (once: a second report about the same email ends and marks nothing again), and the report is noted
 * on the ticket (status unchanged). A report that matches none of our emails, or names someone else, is recorded
 * `ignored` and marks nobody and no ticket.
 */
export async function recordReport(step: IngestStep): Promise<IngestResult> {
  const { deps, input, mail, lookup } = step;
  const { classification } = mail;
  const kind = classification.kind === 'complaint' ? 'complaint' : 'bounce';
  const { sent, stored } = await sentDeliveries(step);
  const match = matchReport(classification.failedRecipients, sent);
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
  const endedDeliveries = match.matches.flatMap((m): LateEndWrite[] => {
    const delivery = stored.get(m.deliveryId);
    const decision = delivery ? lateEnd(feedback.deliveryEnd, delivery.status) : null;
    return delivery && decision?.end
      ? [
          {
            ticketId: m.ticketId,
            deliveryId: m.deliveryId,
            deskId: delivery.deskId,
            status: decision.end,
            marksTicket: decision.marksTicket,
          },
        ]
      : [];
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
      endedDeliveries,
      reason: classification.reason,
      onTicket:
        before && message
          ? { before, after: ticketAfterMessage(before, message, { updatesPreview: false, threads: false }), message }
          : null,
    });
  } catch (error) {
    return outcomeOfWriteError(step, error);
  }
  stepLog(step, 'info', `${kind} recorded`, {
    ticketId: before?.id,
    marked: feedback.addresses.map((a) => a.address),
    ended: endedDeliveries.map((e) => ({ deliveryId: e.deliveryId, status: e.status, ticketMarked: e.marksTicket })),
  });
  return { outcome: kind, reason: ingest.reason, ticketId: before?.id ?? null, messageId: mail.messageId };
}
