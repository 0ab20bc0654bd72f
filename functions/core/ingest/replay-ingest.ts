// core: use case: re-run ingest over stored raw mail (all of it, the recorded failures, or given keys)
import type { IngestDeps, IngestResult } from './ingest-email';
import { ingestEmail } from './ingest-email';

export type ReplaySelection =
  | { readonly kind: 'failed' }
  | { readonly kind: 'all'; readonly prefix: string }
  | { readonly kind: 'keys'; readonly keys: readonly string[] };

export interface ReplayInput {
  readonly bucket: string;
  readonly selection: ReplaySelection;
  /** Called after each object, for progress output. */
  readonly onResult?: (key: string, result: IngestResult | { outcome: 'error'; reason: string }) => void;
}

export interface ReplaySummary {
  readonly total: number;
  readonly byOutcome: Record<string, number>;
}

/**
 * Replays ingest. Safe to run any number of times: already ingested mail is reported as a duplicate and
 * left alone; failed and ignored mail is processed again with the current code.
 */
export async function replayIngest(deps: IngestDeps, input: ReplayInput): Promise<ReplaySummary> {
  const byOutcome: Record<string, number> = {};
  let total = 0;
  for await (const key of selectedKeys(deps, input)) {
    total += 1;
    let result: IngestResult | { outcome: 'error'; reason: string };
    try {
      result = await ingestEmail(deps, { bucket: input.bucket, key, receivedAt: deps.clock().toISOString(), replay: true });
    } catch (error) {
      // One object that still fails (say, throttling) must not stop the rest; it stays failed and listed.
      result = { outcome: 'error', reason: (error as Error).message };
    }
    byOutcome[result.outcome] = (byOutcome[result.outcome] ?? 0) + 1;
    input.onResult?.(key, result);
  }
  return { total, byOutcome };
}

async function* selectedKeys(deps: IngestDeps, input: ReplayInput): AsyncIterable<string> {
  const { selection } = input;
  if (selection.kind === 'keys') {
    yield* selection.keys;
  } else if (selection.kind === 'all') {
    yield* deps.store.list(input.bucket, selection.prefix);
  } else {
    // Re-list after each page: replayed records leave the failed index, so paging by cursor would skip some.
    const seen = new Set<string>();
    for (;;) {
      const page = (await deps.tickets.listIngests('failed', 100)).filter((r) => r.bucket === input.bucket && !seen.has(r.key));
      if (page.length === 0) return;
      for (const record of page) {
        seen.add(record.key);
        yield record.key;
      }
    }
  }
}
