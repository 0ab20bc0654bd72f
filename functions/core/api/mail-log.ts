// core: the mail log: every stored mail that did not become a normal message, and replaying one after a fix
import { MAIL_PREFIXES } from '../../contracts';
import { NotFoundError } from '../errors';
import { ingestEmail, type IngestResult } from '../ingest/ingest-email';
import type { IngestRecord, MailLogOutcome } from '../ports';
import type { ApiDeps } from './api-ports';
import type { Agent } from './auth';
import { INERT_CONTENT_TYPE } from './files';

/** One line of the mail log, as the API answers it. */
export interface MailLogEntry {
  readonly key: string;
  readonly outcome: IngestRecord['outcome'];
  readonly reason: string;
  readonly from: string | null;
  readonly subject: string | null;
  readonly at: string;
  readonly ticketId?: string;
  readonly attempts: number;
}

export function mailLogEntry(record: IngestRecord): MailLogEntry {
  return {
    key: record.key,
    outcome: record.outcome,
    reason: record.reason,
    from: record.from,
    subject: record.subject,
    at: record.at,
    ...(record.ticketId ? { ticketId: record.ticketId } : {}),
    attempts: record.attempts,
  };
}

/** A page of the mail log, newest first, of one outcome or all. @throws InvalidInputError for a foreign cursor. */
export async function listMailLog(
  deps: ApiDeps,
  input: { outcome: MailLogOutcome | null; limit: number; cursor: string | null },
): Promise<{ items: MailLogEntry[]; cursor: string | null }> {
  const page = await deps.tickets.listMailLog(input.outcome, input.limit, input.cursor);
  return { items: page.records.map(mailLogEntry), cursor: page.cursor };
}

/** What a replay did: the record before, what ingest answered, and whether it had been done already. */
export interface ReplayReport {
  readonly key: string;
  readonly before: MailLogEntry;
  readonly outcome: IngestResult['outcome'];
  readonly reason: string;
  readonly ticketId: string | null;
  /** True when the mail had already been ingested (an earlier replay or a redelivery did it): nothing changed. */
  readonly alreadyDone: boolean;
}

/** A stored mail the log knows, in this desk's mail bucket. @throws NotFoundError for any other key. */
async function loggedMail(deps: ApiDeps, key: string): Promise<IngestRecord> {
  const record = key.startsWith(MAIL_PREFIXES.inbound) ? await deps.tickets.getIngest(key) : null;
  if (!record || record.bucket !== deps.bucket) throw new NotFoundError(`mail ${key} is not in the mail log`);
  return record;
}

/**
 * Runs ingest again over one stored mail with the current code (failed and ignored mail is processed again).
 * Idempotent: mail that became a ticket or a message reports that, with its ticket, and changes nothing.
 * @throws NotFoundError for a key the mail log does not know.
 */
export async function replayMail(deps: ApiDeps, agent: Agent, key: string): Promise<ReplayReport> {
  const record = await loggedMail(deps, key);
  const ingest = await deps.ingest();
  const result = await ingestEmail(ingest, { bucket: record.bucket, key, receivedAt: deps.clock().toISOString(), replay: true });
  const alreadyDone = result.outcome === 'duplicate' && result.reason === 'already ingested';
  deps.log.info('mail replayed', { key, by: agent.email, before: record.outcome, outcome: result.outcome, ticketId: result.ticketId });
  return {
    key,
    before: mailLogEntry(record),
    outcome: alreadyDone ? record.outcome : result.outcome,
    reason: alreadyDone ? `already ${record.outcome}: ${record.reason}` : result.reason,
    ticketId: result.ticketId ?? record.ticketId,
    alreadyDone,
  };
}

/**
 * A short-lived download link to the raw mail as stored, served inert: a stranger wrote it, so the browser must save it,
 * never render it. @throws NotFoundError for a key the mail log does not know. */
export async function rawMailUrl(deps: ApiDeps, key: string): Promise<{ url: string; filename: string }> {
  await loggedMail(deps, key);
  const filename = `${key.slice(MAIL_PREFIXES.inbound.length).replace(/[^\w.-]+/g, '_')}.eml`;
  return { url: await deps.files.downloadUrl(key, filename, INERT_CONTENT_TYPE), filename };
}
