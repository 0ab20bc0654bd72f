// bench: first-page inbox latency through the API handler with 100 vs 10,000 tickets in DynamoDB Local (`npx tsx bin/bench/inbox-latency.ts`)
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ticketToItem } from '../../functions/adapters/dynamo-items';
import { DynamoTable, type Item } from '../../functions/adapters/dynamo-table';
import type { ApiHandler } from '../../functions/api/create-handler';
import type { Ticket, TicketStatus } from '../../functions/core/types';
import { ensureTable } from '../local/dynamodb-local';
import { benchApiHandler, startBenchDynamo } from './bench-api';
import { median, p95 } from './stats';
import { ticketsEvent } from './api-event';

const SIZES = [100, 10_000];
const WARM_UP = 100;
const RUNS = 200;
const STATUSES: TicketStatus[] = ['open', 'open', 'open', 'pending', 'closed'];

function ticket(i: number): Ticket {
  const at = new Date(Date.UTC(2024, 0, 1) + i * 37_000).toISOString();
  return {
    id: `bench${String(i).padStart(6, '0')}${randomUUID().slice(0, 6)}`,
    deskId: 'support',
    number: i + 1,
    subject: `Benchmark ticket ${i}`,
    status: STATUSES[i % STATUSES.length]!,
    requester: { address: `customer${i % 500}@example.com`, name: `Customer ${i % 500}` },
    participants: [{ address: `customer${i % 500}@example.com`, name: `Customer ${i % 500}`, role: 'requester', unsubscribed: false }],
    assignee: i % 4 === 0 ? 'agent@desk.localhost' : null,
    labels: i % 7 === 0 ? ['billing'] : [],
    priority: 'normal',
    createdAt: at,
    updatedAt: at,
    messageCount: 1 + (i % 5),
    threadMessageIds: [`<bench-${i}@example.com>`],
    preview: 'The printer is on fire again and nobody answers the phone. '.repeat(2).trim(),
    version: 0,
  };
}

/** BatchWriteItem, 25 items a request, a few requests in flight, retrying what DynamoDB leaves unprocessed. */
async function seed(documents: DynamoDBDocumentClient, tableName: string, count: number): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => ticketToItem(ticket(i)));
  const batches: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const worker = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      let pending: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const result = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = result.UnprocessedItems?.[tableName] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

/** One timed request; throws unless the page came back full. */
async function timeOnce(handler: ApiHandler): Promise<number> {
  const start = performance.now();
  const result = await handler(ticketsEvent({ status: 'open', limit: '25' }));
  const elapsed = performance.now() - start;
  if (result.statusCode !== 200) throw new Error(`inbox answered ${result.statusCode}: ${result.body}`);
  const items = (JSON.parse(result.body ?? '{}') as { items: unknown[] }).items.length;
  if (items !== 25) throw new Error(`expected a full page of 25, got ${items}`);
  return elapsed;
}

const { dynamo, client, documents } = await startBenchDynamo();
try {
  const handlers = new Map<number, ApiHandler>();
  const seedSeconds = new Map<number, number>();
  for (const size of SIZES) {
    const tableName = `bench-${size}`;
    await ensureTable(client, tableName);
    const seeded = performance.now();
    await seed(documents, tableName, size);
    seedSeconds.set(size, (performance.now() - seeded) / 1000);
    // Only the routes this benchmark calls are wired; the others would fail loudly if reached.
    const table = new DynamoTable(documents, tableName);
    handlers.set(size, benchApiHandler(table));
  }
  // The JVM behind DynamoDB Local speeds up for a while; warm it on every table, then alternate so drift hits both alike.
  for (let run = 0; run < WARM_UP; run += 1) for (const handler of handlers.values()) await timeOnce(handler);
  const timings = new Map<number, number[]>(SIZES.map((size) => [size, []]));
  for (let run = 0; run < RUNS; run += 1) for (const size of SIZES) timings.get(size)!.push(await timeOnce(handlers.get(size)!));
  const rows = SIZES.map((size) => {
    const ms = timings.get(size)!;
    return `| ${size.toLocaleString('en-US')} | ${median(ms).toFixed(2)} | ${p95(ms).toFixed(2)} | ${seedSeconds.get(size)!.toFixed(1)} s |`;
  });
  console.log(
    `First page of the open inbox (25 tickets), ${RUNS} requests per table after ${WARM_UP} warm-up each, alternating, through createApiHandler on DynamoDB Local:\n`,
  );
  console.log('| tickets in table | median ms | p95 ms | seed time |');
  console.log('|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
} finally {
  await dynamo.stop();
}
