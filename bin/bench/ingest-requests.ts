// bench: DynamoDB and S3 requests per ingested email, counted on the real ingestEmail over DynamoDB Local and s3rver
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTable, startDynamoDbLocal } from '../local/dynamodb-local';
import type { LocalServer } from '../local/local-server';
import { findFreePort } from '../local/ports';
import { startS3Local } from '../local/s3-local';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { createReplyToken } from '../../functions/core/threading/reply-token';
import { ingestEmail, type IngestResult } from '../../functions/core/ingest/ingest-email';
import { createIngestDeps } from '../../functions/ingest/deps';
import { MemoryLog } from '../../test/support/logs';
import { composeMail } from '../../test/support/mail';
import { TEST_TOKEN_KEYS } from '../../test/support/secret';
import { createDocumentClient, createDynamoClient, createS3Client } from '../local/aws-clients';
import { progress, type Benchmark } from './benchmark';
import { markdownTable, median } from './stats';

const BUCKET = 'sesdesk-bench-mail';
const DESK = 'support@desk.localhost';
/** Inside the retry loop (finalize step, low priority), so a retried request counts twice: each is billed. */
const COUNTER_STEP = { step: 'finalizeRequest', priority: 'low', name: 'sesdeskBenchRequestCounter' } as const;

/** Requests one client sent, by command. */
class RequestCounter {
  private readonly counts = new Map<string, number>();

