// bench: search p95 and the inbox's first page at two table sizes, and the search index's write units per message (`npx tsx bin/bench/search.ts`)
import { performance } from 'node:perf_hooks';
import { termItems, ticketToItem } from '../../functions/adapters/dynamo-items';
import { DynamoTable, type Item } from '../../functions/adapters/dynamo-table';
import type { ApiHandler } from '../../functions/api/create-handler';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { parseEmail } from '../../functions/core/email/parse-email';
import { agentMessageTerms, inboundReplyTerms, messageTerms } from '../../functions/core/search/search-terms';
import type { Ticket, TicketStatus } from '../../functions/core/types';
import { FIXTURE_MAIL, fixtureMail } from '../../test/support/fixture-mail';
import { ensureTable } from '../local/dynamodb-local';
import { benchApiHandler, startBenchDynamo } from './bench-api';
import { median, p95 } from './stats';
import { ticketsEvent } from './api-event';
import { describeMachine } from './machine';

/** Table sizes; `SESDESK_BENCH_SEARCH_SIZES=1000,100000` for others (100,000 × 3 messages takes long on DynamoDB Local). */
const SIZES = (process.env.SESDESK_BENCH_SEARCH_SIZES ?? '1000,10000').split(',').map(Number);
const MESSAGES_PER_TICKET = 3;
const WARM_UP = 5;
const RUNS = Number(process.env.SESDESK_BENCH_SEARCH_RUNS ?? 40);
/** Tickets seeded between progress lines (100,000 tickets are about 9 million items: hours on DynamoDB Local). */
const CHUNK = 1000;
const STATUSES: TicketStatus[] = ['open', 'open', 'open', 'pending', 'closed'];
/** A vocabulary with a long tail: word i appears with weight 1/(i+1), as words do in mail. */
const VOCABULARY = Array.from({ length: 4000 }, (_, i) => `w${i.toString(36)}x`);
const JAPANESE = ['ログインできません', 'パスワードを忘れました', '請求書が届きません', '配送が遅れています'];

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const random = seeded(42);
const harmonic = VOCABULARY.reduce((sum, _, i) => sum + 1 / (i + 1), 0);
function zipfWord(): string {
  let target = random() * harmonic;
  for (let i = 0; i < VOCABULARY.length; i += 1) {
    target -= 1 / (i + 1);
    if (target <= 0) return VOCABULARY[i]!;
  }
  return VOCABULARY.at(-1)!;
}
const sentence = (words: number) => Array.from({ length: words }, zipfWord).join(' ');

function ticket(i: number): { ticket: Ticket; terms: string[] } {
  const at = new Date(Date.UTC(2024, 0, 1) + i * 37_000).toISOString();
  const requester = { address: `customer${i % 5000}@example.com`, name: `Customer ${i % 5000}` };
  const subject = i % 10 === 0 ? `${JAPANESE[i % JAPANESE.length]} ${i}` : `${sentence(4)} ${i}`;
  const t: Ticket = {
    id: `bench${String(i).padStart(7, '0')}`,
    deskId: 'support',
    number: i + 1,
    subject,
    status: STATUSES[i % STATUSES.length]!,
    requester,
    participants: [{ ...requester, role: 'requester', unsubscribed: false }],
    assignee: i % 4 === 0 ? 'agent@desk.localhost' : null,
    labels: i % 7 === 0 ? ['billing'] : [],
    priority: 'normal',
    createdAt: at,
    updatedAt: at,
    messageCount: MESSAGES_PER_TICKET,
    threadMessageIds: [`<bench-${i}@example.com>`],
    preview: 'preview',
    version: 0,
  };
  // Three messages: the customer's first mail, an answer, the customer's reply (40-word bodies).
  const terms = new Set([
    ...messageTerms({ subject, body: sentence(40), people: [requester] }),
    ...agentMessageTerms(sentence(40)),
    ...messageTerms({ body: sentence(40), people: [requester] }),
  ]);
  return { ticket: t, terms: [...terms] };
}

/** What a seed wrote and how long it took. */
interface Seeded {
  readonly items: number;
  readonly seconds: number;
}

/** Seeds tickets `0 … count-1` in chunks, with a progress line on stderr after each. */
async function seed(table: DynamoTable, tableName: string, count: number): Promise<Seeded> {
  let progress = { items: 0, seconds: 0 };
  for (let from = 0; from < count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK);
    const started = performance.now();
    let items = 0;
    const queue = Array.from({ length: to - from }, (_, i) => from + i);
    const worker = async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const { ticket: t, terms } = ticket(i);
        const batch: Item[] = [ticketToItem(t), ...termItems(t.deskId, t.id, terms)];
        items += batch.length;
        await table.batchPut(batch);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    const seconds = (performance.now() - started) / 1000;
    progress = { items: progress.items + items, seconds: progress.seconds + seconds };
    const rate = progress.items / progress.seconds;
    const left = ((count - to) * (progress.items / to)) / rate;
    process.stderr.write(
      `search: ${tableName} ${to.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} tickets, ` +
        `${progress.items.toLocaleString('en-US')} items, ${rate.toFixed(0)} items/s, about ${(left / 60).toFixed(0)} min left\n`,
    );
  }
  return progress;
}

