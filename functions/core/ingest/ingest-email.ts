// core: use case: one stored raw email → parsed, classified, threaded and stored (idempotent)
import { SES_SETUP_NOTIFICATION } from '../../contracts';
import { findDesk, isDeskAddress, type Desk, type DeskConfig } from '../config/desk-config';
import { NotFoundError } from '../errors';
import { normalizeMessageId } from '../ids';
import type { IngestLookup, IngestOutcomeKind } from '../ports';
import { followMerges } from '../tickets/merge-pointer';
import { resolveThread, type ThreadDecision } from '../threading/resolve-thread';
import { senderAuthenticity } from '../threading/sender-trust';
import { threadCandidates, type ThreadCandidates } from '../threading/thread-candidates';
import type { ParsedMail, Ticket } from '../types';
import { contentFingerprint } from './content-fingerprint';
import { virusFound } from './inbound-message';
import { teamForward } from './ingest-forwarded';
import { openTicket } from './ingest-new-ticket';
import { addAgentNote, agentNoteTarget } from './ingest-agent-note';
import { recordOutcome } from './ingest-outcome';
import { recordReport, reportMessageIds } from './ingest-report';
import { addReply } from './ingest-reply';
import { stepLog, type IngestDeps, type IngestInput, type IngestResult, type IngestStep } from './ingest-step';

export type { IngestDeps, IngestInput, IngestResult } from './ingest-step';

/** Tickets that Message-IDs point to which threading weighs (one is picked; more only cost a larger read). */
const MAX_MESSAGE_ID_TICKETS = 5;

/**
 * Ingests one raw email from the object store: the S3 event's unit of work.
 *
 * Idempotent: the ingest record (keyed by the S3 key) is written in the same transaction as everything
 * else, so a redelivered event finds it on its first read and changes nothing; the same email stored under another
 * key (same content below SES's headers) is a duplicate. Mail that cannot be processed is recorded as `failed` with the
 * reason, stays in S3, and can be replayed. Errors that a retry can cure (throttling, timeouts) are thrown, so
 * Lambda's retries and on-failure destination take over.
 *
 * @example await ingestEmail(deps, { bucket: 'mail', key: 'inbound/abc123', receivedAt: event.eventTime })
 */
export async function ingestEmail(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  if (input.key.endsWith(SES_SETUP_NOTIFICATION)) {
    return { outcome: 'skipped', reason: 'SES setup notification', ticketId: null, messageId: null };
  }

  let raw: Uint8Array;
  try {
    raw = await deps.store.get(input.bucket, input.key);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return recordOutcome(deps, input, 'failed', `raw mail not found in s3://${input.bucket}/${input.key}`);
  }

  let mail: ParsedMail;
  try {
    mail = await deps.parse(raw);
  } catch (error) {
    return recordOutcome(deps, input, 'failed', `could not parse: ${(error as Error).message}`);
  }
  return ingestParsed(deps, input, mail, contentFingerprint(raw));
}

/**
 * The steps after parsing: one read of everything threading may need, then exactly one of: a duplicate left
 * alone, mail from the desk itself ignored, a bounce or complaint recorded, a reply added, a message held for an
 * agent, an unthreaded auto-reply ignored, or a new ticket.
 */
