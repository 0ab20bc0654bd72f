// adapter: S3 ObjectCreated event → ingestEmail, one record at a time
import type { S3Event } from 'aws-lambda';
import { ingestEmail, type IngestDeps, type IngestResult } from '../core/ingest/ingest-email';

/** S3 event keys are URL-encoded form-style: `+` is a space, a real `+` arrives as `%2B`. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * Builds the ingest handler. Every record is attempted; if any failed with an error a retry can cure, the
 * handler throws after the others are done, so Lambda retries the event (already-ingested records are then
 * recognised and skipped) and finally sends it to the on-failure destination.
 */
export const createIngestHandler =
  (deps: () => Promise<IngestDeps>) =>
  async (event: S3Event): Promise<IngestResult[]> => {
    const resolved = await deps();
    const results: IngestResult[] = [];
    const errors: unknown[] = [];
    for (const record of event.Records ?? []) {
      const input = { bucket: record.s3.bucket.name, key: decodeS3Key(record.s3.object.key), receivedAt: record.eventTime };
      try {
        results.push(await ingestEmail(resolved, input));
      } catch (error) {
        resolved.log.error('ingest failed; the event will be retried', { key: input.key, error: String(error) });
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} records of the event failed`);
    return results;
  };
