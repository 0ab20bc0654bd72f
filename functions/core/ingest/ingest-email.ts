// core: use case: one stored raw email → parsed, classified, threaded and stored (idempotent)
import { SES_SETUP_NOTIFICATION } from '../../contracts';
import { findDesk, isDeskAddress, type Desk, type DeskConfig } from '../config/desk-config';
import { NotFoundError } from '../errors';
import type { IngestLookup, IngestOutcomeKind } from '../ports';
import { resolveThread } from '../threading/resolve-thread';
import { threadCandidates, type ThreadCandidates } from '../threading/thread-candidates';
import type { ParsedMail } from '../types';
import { openTicket } from './ingest-new-ticket';
import { recordOutcome } from './ingest-outcome';
import { recordReport, reportMessageIds } from './ingest-report';
import { addReply } from './ingest-reply';
import { stepLog, type IngestDeps, type IngestInput, type IngestResult, type IngestStep } from './ingest-step';

export type { IngestDeps, IngestInput, IngestResult } from './ingest-step';

/**
 * Ingests one raw email from the object store: the S3 event's unit of work.
 *
 * Idempotent: the ingest record (keyed by the S3 key) is written in the same transaction as everything
 * else, so a redelivered event finds it on its first read and changes nothing. Mail that cannot be
 * processed is recorded as `failed` with the reason, stays in S3, and can be replayed. Errors that a retry
 * can cure (throttling, timeouts) are thrown, so Lambda's retries and on-failure destination take over.
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
  return ingestParsed(deps, input, mail);
}

/**
 * The steps after parsing: one read of everything threading may need, then exactly one of: a duplicate left
 * alone, mail from the desk itself ignored, a bounce or complaint recorded, a reply added, an unthreaded
 * auto-reply ignored, or a new ticket.
 */
async function ingestParsed(deps: IngestDeps, input: IngestInput, mail: ParsedMail): Promise<IngestResult> {
  const desk = deskFor(deps.config, mail);
  const candidates = threadCandidates(mail, deps.config, deps.tokenKeys);
  const isReport = mail.classification.kind === 'bounce' || mail.classification.kind === 'complaint';
  const lookup = await deps.tickets.lookupForIngest({
    ingestKey: input.key,
    messageIds: isReport ? reportMessageIds(mail, candidates) : candidates.messageIds,
    ticketIds: candidates.tokenTicketIds,
    numbers: candidates.subjectTag === null ? [] : [{ deskId: desk.id, number: candidates.subjectTag }],
  });
  if (lookup.ingest && !canProcessAgain(lookup.ingest.outcome, input.replay === true)) {
    return { outcome: 'duplicate', reason: 'already ingested', ticketId: lookup.ingest.ticketId, messageId: lookup.ingest.messageId };
  }
  const step: IngestStep = { deps, input, mail, desk, candidates, lookup, attempts: (lookup.ingest?.attempts ?? 0) + 1 };
  if (candidates.rejectedTokens.length > 0) stepLog(step, 'warn', 'reply token rejected: signature does not verify');

  if (isDeskAddress(deps.config, mail.from.address)) {
    return recordOutcome(deps, input, 'ignored', `from the desk's own address ${mail.from.address}`, step.attempts, mail.messageId);
  }
  if (isReport) return recordReport(step);
  if (verdictFailed(mail.verdicts.spam) || verdictFailed(mail.verdicts.virus)) return openTicket(step, true);

  const { decision, tickets } = await decideThread(step);
  if (decision.ticketId !== null) return addReply(step, { ...decision, ticketId: decision.ticketId }, tickets);
  if (mail.classification.kind === 'auto-reply') {
    const reason = `auto-reply that matches no ticket (${mail.classification.reason})`;
    return recordOutcome(deps, input, 'ignored', reason, step.attempts, mail.messageId);
  }
  return openTicket(step, false);
}

/** Loads the tickets the threading rules may pick that the first read did not bring, then applies the rules. */
async function decideThread(step: IngestStep) {
  const { deps, candidates, lookup, desk, mail } = step;
  const messageIdTickets = new Map([...lookup.messageIds].map(([id, target]) => [id, target.ticketId]));
  const taggedTicketId = taggedTicket(lookup, desk, candidates);
  // Only the first Message-ID hit and the tagged ticket can be picked; tokens' tickets came with the first read.
  const firstHit = candidates.messageIds.map((id) => messageIdTickets.get(id)).find((id) => id !== undefined);
  const missing = [firstHit, taggedTicketId].filter((id): id is string => Boolean(id) && !lookup.tickets.has(id!));
  const tickets = new Map(lookup.tickets);
  if (missing.length > 0) for (const [id, ticket] of await deps.tickets.getTickets(missing)) tickets.set(id, ticket);
  const decision = resolveThread({ candidates, tickets, messageIdTickets, taggedTicketId, sender: mail.from.address, deskId: desk.id });
  return { decision, tickets };
}

function taggedTicket(lookup: IngestLookup, desk: Desk, candidates: ThreadCandidates): string | null {
  return candidates.subjectTag === null ? null : (lookup.numbers.get(`${desk.id}#${candidates.subjectTag}`) ?? null);
}

function verdictFailed(verdict: string | null): boolean {
  return verdict !== null && verdict.toUpperCase() === 'FAIL';
}

/** A failed ingest is retried by any redelivery; an ignored one only when an operator replays it. */
function canProcessAgain(outcome: IngestOutcomeKind, replay: boolean): boolean {
  return outcome === 'failed' || (replay && outcome === 'ignored');
}

function deskFor(config: DeskConfig, mail: ParsedMail): Desk {
  for (const address of mail.envelopeRecipients) {
    const desk = findDesk(config, address);
    if (desk) return desk;
  }
  // SES only stores mail a receipt rule accepted, so one recipient was a desk; Bcc hides it from headers.
  return config.desks[0]!;
}