  /** Counts one request of `commandName` (e.g. `TransactWriteItemsCommand`). */
  count(commandName: string | undefined): void {
    const name = (commandName ?? 'unknown').replace(/Command$/, '');
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  reset(): void {
    this.counts.clear();
  }

  total(): number {
    return [...this.counts.values()].reduce((sum, n) => sum + n, 0);
  }

  /** E.g. `BatchGetItem 1, UpdateItem 1, TransactWriteItems 1`. */
  breakdown(): string {
    return [...this.counts.entries()].map(([name, n]) => `${name} ${n}`).join(', ') || 'none';
  }
}

interface Scenario {
  readonly label: string;
  /** Most DynamoDB requests allowed. */
  readonly limit: number;
  readonly expected: IngestResult['outcome'];
  /** Stores the mail (or picks an existing key) and returns the key to ingest. */
  prepare(): Promise<string>;
}

interface Measured {
  readonly dynamo: number[];
  readonly s3: number[];
  breakdown: string;
  readonly outcomes: Set<string>;
}

async function startServers(s3Directory: string): Promise<{ dynamo: LocalServer; s3: LocalServer }> {
  progress('ingest-requests: starting DynamoDB Local and s3rver');
  const [dynamo, s3] = await Promise.allSettled([
    // A busy machine starts the JVM slowly; the default minute is not always enough.
    findFreePort().then((port) => startDynamoDbLocal({ port, dataDir: null, startTimeoutMs: 180_000 })),
    findFreePort().then((port) => startS3Local({ port, directory: s3Directory, buckets: [BUCKET] })),
  ]);
  if (dynamo.status === 'fulfilled' && s3.status === 'fulfilled') return { dynamo: dynamo.value, s3: s3.value };
  await Promise.allSettled([dynamo, s3].flatMap((r) => (r.status === 'fulfilled' ? [r.value.stop()] : [])));
  throw dynamo.status === 'rejected' ? dynamo.reason : (s3 as PromiseRejectedResult).reason;
}

export const benchmark: Benchmark = {
  name: 'ingest-requests',
  description:
    'DynamoDB (and S3) requests per email through the real ingestEmail on DynamoDB Local and s3rver; targets: new ticket ≤ 3, reply ≤ 3, duplicate event ≤ 1',
  async run({ quick }) {
    const repeats = quick ? 1 : 3;
    const s3Directory = mkdtempSync(path.join(os.tmpdir(), 'sesdesk-bench-s3-'));
    const servers = await startServers(s3Directory);
    try {
      const tableName = `bench-ingest-${Date.now()}`;
      await ensureTable(createDynamoClient(servers.dynamo.endpoint), tableName);
      const documents = createDocumentClient(servers.dynamo.endpoint);
      const s3 = createS3Client(servers.s3.endpoint);
      const dynamoCounter = new RequestCounter();
      const s3Counter = new RequestCounter();
      documents.middlewareStack.add(
        (next, context) => async (args) => {
          dynamoCounter.count(context.commandName);
          return next(args);
        },
        COUNTER_STEP,
      );
      s3.middlewareStack.add(
        (next, context) => async (args) => {
          s3Counter.count(context.commandName);
          return next(args);
        },
        COUNTER_STEP,
      );
      const deps = createIngestDeps({
        documents,
        s3,
        tableName,
        config: DEFAULT_DESK_CONFIG,
        tokenKeys: TEST_TOKEN_KEYS,
        log: new MemoryLog(),
      });
      const { store } = deps;
      let sequence = 0;
      const put = async (raw: Buffer): Promise<string> => {
        const key = `inbound/bench-${Date.now()}-${(sequence += 1)}`;
        await store.put(BUCKET, key, raw, 'message/rfc822');
        return key;
      };
      const ingest = (key: string) => ingestEmail(deps, { bucket: BUCKET, key, receivedAt: new Date().toISOString() });

      // Each repeat starts from a ticket of its own, which the reply scenarios thread into.
      let ticket = { key: '', id: '', messageId: '' };
      const scenarios: Scenario[] = [
        {
          label: 'new ticket',
          limit: 3,
          expected: 'ticket-created',
          prepare: async () =>
            put(
              await composeMail({
                from: '"Ann Customer" <ann@example.com>',
                to: DESK,
                subject: 'Printer on fire',
                text: 'Hello,\n\nit smells of smoke.\n',
              }),
            ),
        },
        {
          label: 'reply by In-Reply-To/References',
          limit: 3,
          expected: 'reply-added',
          prepare: async () =>
            put(
              await composeMail({
                from: 'ann@example.com',
                to: DESK,
                subject: 'Re: Printer on fire',
                text: 'Still burning.',
                inReplyTo: ticket.messageId,
                references: [ticket.messageId],
              }),
            ),
        },
        {
          label: 'reply by token',
          limit: 3,
          expected: 'reply-added',
          prepare: async () =>
            put(
              await composeMail({
                from: 'ann@example.com',
                to: `support+${createReplyToken(TEST_TOKEN_KEYS, ticket.id)}@desk.localhost`,
                subject: 'Re: Printer on fire',
                text: 'Now smoking.',
              }),
            ),
        },
        { label: 'duplicate event (same S3 key again)', limit: 1, expected: 'duplicate', prepare: async () => ticket.key },
      ];

      const measured = new Map<Scenario, Measured>(scenarios.map((s) => [s, { dynamo: [], s3: [], breakdown: '', outcomes: new Set() }]));
      for (let repeat = 0; repeat < repeats; repeat++) {
        for (const scenario of scenarios) {
          const key = await scenario.prepare();
          dynamoCounter.reset();
          s3Counter.reset();
          const result = await ingest(key);
          const m = measured.get(scenario)!;
          m.dynamo.push(dynamoCounter.total());
          m.s3.push(s3Counter.total());
          m.breakdown = dynamoCounter.breakdown();
          m.outcomes.add(result.outcome);
          if (scenario.expected === 'ticket-created') ticket = { key, id: result.ticketId ?? '', messageId: result.messageId ?? '' };
        }
        progress(`ingest-requests: repeat ${repeat + 1}/${repeats}`);
      }

      const rows = scenarios.map((scenario) => {
        const m = measured.get(scenario)!;
        const most = Math.max(...m.dynamo);
        const outcomes = [...m.outcomes].join(', ');
        const ok = most <= scenario.limit && m.outcomes.size === 1 && m.outcomes.has(scenario.expected);
        return [
          scenario.label,
          outcomes,
          `${median(m.dynamo)} (max ${most})`,
          m.breakdown,
          `≤ ${scenario.limit}`,
          ok ? 'within' : m.outcomes.has(scenario.expected) ? '**OVER**' : `**wrong outcome** (expected ${scenario.expected})`,
          String(median(m.s3)),
        ];
      });
      return [
        `Counted by a middleware on the document client (and the S3 client) inside the retry loop, around one \`ingestEmail\` call each; ${repeats} repeat(s) per scenario, each on a fresh ticket. Raw mail composed with nodemailer; the upload before each call is not counted.`,
        '',
        markdownTable(['email', 'outcome', 'DynamoDB requests', 'by command (last repeat)', 'target', 'verdict', 'S3 requests'], rows),
      ].join('\n');
    } finally {
      await Promise.allSettled([servers.dynamo.stop(), servers.s3.stop()]);
      rmSync(s3Directory, { recursive: true, force: true });
    }
  },
};
