// Fuzz, end to end: hostile MIME through the real ingest handler on DynamoDB Local and s3rver
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/contracts';
import type { IngestOutcomeKind } from '../../functions/core/ports';
import { mimeCase, renderMimeCase } from '../support/mime-arbitraries';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';
import { fuzzOptions, fuzzTimeout } from '../fuzz/fuzz-settings';

const OUTCOMES: readonly IngestOutcomeKind[] = ['ticket-created', 'reply-added', 'bounce', 'complaint', 'ignored', 'duplicate', 'failed'];

let fx: RuntimeHarness;
beforeAll(async () => {
  fx = await startRuntimeHarness({ name: 'fuzz', pollStream: false });
});

describe('ingest of fuzzed mail on local servers', () => {
  it(
    'ends every message in exactly one recorded outcome, never throws, and keeps the raw mail in S3',
    async () => {
      await fc.assert(
        fc.asyncProperty(mimeCase, async (c) => {
          const raw = renderMimeCase(c);

          // Everything runs on local servers, so no error here is one a retry could cure: any throw fails the case.
          const { key, results } = await fx.deliver(raw);

          expect(results).toHaveLength(1);
          const [result] = results;
          expect(OUTCOMES).toContain(result!.outcome);
          const { Item: item } = await fx.documents.send(new GetCommand({ TableName: fx.tableName, Key: keys.ingest(key) }));
          expect(item).toMatchObject({ type: 'ingest', key, outcome: result!.outcome });
          expect(Buffer.from(await fx.runtime.ingest.store.get(fx.bucket, key)).equals(raw)).toBe(true);
        }),
        fuzzOptions(25, 20261130),
      );
    },
    fuzzTimeout(180_000),
  );
});
