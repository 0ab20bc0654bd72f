// core: the recorded outcome of one stored email (every email gets one), and the duplicates a write can reveal
import { LOGGED_METRICS, METRIC_LOG_FIELD } from '../../contracts';
import { DuplicateContentError, DuplicateIngestError } from '../errors';
import type { IngestOutcomeKind, IngestRecord } from '../ports';
import type { IngestDeps, IngestInput, IngestResult } from './ingest-step';

/** The ingest record of an email, stamped with the deps' clock. */
export function ingestRecord(
  deps: Pick<IngestDeps, 'clock'>,
  input: IngestInput,
  outcome: IngestOutcomeKind,
  reason: string,
  ticketId: string | null,
  messageId: string | null,
  attempts: number,
): IngestRecord {
  return { key: input.key, bucket: input.bucket, outcome, reason, ticketId, messageId, at: deps.clock().toISOString(), attempts };
}

/** Records an outcome that changes nothing else (ignored, duplicate, failed) and logs it. */
export async function recordOutcome(
  deps: IngestDeps,
  input: IngestInput,
  outcome: IngestOutcomeKind,
  reason: string,
  attempts = 1,
  messageId: string | null = null,
  ticketId: string | null = null,
): Promise<IngestResult> {
  await deps.tickets.recordIngest(ingestRecord(deps, input, outcome, reason, ticketId, messageId, attempts));
  if (outcome === 'failed') {
    // The metric field makes the stack count it (and alarm): a failed mail waits for an agent or `sesdesk replay`.
    deps.log.error('mail failed', { key: input.key, messageId, ticketId, reason, [METRIC_LOG_FIELD]: LOGGED_METRICS.ingestFailed });
  } else deps.log.info(`mail ${outcome}`, { key: input.key, messageId, ticketId, reason });
  return { outcome, reason, ticketId, messageId };
}

/**
 * What a failed write means: a lost race with a concurrent delivery of the same object changes nothing; the
 * same content stored before under another key (SES delivered one mail twice) is recorded as a duplicate, so
 * it is not retried. Anything else is rethrown for the event to be retried (a Message-ID taken meanwhile is seen
 * by the next attempt's read).
 */
export async function outcomeOfWriteError(deps: IngestDeps, input: IngestInput, attempts: number, error: unknown): Promise<IngestResult> {
  if (error instanceof DuplicateIngestError) {
    return { outcome: 'duplicate', reason: 'already ingested (concurrent delivery)', ticketId: null, messageId: null };
  }
  if (error instanceof DuplicateContentError) {
    return recordOutcome(deps, input, 'duplicate', 'the same email was already stored under another key (stored concurrently)', attempts);
  }
  throw error;
}
