// core: what an inbound mail offers for threading: reply tokens, Message-IDs, a subject tag
import { findDesk, type DeskConfig } from '../config/desk-config';
import { normalizeMessageId } from '../ids';
import type { ParsedMail } from '../types';
import { verifyReplyToken, type TokenKeys } from './reply-token';

/** Enough ids to follow any real thread, few enough for one BatchGetItem with the other keys. */
const MAX_THREAD_IDS = 40;

export interface ThreadCandidates {
  /** Ticket ids named by reply tokens whose signature verified, in the order found. */
  readonly tokenTicketIds: string[];
  /** The tokens whose signature verified, in the order found (a team notification's proves whom it was sent to). */
  readonly tokens: string[];
  /** Tokens that looked like ours but did not verify (forged or altered): never used to thread. */
  readonly rejectedTokens: string[];
  /** Normalised ids from In-Reply-To first, then References newest first. */
  readonly messageIds: string[];
  /** The number from a `[#42]` subject tag, if any. */
  readonly subjectTag: number | null;
}

/** Reads the threading candidates from a parsed mail; pure. */
export function threadCandidates(mail: ParsedMail, config: DeskConfig, keys: TokenKeys): ThreadCandidates {
  const tokenTicketIds: string[] = [];
  const tokens: string[] = [];
  const rejectedTokens: string[] = [];
  for (const address of mail.envelopeRecipients) {
    const [local = '', domain = ''] = address.toLowerCase().split('@');
    const plus = local.indexOf('+');
    if (plus < 0 || !findDesk(config, `${local.slice(0, plus)}@${domain}`)) continue;
    const token = local.slice(plus + 1);
    const ticketId = verifyReplyToken(keys, token);
    if (ticketId) {
      if (!tokenTicketIds.includes(ticketId)) tokenTicketIds.push(ticketId);
      if (!tokens.includes(token)) tokens.push(token);
    } else if (!rejectedTokens.includes(token)) {
      rejectedTokens.push(token);
    }
  }

  const ids = [mail.inReplyTo, ...[...mail.references].reverse()].filter((id): id is string => Boolean(id));
  const messageIds = [...new Set(ids.map(normalizeMessageId))].slice(0, MAX_THREAD_IDS);

  return { tokenTicketIds, tokens, rejectedTokens, messageIds, subjectTag: subjectTag(mail.subject) };
}

/** The ticket number tagged in a subject (`Re: Printer broken [#42]`), or null. */
export function subjectTag(subject: string): number | null {
  const match = /\[#(\d{1,9})\]/.exec(subject);
  return match ? Number(match[1]) : null;
}
