// core: ingest step: a team member forwards a customer's mail to the desk, and the ticket is the customer's
import { findTeamMember, isDeskAddress } from '../config/desk-config';
import { separateReply } from '../email/extract-reply';
import { inlineForwarded, withoutForwardPrefix } from '../email/forwarded-message';
import type { Authenticity, Mailbox, ParsedMail } from '../types';
import { stepLog, type IngestStep } from './ingest-step';

/** A forward the desk files for the original sender. */
export interface TeamForward {
  /** The team member who forwarded it. */
  readonly agent: Mailbox;
  /** The mail as the customer wrote it: their From, subject and text; the forward's ids, verdicts and raw object. */
  readonly mail: ParsedMail;
  /** What agents read on the message: who forwarded it, with what they wrote above it. */
  readonly notice: string;
}

const NOTE_LIMIT = 500;

/** What SES's verdicts prove about the customer of a forward: nothing, since SES checked the forwarder's mail. */
export function forwardedAuthenticity(agent: Mailbox): Authenticity {
  return {
    verdict: 'unknown',
    reason: `forwarded by ${agent.address}, whose mail SES authenticated; the original sender's was not checked`,
  };
}

/**
 * The original mail when a team member forwarded it (inline, or as an attached message), null otherwise. Only when SES authenticated the forwarder: From alone is anyone's to write, and a stranger
 * posing as an agent must not open tickets in a customer's name. A forward of another team member's or the desk's own
 * mail is filed as usual (from the forwarder).
 */
export function teamForward(step: IngestStep): TeamForward | null {
  const { mail, deps } = step;
  const sender = mail.from.address.toLowerCase();
  const member = findTeamMember(deps.config.team, sender);
  if (!member) return null;
  const original = originalOf(mail);
  if (!original) return null;
  if (step.authenticity.verdict !== 'pass') {
    stepLog(step, 'warn', 'forward from a team address not authenticated by SES: filed as from the sender', {
      authenticity: step.authenticity.reason,
    });
    return null;
  }
  const author = original.from.address;
  if (isDeskAddress(deps.config, author) || findTeamMember(deps.config.team, author)) return null;
  const agent = { address: sender, name: member.name };
  const note = original.note.length > NOTE_LIMIT ? `${original.note.slice(0, NOTE_LIMIT)}…` : original.note;
  return {
    agent,
    mail: original.mail,
    notice: `Forwarded into the desk by ${member.name} <${sender}>${note ? `, who wrote: “${note}”` : ''}. SES authenticated ${member.name}'s mail; the original sender's own mail was not checked.`,
  };
}

/**
 * The customer's mail inside the forward. mailparser renders an attached message/rfc822 into the text (its header
 * block, then its body) and lists its attachments with the forward's, so one reader covers both ways of forwarding.
 */
function originalOf(mail: ParsedMail): { mail: ParsedMail; from: Mailbox; note: string } | null {
  const inline = inlineForwarded(mail.text);
  if (!inline) return null;
  const separated = separateReply(inline.text);
  return {
    from: inline.from,
    note: inline.note,
    mail: {
      ...mail,
      from: inline.from,
      replyTo: [...inline.replyTo],
      to: [],
      cc: [],
      subject: inline.subject ?? withoutForwardPrefix(mail.subject),
      text: inline.text,
      reply: separated.reply,
      replyConfidence: separated.confidence,
      // The forward's HTML holds the forwarder's part too; the text below the block is the customer's.
      html: null,
    },
  };
}
