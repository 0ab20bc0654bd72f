// bench: the monthly AWS bill at 1,000 and 100,000 tickets, from requests, bytes and durations measured on the real code
import { pathToFileURL } from 'node:url';
import { progress, type Benchmark } from './benchmark';
import {
  measureLifecycles,
  NOTIFY_FOLLOW_UP,
  usageOf,
  type FunctionName,
  type Invocation,
  type LifecycleMeasurement,
} from './cost-lifecycle';
import { addUsage, emptyUsage } from './cost-meters';
import {
  chunksOf,
  COGNITO_ESSENTIALS_FREE_MAU,
  fixedMonthlyCost,
  lambdaMs,
  monthlyCost,
  PRICES,
  total,
  type CostLine,
  type FixedResources,
  type FunctionUsage,
  type TicketUsage,
} from './cost-model';
import { formatBytes, formatMs, markdownTable, median } from './stats';

/** prices.md §2: dashboard calls per ticket (opens, thread loads, replies, status changes, list refreshes). */
const API_CALLS_PER_TICKET = 20;
/** prices.md §2: INIT durations of a cold start. */
const INIT_MS: Record<FunctionName, number> = { ingest: 500, notify: 500, api: 300 };
/** prices.md §2: share of invocations that start cold at each volume. */
const VOLUMES = [
  { tickets: 1_000, coldShare: 0.5 },
  { tickets: 100_000, coldShare: 0.05 },
] as const;
/** prices.md §2: 0.7 % of inbound mail carries ~3 MB (12 chunks, 11 more than a small mail). */
const HEAVY_TAIL_EXTRA_CHUNKS = 0.007 * 11;
/** START, END and REPORT lines Lambda writes per invocation, and one HTTP API access-log line (JSON, standard fields). */
const PLATFORM_LOG_BYTES = 350;
const ACCESS_LOG_BYTES = 600;
/** prices.md §2: about one SQS request per ticket for the ~1 % of events that fail. */
const SQS_REQUESTS_PER_TICKET = 1;
/** Agents on the dashboard (Cognito MAU). */
const AGENTS = 3;
/** CloudWatch's always-free alarm metrics per account. */
const FREE_ALARMS = 10;
const TARGET_PER_1000 = 1;
/** Fixed monthly target for an idle desk with {@link AGENTS} agents. */
const TARGET_FIXED = 1;
/** The context `sesdesk deploy --alarm-email` adds; the default stack has no alarms (nobody would be told). */
const ALARM_CONTEXT = { alarmEmail: 'ops@example.com' };

/** Median duration of one invocation of this kind on Lambda at `memoryMb` (see {@link lambdaMs}). */
function onLambda(invocation: Invocation, memoryMb: number): number {
  return median(invocation.durationsMs.map((ms, run) => lambdaMs(ms, invocation.ioMs[run] ?? 0, memoryMb)));
}

/** What the deployed stack is made of: function memory sizes and the resources billed by the month. */
interface StackFacts {
  readonly memoryMb: Record<FunctionName, number>;
  /** The stack as deployed with the defaults (no alarm email, no dashboard, Essentials). */
  readonly fixed: FixedResources;
  /** The same with an alarm email: every alarm the stack has. */
  readonly fixedWithAlarms: FixedResources;
}

async function readStack(): Promise<StackFacts> {
  progress('cost: synthesising the stack (defaults, and with an alarm email) for memory sizes and fixed resources');
  // Loaded on use: the bench registry imports every module just to list them, and CDK is slow to load.
  const { Template } = await import('aws-cdk-lib/assertions');
  const { buildTestApp } = await import('../../test/infra/support/test-app');
  const synth = (context: Record<string, string>) => Template.fromStack(buildTestApp({ context }).stack);
  const template = synth({});
  const fixedOf = (t: typeof template): FixedResources => {
    const count = (type: string) => Object.keys(t.findResources(type)).length;
    const pools = Object.values(t.findResources('AWS::Cognito::UserPool')) as { Properties: { UserPoolTier?: string } }[];
    return {
      secrets: count('AWS::SecretsManager::Secret'),
      kmsKeys: count('AWS::KMS::Key'),
      alarms: count('AWS::CloudWatch::Alarm'),
      dashboards: count('AWS::CloudWatch::Dashboard'),
      agents: AGENTS,
      cognitoPlan: pools.some((pool) => pool.Properties.UserPoolTier === 'PLUS') ? 'plus' : 'essentials',
    };
  };
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
    Properties: { MemorySize?: number; Environment?: unknown };
  }[];
  const memoryOf = (fn: FunctionName): number => {
    const found = functions.find((f) =>
      JSON.stringify(f.Properties.Environment ?? {}).includes(`"POWERTOOLS_SERVICE_NAME":"sesdesk-${fn}"`),
    );
    if (!found?.Properties.MemorySize) throw new Error(`the stack has no sesdesk-${fn} function with a memory size`);
    return found.Properties.MemorySize;
  };
  return {
    memoryMb: { ingest: memoryOf('ingest'), notify: memoryOf('notify'), api: memoryOf('api') },
    fixed: fixedOf(template),
    fixedWithAlarms: fixedOf(synth(ALARM_CONTEXT)),
  };
}

