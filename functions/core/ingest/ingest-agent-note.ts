// core: ingest step: a team member's emailed answer to a team notification becomes an internal note on its ticket
import { findTeamMember, type TeamMember } from '../config/desk-config';
import { agentMessageTerms } from '../search/search-terms';
import { tokenIsForAgent, verifyReplyToken } from '../threading/reply-token';
import { ticketAfterMessage } from '../tickets/ticket-activity';
import type { Ticket } from '../types';
import { storeInboundMessage } from './inbound-message';
import { ingestRecord, outcomeOfWriteError } from './ingest-outcome';
import { stepLog, type IngestResult, type IngestStep } from './ingest-step';

/** The ticket and team member of a mail that answers a team notification, as its reply token proves. */
export interface AgentNoteTarget {
  readonly ticket: Ticket;
  readonly member: TeamMember;
}

/**
 * The ticket a mail is a team member's answer to a notification on, or null to handle it as any other mail. It is only
 * when a reply token the mail was sent to was made for a notice to the address in From (tokenIsForAgent), that address is
 * on the team, SES did not find it spoofed (a forwarded notice's token in a stranger's hands proves nothing with a forged
 * From), and it is no auto-reply (an out-of-office answer is no note).
 */
export function agentNoteTarget(step: IngestStep): AgentNoteTarget | null {
  const { deps, mail, candidates, lookup } = step;
  if (step.authenticity.verdict === 'fail' || mail.classification.kind !== 'normal') return null;
  const sender = mail.from.address.toLowerCase();
  const member = findTeamMember(deps.config.team, sender);
  if (!member) return null;
  const token = candidates.tokens.find((t) => tokenIsForAgent(deps.tokenKeys, t, sender));
  const ticket = token ? lookup.tickets.get(verifyReplyToken(deps.tokenKeys, token) ?? '') : undefined;
  return ticket ? { ticket, member } : null;
}

/**
 * Adds the answer as an internal note by the team member: never a customer message, so it reopens nothing, is not
 * relayed and mails nobody (the notify stream skips notes). The message id derives from the S3 key and the write is
 * conditional on the ingest record, so a redelivered event adds nothing twice.
 */
export async function addAgentNote(step: IngestStep, target: AgentNoteTarget): Promise<IngestResult> {
  const { deps, input, mail } = step;
  const { ticket: before, member } = target;
  const stored = await storeInboundMessage(deps, input, mail, before.id, 'reply-token', {
    notices: step.notices,
    idTaken: step.claims.messageId === null,
  });
  const text = stored.reply.trim() ? stored.reply : stored.text;
  const message = { ...stored, direction: 'note' as const, author: member.email, text, reply: text, html: null };
  const after = ticketAfterMessage(before, message, { updatesPreview: false, threads: false });
  const reason = `internal note by team member ${member.email}, answering a team notification on ticket #${before.number}`;
  try {
    await deps.tickets.addInboundMessage({
      ingest: ingestRecord(deps, input, 'reply-added', reason, before.id, mail.messageId, step.attempts, mail),
      claims: step.claims,
      before,
      after,
      message,
      deliveries: [],
      terms: agentMessageTerms(text),
    });
  } catch (error) {
    return outcomeOfWriteError(step, error);
  }
  stepLog(step, 'info', 'team member note added', { ticketId: before.id, author: member.email });
  return { outcome: 'reply-added', reason, ticketId: before.id, messageId: mail.messageId };
}
