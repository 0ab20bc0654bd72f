// core: ingest step: an email that belongs to no ticket opens one (in spam when SES says so) with its acknowledgement
import { idForIngest } from '../ids';
import { acknowledgement, newTicketFromMail } from '../tickets/new-ticket';
import { newTicketTerms } from '../search/search-terms';
import { firstMailNotices } from '../tickets/participant-notice';
import { decideIntake, roundRobinAgents, roundRobinAssignee, type RoundRobinChoice } from '../workflow/intake-rules';
import { NO_AUTHENTICATION } from '../email/classify';
import type { Authenticity, ParsedMail } from '../types';
import { forwardedAuthenticity, type TeamForward } from './ingest-forwarded';
import { storeInboundMessage, virusFound } from './inbound-message';
import { ingestRecord, outcomeOfWriteError } from './ingest-outcome';
import { stepLog, type IngestResult, type IngestStep } from './ingest-step';

/**
 * Opens a ticket. Its id derives from the S3 key, so a redelivery builds the same ticket; the number comes from
 * the desk's counter (a crash before the write skips a number, never repeats one). Spam gets no acknowledgement, nor
 * does a spoofed sender: the address in From did not write, and an answer would land on whoever it names. Nor does a
 * team member's forward: the customer did not write to the desk, and hears from it when the team answers.
 */
export async function openTicket(step: IngestStep, options: { spam: boolean; forward?: TeamForward }): Promise<IngestResult> {
  const { deps, input, mail, desk } = step;
  const { spam, forward } = options;
  const ticketId = idForIngest(deps.tokenKeys, input.key, 'ticket');
  const number = await deps.tickets.nextTicketNumber(desk.id);
  const message = await storeInboundMessage(deps, input, mail, ticketId, 'new-ticket', {
    notices: forward ? [...step.notices, forward.notice] : step.notices,
    idTaken: step.claims.messageId === null,
    forwardedBy: forward?.agent,
  });
  const status = spam ? 'spam' : 'open';
  const opened = newTicketFromMail({ mail, desk, config: deps.config, id: ticketId, number, status, at: input.receivedAt, message });
  // Rules never treat spam: a spammer must not get a ticket assigned or prioritised by writing the right words.
  const intake = spam ? null : decideIntake((await deps.settings(desk.id)).rules, intakeFacts(step, forward));
  const assignee = intake ? (intake.assignee ?? (await takeTurn(step, intake.roundRobin))) : null;
  const ticket = intake ? { ...opened, labels: intake.labels, assignee, priority: intake.priority ?? opened.priority } : opened;
  const reason = spam
    ? `SES verdict spam=${mail.verdicts.spam ?? '-'} virus=${mail.verdicts.virus ?? '-'}${virusFound(mail) ? ' (attachments quarantined)' : ''}`
    : step.authenticity.verdict === 'fail'
      ? `new ticket from a spoofed sender, no acknowledgement (${step.authenticity.reason})`
      : forward
        ? `new ticket for ${mail.from.address}, forwarded by team member ${forward.agent.address}, no acknowledgement`
        : 'new ticket';
  const ack =
    spam || forward || step.authenticity.verdict === 'fail' || intake?.skipAcknowledgement
      ? null
      : acknowledgement(ticket, message, mail, input.receivedAt);
  const notices = firstMailNotices({
    ticket,
    messageItemId: message.id,
    authenticity: step.authenticity,
    sendsMail: !spam && !forward,
    deliveryId: (purpose) => idForIngest(deps.tokenKeys, input.key, `delivery:${purpose}`),
    at: input.receivedAt,
  });
  try {
    await deps.tickets.createTicket({
      ingest: ingestRecord(deps, input, 'ticket-created', reason, ticketId, mail.messageId, step.attempts, mail),
      claims: step.claims,
      ticket,
      message,
      deliveries: [...(ack ? [ack] : []), ...notices],
      terms: newTicketTerms(ticket, mail),
    });
  } catch (error) {
    return outcomeOfWriteError(step, error);
  }
  stepLog(step, 'info', 'ticket created', {
    ticketId,
    number,
    status,
    deskId: desk.id,
    rules: intake?.matched ?? [],
    ...(intake?.roundRobin ? { roundRobin: intake.roundRobin.rule, assignee } : {}),
    notices: notices.length,
  });
  return { outcome: 'ticket-created', reason, ticketId, messageId: mail.messageId };
}

/**
 * What the rules may rely on. For a team member's forward, SES's SPF, DKIM and DMARC results are the forwarder's, not
 * the customer's: the customer's From (written in the forward's body, by anyone) counts as not authenticated.
 */
function intakeFacts(step: IngestStep, forward: TeamForward | undefined): { mail: ParsedMail; authenticity: Authenticity } {
  if (!forward) return { mail: step.mail, authenticity: step.authenticity };
  return { mail: { ...step.mail, authentication: NO_AUTHENTICATION }, authenticity: forwardedAuthenticity(forward.agent) };
}

/**
 * The agent whose turn it is in a rule's rotation. Only a new, non-spam ticket gets here (a redelivered event of a
 * created ticket is a duplicate before this step), so a replay never takes a turn; a crash before the write skips one.
 */
async function takeTurn(step: IngestStep, choice: RoundRobinChoice | null): Promise<string | null> {
  if (!choice) return null;
  const agents = roundRobinAgents(choice, step.deps.config.team);
  if (agents.length === 0) return null;
  return roundRobinAssignee(agents, await step.deps.tickets.nextRoundRobinTurn(step.desk.id, choice.rule));
}