/** One ticket's usage: the lifecycle as measured, with the dashboard's extra read calls modelled on the measured ones. */
function ticketUsage(m: LifecycleMeasurement, stack: StackFacts): { usage: TicketUsage; apiScale: number } {
  const apiMeasured = m.invocations.filter((i) => i.fn === 'api').reduce((sum, i) => sum + i.perTicket, 0);
  const reads = m.invocations.filter((i) => i.fn === 'api' && i.label !== 'agent reply');
  const readCalls = reads.reduce((sum, i) => sum + i.perTicket, 0);
  // Calls beyond the measured ones are reads, shaped like the measured reads on average.
  const extraReads = Math.max(0, API_CALLS_PER_TICKET - apiMeasured);
  const readShare = readCalls > 0 ? extraReads / readCalls : 0;

  const requests = emptyUsage();
  addUsage(requests, m.sesReceiptUsage);
  for (const fn of ['ingest', 'notify', 'api'] as const) addUsage(requests, usageOf(m, fn));
  const extra = (pick: (u: ReturnType<typeof emptyUsage>) => number) => reads.reduce((sum, i) => sum + pick(i.usage), 0) * readShare;

  const functions: FunctionUsage[] = (['ingest', 'notify', 'api'] as const).map((fn) => {
    const kinds = m.invocations.filter((i) => i.fn === fn);
    const handlerMs = kinds.reduce((sum, i) => sum + i.perTicket * onLambda(i, stack.memoryMb[fn]), 0);
    const invocations = kinds.reduce((sum, i) => sum + i.perTicket, 0);
    // Notify's own status updates reach it milliseconds after the send, in the environment the send warmed.
    const followUps = kinds.filter((i) => i.label === NOTIFY_FOLLOW_UP).reduce((sum, i) => sum + i.perTicket, 0);
    const extraMs = fn === 'api' ? reads.reduce((sum, i) => sum + i.perTicket * onLambda(i, stack.memoryMb.api), 0) * readShare : 0;
    return {
      name: fn,
      memoryMb: stack.memoryMb[fn],
      invocations: invocations + (fn === 'api' ? extraReads : 0),
      coldCandidates: invocations - followUps + (fn === 'api' ? extraReads : 0),
      handlerMs: handlerMs + extraMs,
      initMs: INIT_MS[fn],
      readsSecretAtInit: fn !== 'api',
    };
  });
  const invocationCount = functions.reduce((sum, f) => sum + f.invocations, 0);
  const logBytes =
    m.invocations.reduce((sum, i) => sum + i.logBytes, 0) +
    reads.reduce((sum, i) => sum + i.logBytes, 0) * readShare +
    invocationCount * PLATFORM_LOG_BYTES +
    API_CALLS_PER_TICKET * ACCESS_LOG_BYTES;
  const responseBytes =
    m.invocations.reduce((sum, i) => sum + i.responseBytes, 0) + reads.reduce((sum, i) => sum + i.responseBytes, 0) * readShare;
  // The agent opens the customer's attachment once: a presigned GET the browser makes straight to S3.
  const attachmentDownloads = 1;

  return {
    apiScale: readShare,
    usage: {
      inboundMessages: m.inboundBytes.length,
      inboundChunks: m.inboundBytes.reduce((sum, b) => sum + chunksOf(b) + HEAVY_TAIL_EXTRA_CHUNKS, 0),
      outboundRecipients: usageOf(m, 'notify').sesRecipients,
      outboundAttachmentBytes: usageOf(m, 'notify').s3GetBytes,
      s3Puts: requests.s3Puts + extra((u) => u.s3Puts),
      s3Gets: requests.s3Gets + extra((u) => u.s3Gets) + attachmentDownloads,
      s3StoredBytes: m.storedS3Bytes,
      wru: requests.wru + extra((u) => u.wru),
      rru: requests.rru + extra((u) => u.rru),
      itemBytes: m.storedItemBytes,
      functions,
      apiRequests: API_CALLS_PER_TICKET,
      logBytes,
      responseBytes,
      sqsRequests: SQS_REQUESTS_PER_TICKET,
    },
  };
}

