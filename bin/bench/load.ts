// bench: the local desk under load (with and without injected faults) and its inbox latency (start-up: see startup.ts)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { issueLocalToken } from '../../functions/core/api/local-auth';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { createFaultInjector, type FaultInjector } from '../local/faults';
import { runLoad, type LoadReport } from '../local/load-generator';
import { localEnvOnFreePorts, type LocalEnv } from '../local/local-env';
import { readLocalSecret } from '../local/local-secret';
import { startLocalStack, type LocalStack } from '../local/stack';
import { progress, type Benchmark, type BenchOptions } from './benchmark';
import { formatBytes, formatMs, markdownTable, median, p95 } from './stats';

const config = DEFAULT_DESK_CONFIG;
const DESK = config.desks[0]!.address;

/** Sizes: full by default, small with --quick; each can be set with an environment variable. */
function sizes(options: BenchOptions) {
  const pick = (name: string, full: number, quick: number) => {
    const raw = process.env[name];
    return raw && /^\d+$/.test(raw) ? Number(raw) : options.quick ? quick : full;
  };
  return {
    emails: pick('SESDESK_BENCH_LOAD_EMAILS', 1000, 60),
    connections: pick('SESDESK_BENCH_LOAD_CONNECTIONS', 4, 4),
    probes: pick('SESDESK_BENCH_LOAD_PROBES', 200, 20),
  };
}

/** Runs `work` against a fresh in-process stack in a temp directory, sampling this process's RSS meanwhile. */
async function withStack<T>(
  faults: FaultInjector | undefined,
  work: (stack: LocalStack, env: LocalEnv, token: string) => Promise<T>,
): Promise<{ result: T; peakRss: number }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-bench-load-'));
  const { env } = await localEnvOnFreePorts(dataDir);
  const stack = await startLocalStack({ env, config, console: null, retryDelayMs: () => 500, faults });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  try {
    const token = await issueLocalToken(await readLocalSecret(dataDir), config.team[0]!);
    return { result: await work(stack, env, token), peakRss };
  } finally {
    clearInterval(sampler);
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function loadRun(
  emails: number,
  connections: number,
  faults: FaultInjector | undefined,
): Promise<{ report: LoadReport; peakRss: number }> {
  const { result, peakRss } = await withStack(faults, (stack, env, token) =>
    runLoad({
      smtp: { host: '127.0.0.1', port: env.smtpPort },
      outboxUrl: stack.urls.outbox,
      apiUrl: stack.urls.dashboard,
      token,
      deskAddress: DESK,
      count: emails,
      connections,
      settled: () => stack.settled(),
      settleTimeoutMs: 600_000,
      progress: process.stderr,
    }),
  );
  return { report: result, peakRss };
}

/** SMTP accepted → ticket returned by the API, for emails sent one at a time (the next after the previous appeared). */
async function inboxLatency(probes: number): Promise<number[]> {
  const { result } = await withStack(undefined, async (stack, env, token) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: env.smtpPort, secure: false, ignoreTLS: true });
    const samples: number[] = [];
    try {
      for (let i = 0; i < probes; i += 1) {
        const from = `probe${i}-${Date.now()}@customer.example`;
        await transport.sendMail({ from, to: DESK, subject: `Latency probe ${i}`, text: 'Is anyone there?' });
        const accepted = performance.now();
        for (;;) {
          const response = await fetch(`${stack.urls.dashboard}/api/requesters/${encodeURIComponent(from)}/tickets`, {
            headers: { authorization: `Bearer ${token}` },
          });
          if (response.ok && ((await response.json()) as { items: unknown[] }).items.length > 0) break;
          if (performance.now() - accepted > 60_000) throw new Error(`probe ${i} never became a ticket`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        samples.push(performance.now() - accepted);
        if ((i + 1) % 20 === 0) progress(`load: inbox latency ${i + 1}/${probes}`);
      }
    } finally {
      transport.close();
    }
    return samples;
  });
  return result;
}

function loadRow(label: string, { report, peakRss }: { report: LoadReport; peakRss: number }, faults?: FaultInjector): string[] {
  const get = (name: string) => report.checks.find((c) => c.name === name)!;
  const tickets = get('tickets created');
  const acks = get('acknowledgements sent');
  const doubled = get('acknowledgements sent twice');
  const injected = faults ? [...faults.stats.injected.values()].reduce((a, b) => a + b, 0) : 0;
  return [
    label,
    String(report.accepted),
    report.emailsPerSecond.toFixed(1),
    formatMs(p95(report.ticketLatencies)),
    `${tickets.actual} / ${tickets.expected}${tickets.ok && get('tickets created twice').ok ? '' : ' ✗'}`,
    `${acks.actual} / ${acks.expected}${acks.ok && doubled.ok ? '' : ' ✗'}${doubled.actual > 0 ? ` (${doubled.actual} twice)` : ''}`,
    report.ok
      ? 'all exact'
      : report.checks
          .filter((c) => !c.ok)
          .map((c) => `${c.name} ${c.actual}≠${c.expected}`)
          .join('; '),
    formatBytes(peakRss),
    faults ? String(injected) : '0',
  ];
}

export const benchmark: Benchmark = {
  name: 'load',
  description:
    'The local desk under mixed load (new threads, token and References replies, auto-replies, bounces) over SMTP, with and without 20% injected DynamoDB/SES faults; and SMTP → API latency (start-up time: the startup benchmark). Target: tickets and acknowledgements exact.',
  async run(options) {
    const size = sizes(options);
    progress(`load: ${size.emails} emails over ${size.connections} connections, no faults`);
    const clean = await loadRun(size.emails, size.connections, undefined);
    const faults = createFaultInjector({ dynamodb: 0.2, ses: 0.2, seed: 7 });
    progress(`load: ${size.emails} emails over ${size.connections} connections, faults ${faults.describe()}`);
    const faulty = await loadRun(size.emails, size.connections, faults);

    progress(`load: inbox latency over ${size.probes} emails sent one by one`);
    const latencies = await inboxLatency(size.probes);

    const injected = [...faults.stats.injected].map(([kind, n]) => `${kind} ${n}`).join(', ');
    return [
      markdownTable(
        [
          'run',
          'emails',
          'emails/s',
          'p95 SMTP → ticket',
          'tickets (got / expected)',
          'acks sent (got / expected)',
          'checks',
          'peak RSS',
          'faults injected',
        ],
        [loadRow('no faults', clean), loadRow('20% DynamoDB + SES faults', faulty, faults)],
      ),
      '',
      `Mix per run: ${Object.entries(clean.report.planned)
        .map(([k, n]) => `${n} ${k}`)
        .join(
          ', ',
        )}. emails/s = accepted emails / (first send → desk settled); replies are written only after their acknowledgement arrived, as a person would. Peak RSS is the bench process, which hosts the whole stack (handlers, s3rver, SES stand-in, SMTP and HTTP servers) and the load generator; DynamoDB Local is a separate Java process, not counted. p95 SMTP → ticket is sampled by polling the ticket list every 250 ms.`,
      `Faults injected in the second run: ${injected || 'none'}. "twice" counts acknowledgements SES received twice: the documented window (SES accepted, the answer was lost or the function died before recording it).`,
      '',
      markdownTable(
        ['local stack', 'median', 'p95', 'samples'],
        [
          [
            'SMTP accepted → ticket in the API (one by one)',
            formatMs(median(latencies)),
            formatMs(p95(latencies)),
            String(latencies.length),
          ],
        ],
      ),
    ].join('\n');
  },
};
