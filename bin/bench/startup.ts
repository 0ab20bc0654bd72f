// bench: `npm start` → `sesdesk ready` on a first run and on a restart, against `node -e 0` and DynamoDB Local alone
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { localEnvOnFreePorts } from '../local/local-env';
import { findFreePort } from '../local/ports';
import { progress, type Benchmark, type BenchOptions } from './benchmark';
import { formatMs, formatRatio, markdownTable, median } from './stats';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** The targets of issue 19, on a 2-core machine. */
const TARGET_FIRST_MS = 20_000;
const TARGET_RESTART_MS = 10_000;
const READY_TIMEOUT_MS = 180_000;

/** One start: wall time from spawn to the `sesdesk ready` line, and the time the command printed itself. */
interface StartSample {
  readonly ms: number;
  readonly printedMs: number | null;
}

/**
 * Spawns `npm start` (own process group, so the shell, node and the JVM all get the signal), waits for
 * `sesdesk ready`, then stops it with SIGINT and waits for it to exit.
 */
async function npmStart(vars: Record<string, string>, extraArgs: readonly string[]): Promise<StartSample> {
  const started = performance.now();
  const child = spawn('npm', ['start', ...(extraArgs.length > 0 ? ['--', ...extraArgs] : [])], {
    cwd: REPO,
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  try {
    const ms = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "sesdesk ready" after ${READY_TIMEOUT_MS} ms:\n${output.slice(-2000)}`)),
        READY_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (/^sesdesk ready$/m.test(output)) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code} before it was ready:\n${output.slice(-2000)}`));
      });
    });
    const printed = /Ready in ([\d.]+) s/.exec(output);
    return { ms, printedMs: printed ? Number(printed[1]) * 1000 : null };
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
    await exited;
  }
}

/** `node -e 0`: what starting any Node command costs on this machine right now. */
async function nodeNoop(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' })
      .once('error', reject)
      .once('exit', () => resolve());
  });
  return performance.now() - started;
}

/** DynamoDB Local alone, started as the stack starts it: the floor under every start of the stack. */
async function dynamoAlone(dataDir: string): Promise<number> {
  const started = performance.now();
  const server = await startDynamoDbLocal({ port: await findFreePort(), dataDir: path.join(dataDir, 'dynamodb'), quickStart: true });
  const ms = performance.now() - started;
  await server.stop();
  return ms;
}

interface Round {
  readonly node: number;
  readonly dynamo: number;
  readonly first: StartSample;
  readonly restart: StartSample;
}

/** One interleaved round, so load drift lands on every figure alike. */
async function round(): Promise<Round> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-bench-startup-'));
  try {
    const node = await nodeNoop();
    const dynamo = await dynamoAlone(path.join(dataDir, 'alone'));
    const { vars } = await localEnvOnFreePorts(path.join(dataDir, 'desk'));
    // A first run: no data, and the dashboard built as a fresh clone builds it.
    const first = await npmStart(vars, ['--rebuild-web']);
    const restart = await npmStart(vars, []);
    return { node, dynamo, first, restart };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

function row(what: string, samples: readonly number[], baseline: readonly number[], target: number | null): string[] {
  const sorted = [...samples].sort((a, b) => a - b);
  return [
    what,
    formatMs(median(samples)),
    `${formatMs(sorted[0]!)} – ${formatMs(sorted.at(-1)!)}`,
    formatRatio(median(samples) / median(baseline)),
    target === null ? '–' : `≤ ${formatMs(target)} ${median(samples) <= target ? '✓' : '✗'}`,
  ];
}

export const benchmark: Benchmark = {
  name: 'startup',
  description:
    '`npm start` → `sesdesk ready` on a first run (empty data directory, dashboard built) and on a restart (data kept, dashboard reused), against `node -e 0` and DynamoDB Local alone in the same rounds. Target: first run ≤ 20 s, restart ≤ 10 s.',
  async run(options: BenchOptions) {
    const rounds = options.quick ? 1 : 5;
    const results: Round[] = [];
    for (let i = 0; i < rounds; i += 1) {
      progress(`startup: round ${i + 1}/${rounds}`);
      results.push(await round());
    }
    const dynamo = results.map((r) => r.dynamo);
    const printedGap = (samples: readonly StartSample[]) =>
      median(samples.flatMap((s) => (s.printedMs === null ? [] : [s.ms - s.printedMs])));
    return [
      markdownTable(
        ['from spawn to ready', 'median', 'range', 'vs DynamoDB Local alone', 'target'],
        [
          row(
            '`node -e 0` (baseline: any Node command)',
            results.map((r) => r.node),
            dynamo,
            null,
          ),
          row('DynamoDB Local alone (baseline: the JVM the stack waits for)', dynamo, dynamo, null),
          row(
            '`npm start`, first run (empty data, dashboard built)',
            results.map((r) => r.first.ms),
            dynamo,
            TARGET_FIRST_MS,
          ),
          row(
            '`npm start`, restart (data kept, dashboard reused)',
            results.map((r) => r.restart.ms),
            dynamo,
            TARGET_RESTART_MS,
          ),
        ],
      ),
      '',
      `${rounds} interleaved round(s): \`node -e 0\`, DynamoDB Local alone, a first run, then a restart on its data. ` +
        `The "Ready in" figure \`npm start\` prints was within ${formatMs(printedGap(results.map((r) => r.first)))} (first run) and ` +
        `${formatMs(printedGap(results.map((r) => r.restart)))} (restart) of the time measured here from spawn (median difference).`,
    ].join('\n');
  },
};