async function ingestParsed(deps: IngestDeps, input: IngestInput, mail: ParsedMail, fingerprint: string): Promise<IngestResult> {
  const desk = deskFor(deps.config, mail);
  const candidates = threadCandidates(mail, deps.config, deps.tokenKeys);
  const isReport = mail.classification.kind === 'bounce' || mail.classification.kind === 'complaint';
  const ownId = normalizeMessageId(mail.messageId);
  const lookup = await deps.tickets.lookupForIngest({
    ingestKey: input.key,
    fingerprint,
    // Our own Message-ID comes along: whether another email already holds it decides whether this one indexes it.
    messageIds: [...(isReport ? reportMessageIds(mail, candidates) : candidates.messageIds), ownId],
    ticketIds: candidates.tokenTicketIds,
    numbers: candidates.subjectTag === null ? [] : [{ deskId: desk.id, number: candidates.subjectTag }],
  });
  if (lookup.ingest && !canProcessAgain(lookup.ingest.outcome, input.replay === true)) {
    return { outcome: 'duplicate', reason: 'already ingested', ticketId: lookup.ingest.ticketId, messageId: lookup.ingest.messageId };
  }
  const attempts = (lookup.ingest?.attempts ?? 0) + 1;
  if (lookup.content && lookup.content.key !== input.key) {
    const reason = `the same email was already stored as ${lookup.content.key}`;
    return recordOutcome(deps, input, 'duplicate', reason, { attempts, mail, ticketId: lookup.content.ticketId });
  }
  const idTaken = lookup.messageIds.has(ownId);
  const step: IngestStep = {
    deps,
    input,
    mail,
    desk,
    candidates,
    lookup,
    attempts,
    claims: { fingerprint, messageId: idTaken ? null : ownId },
    authenticity: senderAuthenticity(mail.authentication),
    // Some mailers reuse fixed ids: the mail is new all the same, and the id keeps pointing where it first did.
    notices: idTaken
      ? [
          `Another email already used this Message-ID (${ownId}); this one is kept as its own message. Replies quoting the id thread to where the first went.`,
        ]
      : [],
  };
  if (candidates.rejectedTokens.length > 0) stepLog(step, 'warn', 'reply token rejected: signature does not verify');

  if (isDeskAddress(deps.config, mail.from.address)) {
    return recordOutcome(deps, input, 'ignored', `from the desk's own address ${mail.from.address}`, {
      attempts: step.attempts,
      mail,
    });
  }
  if (isReport) return recordReport(step);
  if (verdictFailed(mail.verdicts.spam) || virusFound(mail)) return openTicket(step, { spam: true });
  const note = agentNoteTarget(step);
  if (note) return addAgentNote(step, note);

  const { decision, tickets } = await decideThread(step);
  if (decision.ticketId !== null) {
    const ticket = tickets.get(decision.ticketId)!;
    if (decision.held === null) return addReply(step, { ...decision, ticketId: decision.ticketId }, ticket);
    if ((await deps.settings(desk.id)).strangers === 'hold') return addReply(step, { ...decision, ticketId: decision.ticketId }, ticket);
    stepLog(step, 'info', 'untrusted match opens a new ticket (desk setting)', { matchedTicketId: ticket.id, rule: decision.rule });
  }
  if (mail.classification.kind === 'auto-reply') {
    const reason = `auto-reply that matches no ticket (${mail.classification.reason})`;
    return recordOutcome(deps, input, 'ignored', reason, { attempts: step.attempts, mail });
  }
  const forward = teamForward(step);
  if (forward) return openTicket({ ...step, mail: forward.mail }, { spam: false, forward });
  return openTicket(step, { spam: false });
}

/** Loads the tickets the threading rules may pick that the first read did not bring, then applies the rules. */
async function decideThread(step: IngestStep): Promise<{ decision: ThreadDecision; tickets: ReadonlyMap<string, Ticket> }> {
  const { deps, candidates, lookup, desk, mail } = step;
  const messageIdTickets = new Map([...lookup.messageIds].map(([id, target]) => [id, target.ticketId]));
  const taggedTicketId = taggedTicket(lookup, desk, candidates);
  // Tokens' tickets came with the first read; Message-ID hits and the tagged ticket are weighed by who may use them.
  const hits = [...new Set(candidates.messageIds.flatMap((id) => messageIdTickets.get(id) ?? []))].slice(0, MAX_MESSAGE_ID_TICKETS);
  const missing = [...new Set([...hits, ...(taggedTicketId ? [taggedTicketId] : [])])].filter((id) => !lookup.tickets.has(id));
  const tickets = new Map(lookup.tickets);
  if (missing.length > 0) for (const [id, ticket] of await deps.tickets.getTickets(missing)) tickets.set(id, ticket);
  const found = resolveThread({
    candidates,
    tickets,
    messageIdTickets,
    taggedTicketId,
    sender: mail.from.address,
    authenticity: step.authenticity,
    deskId: desk.id,
  });
  const picked = found.ticketId === null ? undefined : tickets.get(found.ticketId);
  if (found.ticketId === null || !picked?.mergedInto) return { decision: found, tickets };
  // A merged ticket is a pointer: its token, Message-IDs and tag thread into the ticket it was merged into (whose
  // people include the merged ticket's, so who is trusted was weighed on the right people).
  const target = await followMerges(async (id) => (await deps.tickets.getTickets([id])).get(id) ?? null, picked);
  tickets.set(target.id, target);
  stepLog(step, 'info', 'followed a merged ticket', { ticketId: picked.id, into: target.id });
  return { decision: { ...found, ticketId: target.id }, tickets };
}

function taggedTicket(lookup: IngestLookup, desk: Desk, candidates: ThreadCandidates): string | null {
  return candidates.subjectTag === null ? null : (lookup.numbers.get(`${desk.id}#${candidates.subjectTag}`) ?? null);
}

function verdictFailed(verdict: string | null): boolean {
  return verdict !== null && verdict.toUpperCase() === 'FAIL';
}

/**
 * A failed ingest is retried by any redelivery; an ignored or duplicate one only when an operator replays it (the
 * content check then finds a real duplicate again, while mail once taken for one by its Message-ID alone gets in).
 */
function canProcessAgain(outcome: IngestOutcomeKind, replay: boolean): boolean {
  return outcome === 'failed' || (replay && (outcome === 'ignored' || outcome === 'duplicate'));
}

function deskFor(config: DeskConfig, mail: ParsedMail): Desk {
  for (const address of mail.envelopeRecipients) {
    const desk = findDesk(config, address);
    if (desk) return desk;
  }
  // SES only stores mail a receipt rule accepted, so one recipient was a desk; Bcc hides it from headers.
  return config.desks[0]!;
}