async function timeOnce(handler: ApiHandler, query: Record<string, string>): Promise<{ ms: number; hits: number }> {
  const start = performance.now();
  const result = await handler(ticketsEvent(query));
  const ms = performance.now() - start;
  if (result.statusCode !== 200) throw new Error(`${JSON.stringify(query)} answered ${result.statusCode}: ${result.body}`);
  return { ms, hits: (JSON.parse(result.body ?? '{}') as { items: unknown[] }).items.length };
}

/** Terms (= index items = write units, each under 1 KB and on no index) a real mail adds, over the project's test mail. */
async function termsPerFixtureMail(): Promise<{ first: number[]; reply: number[] }> {
  const first: number[] = [];
  const reply: number[] = [];
  for (const file of FIXTURE_MAIL) {
    const mail = await parseEmail(fixtureMail(file));
    first.push(messageTerms({ subject: mail.subject, body: mail.text, people: [mail.from, ...mail.to, ...mail.cc] }).length);
    // As a reply to the ticket its sender opened with the same subject: what the ticket holds is not written again.
    reply.push(inboundReplyTerms(mail, DEFAULT_DESK_CONFIG, { requester: mail.from, participants: [], subject: mail.subject }).length);
  }
  return { first, reply };
}

const QUERIES: readonly (readonly [string, Record<string, string>])[] = [
  ['inbox first page (open, 25)', { status: 'open', limit: '25' }],
  ['inbox, label filter (open, billing)', { status: 'open', label: 'billing', limit: '25' }],
  ['rare word', { q: VOCABULARY[3000]!, limit: '25' }],
  ['common word', { q: VOCABULARY[2]!, limit: '25' }],
  ['two words', { q: `${VOCABULARY[40]!} ${VOCABULARY[300]!}`, limit: '25' }],
  ['Japanese, 2 characters', { q: 'ログ', limit: '25' }],
  ['requester address', { q: 'customer42@example.com', limit: '25' }],
];

const machineBefore = describeMachine();
const { dynamo, client, documents } = await startBenchDynamo();
try {
  const handlers = new Map<number, ApiHandler>();
  const seeding = new Map<number, string>();
  for (const size of SIZES) {
    const tableName = `search-${size}`;
    await ensureTable(client, tableName);
    const table = new DynamoTable(documents, tableName);
    const { items, seconds } = await seed(table, tableName, size);
    seeding.set(size, `${items.toLocaleString('en-US')} items in ${seconds.toFixed(0)} s`);
    handlers.set(size, benchApiHandler(table));
  }
  for (let run = 0; run < WARM_UP; run += 1) for (const h of handlers.values()) for (const [, q] of QUERIES) await timeOnce(h, q);
  const timings = new Map<string, number[]>();
  const hits = new Map<string, number>();
  for (let run = 0; run < RUNS; run += 1) {
    if (run % 10 === 0) process.stderr.write(`search: round ${run + 1} of ${RUNS}\n`);
    for (const size of SIZES) {
      for (const [name, q] of QUERIES) {
        const { ms, hits: n } = await timeOnce(handlers.get(size)!, q);
        const key = `${name}@${size}`;
        timings.set(key, [...(timings.get(key) ?? []), ms]);
        hits.set(key, n);
      }
    }
  }
  const fixture = await termsPerFixtureMail();
  const fmt = (n: number) => n.toFixed(1);
  console.log(`Machine: ${machineBefore} at start; ${describeMachine()} at the end.\n`);
  console.log(
    `Tickets with ${MESSAGES_PER_TICKET} messages each (terms of all three indexed), seeded with BatchWriteItem: ${SIZES.map((s) => `${s.toLocaleString('en-US')}: ${seeding.get(s)}`).join('; ')}.`,
  );
  console.log(
    `${RUNS} requests per query and size through createApiHandler on DynamoDB Local, alternating, after ${WARM_UP} warm-up rounds.\n`,
  );
  console.log(`| query | ${SIZES.map((s) => `${s.toLocaleString('en-US')} tickets: median / p95 ms (hits)`).join(' | ')} | p95 ratio |`);
  console.log(`|---|${SIZES.map(() => '---:').join('|')}|---:|`);
  for (const [name] of QUERIES) {
    const cells = SIZES.map((size) => {
      const ms = timings.get(`${name}@${size}`)!;
      return `${fmt(median(ms))} / ${fmt(p95(ms))} (${hits.get(`${name}@${size}`)})`;
    });
    const first = p95(timings.get(`${name}@${SIZES[0]}`)!);
    const last = p95(timings.get(`${name}@${SIZES.at(-1)}`)!);
    console.log(`| ${name} | ${cells.join(' | ')} | ${(last / first).toFixed(2)} |`);
  }
  console.log(
    `\nSearch index write units per message over the ${fixture.first.length} test mails (one unit per term item: under 1 KB, on no index, BatchWriteItem): ` +
      `as a ticket's first mail median ${median(fixture.first)}, p95 ${p95(fixture.first)}, max ${Math.max(...fixture.first)}; as a reply median ${median(fixture.reply)}, p95 ${p95(fixture.reply)}, max ${Math.max(...fixture.reply)}. ` +
      `Before this change a ticket wrote one item per subject word (at most 20) and messages none.`,
  );
} finally {
  await dynamo.stop();
}