const usd = (n: number) => (n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`);

function measuredTable(m: LifecycleMeasurement, stack: StackFacts): string {
  const rows = m.invocations.map((i) => [
    i.fn,
    i.label,
    String(i.perTicket),
    formatMs(median(i.durationsMs)),
    formatMs(median(i.ioMs)),
    formatMs(onLambda(i, stack.memoryMb[i.fn])),
    `${stack.memoryMb[i.fn]} MB`,
    i.usage.rru.toFixed(1),
    i.usage.wru.toFixed(1),
    `${i.usage.s3Puts} / ${i.usage.s3Gets}`,
    i.usage.sesRecipients > 0 ? `${i.usage.sesRecipients} (${formatBytes(i.usage.sesBytes)})` : '–',
  ]);
  const ses = m.sesReceiptUsage;
  rows.push([
    '(SES receiving)',
    'raw mail stored under inbound/',
    String(m.inboundBytes.length),
    '–',
    '–',
    '–',
    '–',
    '–',
    '–',
    `${ses.s3Puts} / 0`,
    '–',
  ]);
  return markdownTable(
    [
      'function',
      'invocation',
      'per ticket',
      'handler median (here)',
      'of it waiting on services',
      'on Lambda (CPU share)',
      'memory',
      'RRU',
      'WRU',
      'S3 PUT / GET',
      'SES recipients (bytes)',
    ],
    rows,
  );
}

function billTable(usage: TicketUsage): { table: string; perThousand: number[] } {
  const bills = VOLUMES.map((v) => monthlyCost(usage, v.tickets, v.coldShare));
  const rows = bills[0]!.map((line, i) => [line.line, line.quantity, usd(line.usd), bills[1]![i]!.quantity, usd(bills[1]![i]!.usd)]);
  const totals = bills.map(total);
  rows.push(['**Total, list price**', '', `**${usd(totals[0]!)}**`, '', `**${usd(totals[1]!)}**`]);
  const perThousand = totals.map((t, i) => (t / VOLUMES[i]!.tickets) * 1000);
  rows.push(['**Per 1,000 tickets**', '', `**${usd(perThousand[0]!)}**`, '', `**${usd(perThousand[1]!)}**`]);
  return { table: markdownTable(['line', '1,000 tickets/month', '$', '100,000 tickets/month', '$'], rows), perThousand };
}

/** The fixed bill of the default stack beside the same stack with an alarm email, line by line. */
function fixedTable(stack: StackFacts): { table: string; totals: [number, number] } {
  const plain: CostLine[] = fixedMonthlyCost(stack.fixed);
  const alarmed: CostLine[] = fixedMonthlyCost(stack.fixedWithAlarms);
  const totals: [number, number] = [total(plain), total(alarmed)];
  return {
    table: markdownTable(
      ['fixed monthly', 'default: count', '$ / month', 'with --alarm-email: count', '$ / month'],
      [
        ...plain.map((line, i) => [line.line, line.quantity, usd(line.usd), alarmed[i]!.quantity, usd(alarmed[i]!.usd)]),
        ['**Total fixed**', '', `**${usd(totals[0])}**`, '', `**${usd(totals[1])}**`],
      ],
    ),
    totals,
  };
}

export const benchmark: Benchmark = {
  name: 'cost',
  description: `Monthly AWS list-price bill at 1,000 and 100,000 tickets (ack + 2 replies each way), from requests, bytes and handler durations measured on the real ingest, notify and API code over local servers; target under $${TARGET_PER_1000} per 1,000 tickets`,
  async run({ quick }) {
    const stack = await readStack();
    const runs = quick ? 2 : 6;
    const measurement = await measureLifecycles(runs);
    const { usage, apiScale } = ticketUsage(measurement, stack);
    const bill = billTable(usage);
    const fixed = fixedTable(stack);
    const verdict = (v: number, target = TARGET_PER_1000) => (v < target ? 'within target' : '**over target**');
    const freeAlarms = Math.max(0, stack.fixedWithAlarms.alarms - FREE_ALARMS) * PRICES.alarmMonth + fixed.totals[0];
    const gbS = (coldShare: number) =>
      usage.functions.reduce((s, f) => s + (f.memoryMb / 1024) * ((f.handlerMs + f.coldCandidates * coldShare * f.initMs) / 1000), 0);
    return [
      `**Per 1,000 tickets: ${usd(bill.perThousand[0]!)} at 1,000 tickets/month (${verdict(bill.perThousand[0]!)}), ${usd(bill.perThousand[1]!)} at 100,000 (${verdict(bill.perThousand[1]!)}); plus ${usd(fixed.totals[0])} a month fixed for an idle desk with ${AGENTS} agents (${verdict(fixed.totals[0], TARGET_FIXED)} of $${TARGET_FIXED}), ${usd(fixed.totals[1])} with an alarm email (${stack.fixedWithAlarms.alarms} alarms; ${usd(freeAlarms)} where the account's ${FREE_ALARMS} free alarms are unused).**`,
      '',
      '### Assumptions',
      '',
      `- One ticket = 3 inbound mails (the first, with a 24 KiB attachment, and 2 customer replies to the reply address) and 3 outbound (acknowledgement and 2 agent replies, one recipient, no Cc). Measured on ${runs} lifecycles (${runs - 1} timed after a warm-up) through the real \`createIngestHandler\`, \`createNotifyHandler\` and \`createApiHandler\` over DynamoDB Local, s3rver and aws-ses-v2-local.`,
      `- Inbound sizes measured: ${measurement.inboundBytes.map(formatBytes).join(', ')}; plus prices.md's heavy tail (0.7 % of mail ~3 MB): +${HEAVY_TAIL_EXTRA_CHUNKS.toFixed(3)} chunks a message.`,
      '- DynamoDB units are what DynamoDB Local reports with `ReturnConsumedCapacity: INDEXES` (GSI writes and the 2× of transactions included); refused conditional writes count 1 WRU per item. Stream reads by Lambda are free.',
      `- Notify is invoked once per stream record that passes the stack's filter (delivery INSERT or MODIFY): its own status updates invoke it too. The API: ${API_CALLS_PER_TICKET} calls a ticket (prices.md); 5 measured (inbox list, 2 ticket views, 2 replies), the other ${API_CALLS_PER_TICKET - 5} modelled as the measured reads (×${apiScale.toFixed(1)}). Every API call also passes CloudFront (\`/api/*\`).`,
      `- Durations: handler medians on this machine; the compute part (the duration less the time waiting on the local DynamoDB, S3 and SES) is scaled by Lambda's CPU share (1 vCPU at 1,769 MB: ×${(1769 / stack.memoryMb.notify).toFixed(2)} at ${stack.memoryMb.notify} MB, ×${(1769 / stack.memoryMb.ingest).toFixed(2)} at ${stack.memoryMb.ingest} MB), the waiting part is kept as measured on the local servers. Memory sizes from the synthesised stack: ingest ${stack.memoryMb.ingest} MB, notify ${stack.memoryMb.notify} MB, api ${stack.memoryMb.api} MB. INIT (prices.md): ingest and notify 500 ms, api 300 ms; cold share 50 % at 1,000 tickets, 5 % at 100,000, of every invocation but notify's follow-ups on its own status updates. Result: ${gbS(0.5).toFixed(2)} and ${gbS(0.05).toFixed(2)} GB-s a ticket.`,
      `- Logs: the handlers' JSON lines as written, plus ${PLATFORM_LOG_BYTES} B of START/END/REPORT per invocation and ${ACCESS_LOG_BYTES} B of API access log per call. Data out: API response bodies. SQS: ${SQS_REQUESTS_PER_TICKET} request a ticket. Secrets Manager: one GetSecretValue per cold start of ingest and notify.`,
      `- The agent downloads the attachment once (a presigned S3 GET). Storage is the first month only: ${formatBytes(usage.s3StoredBytes)} in S3 and ~${formatBytes(usage.itemBytes)} of items a ticket.`,
      `- List prices, us-east-1, from shared/reference/prices.md (SES à la carte; Essentials adds $0.18 per 1,000 tickets). No free tiers applied, except Cognito Essentials' ${COGNITO_ESSENTIALS_FREE_MAU.toLocaleString('en-US')} free monthly active users, which are part of that plan's price (prices.md row 20). KMS ($1/key), CloudWatch alarms ($0.10 per standard-resolution alarm metric) and dashboards ($3) are not in prices.md: AWS list prices to verify; the first ${FREE_ALARMS} alarm metrics and 3 dashboards of an account are free.`,
      "- Fixed: what the stack bills by the month while no mail arrives, counted in the synthesised templates: the default stack (`sesdesk deploy --no-alarms`: no alarm email, no CloudWatch dashboard, Cognito Essentials, AWS-managed keys) and the same with `--alarm-email`. Idle resources that cost nothing are left out: on-demand DynamoDB (point-in-time recovery is billed per GB of an empty table), Lambda, SQS queues with no poller, SNS topics, S3 and the failure metrics (published only when a failure is logged). A Route 53 hosted zone ($0.50) is yours, not the stack's.",
      '',
      '### Measured per ticket',
      '',
      measuredTable(measurement, stack),
      '',
      '### Monthly bill (variable)',
      '',
      bill.table,
      '',
      `### Fixed monthly (${AGENTS} agents, no mail)`,
      '',
      fixed.table,
    ].join('\n');
  },
};

// `npx tsx bin/bench/cost.ts [--quick]` runs it alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const markdown = await benchmark.run({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${markdown}\n`);
}
