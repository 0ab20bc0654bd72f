// bench: start-up of the `sesdesk` command (--help, token, parse FILE) against `node -e 0`, and against the same sources through tsx
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, compiledCliEntry, readBuildManifest, staleInput } from '../cli/compiled-cli.js';
import { progress, type Benchmark } from './benchmark';
import { formatMs, formatRatio, markdownTable, median, p95, pairedRatio } from './stats';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SESDESK = path.join(REPO_ROOT, 'bin/sesdesk.js');
/** What bin/sesdesk.js did before the CLI was compiled: register tsx, then import the TypeScript entry. */
const THROUGH_TSX = [
  "import { register } from 'tsx/esm/api';",
  'register();',
  "const { main } = await import('./bin/cli/main.ts');",
  'process.exitCode = await main(process.argv.slice(1));',
].join(' ');
/** A checkout of another commit (sharing this node_modules) whose `bin/sesdesk.js` is measured too, for before/after. */
const BEFORE_VARIABLE = 'SESDESK_BENCH_CLI_BEFORE';
/** A mail client's usual shape, text and HTML, so `parse` loads the HTML sanitiser and HTML-to-text as real mail does. */
const MAIL = [
  'From: Ann Customer <ann@example.com>',
  'To: support@desk.localhost',
  'Subject: The printer is on fire',
  'Message-ID: <cli-start-bench@example.com>',
  'Date: Thu, 02 Jan 2025 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="b"',
  '',
  '--b',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello, the printer is on fire.',
  '',
  '--b',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Hello, the printer is <b>on fire</b>.</p>',
  '--b--',
  '',
].join('\r\n');

interface Variant {
  readonly label: string;
  /** The program: `node` unless given. */
  readonly program?: string;
  readonly argv: readonly string[];
  readonly samples: number[];
}

/** Wall time of one fresh process from spawn to exit; a failing command fails the benchmark. */
function timeRun({ program = process.execPath, argv }: Variant, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(program, argv, { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = performance.now() - started;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${program} ${argv.join(' ')} exited with ${code}: ${stderr.trim().slice(0, 500)}`));
    });
  });
}

export const benchmark: Benchmark = {
  name: 'cli-start',
  description:
    'wall time of `sesdesk --help`, `sesdesk token` and `sesdesk parse FILE` from spawn to exit, compiled and cached as shipped, against `node -e 0` and against the same sources through tsx (the previous launcher), interleaved; target: well under a second',
  async run({ quick }) {
    const rounds = quick ? 3 : 11;
    const compiles = quick ? 1 : 3;
    const before = process.env[BEFORE_VARIABLE] ? path.resolve(process.env[BEFORE_VARIABLE]) : undefined;
    const work = mkdtempSync(path.join(os.tmpdir(), 'sesdesk-bench-cli-'));
    try {
      const mailFile = path.join(work, 'mail.eml');
      writeFileSync(mailFile, MAIL);
      // No inherited loader (NODE_OPTIONS=--import tsx would slow every variant); the token's secret in a scratch dir.
      const env = { ...process.env, NODE_OPTIONS: '', SESDESK_DATA_DIR: path.join(work, 'data') };

      progress('cli-start: compiling the CLI if a source changed');
      await compiledCliEntry({ log: progress });
      const compileMs: number[] = [];
      for (let i = 0; i < compiles; i++) {
        const started = performance.now();
        await buildCli({ cacheDir: path.join(work, `build-${i}`) });
        compileMs.push(performance.now() - started);
      }
      const manifest = readBuildManifest(path.join(work, 'build-0'))!;
      const checkMs = Array.from({ length: 25 }, () => {
        const started = performance.now();
        staleInput(REPO_ROOT, manifest);
        return performance.now() - started;
      });

      const commands: readonly (readonly [string, readonly string[]])[] = [
        ['sesdesk --help', ['--help']],
        ['sesdesk token', ['token']],
        ['sesdesk parse FILE', ['parse', mailFile]],
      ];
      const variant = (label: string, argv: readonly string[], program?: string): Variant => ({ label, argv, program, samples: [] });
      const baseline = variant('`node -e 0` (baseline)', ['-e', '0']);
      const rows = commands.map(([label, args]) => ({
        compiled: variant(`\`${label}\`, compiled`, [SESDESK, ...args]),
        tsx: variant(`\`${label}\`, through tsx`, ['--input-type=module', '-e', THROUGH_TSX, '--', ...args]),
        before: before ? variant(`\`${label}\`, ${path.basename(before)}`, [path.join(before, 'bin/sesdesk.js'), ...args]) : undefined,
      }));
      // What `npx sesdesk` adds: npm's own start, before it runs bin/sesdesk.js.
      const npx = variant('`npx sesdesk --help`, compiled', ['sesdesk', '--help'], 'npx');
      const all = [baseline, ...rows.flatMap((row) => [row.compiled, row.tsx, ...(row.before ? [row.before] : [])]), npx];
      // The first run of each warms the file cache (and tsx's own transform cache) and is not counted.
      for (const each of all) await timeRun(each, env);
      // Sequential and interleaved, each round in a rotated order, so drift in load spreads over all variants.
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < all.length; i++) {
          const next = all[(i + round) % all.length]!;
          next.samples.push(await timeRun(next, env));
        }
        progress(`cli-start: round ${round + 1}/${rounds}`);
      }

      const line = (run: Variant, tsx?: Variant) => [
        run.label,
        formatMs(median(run.samples)),
        formatMs(p95(run.samples)),
        formatRatio(pairedRatio(run.samples, baseline.samples)),
        tsx ? formatRatio(pairedRatio(run.samples, tsx.samples)) : '',
      ];
      const table = [
        line(baseline),
        ...rows.flatMap((row) => [line(row.compiled, row.tsx), line(row.tsx), ...(row.before ? [line(row.before, row.tsx)] : [])]),
        line(npx),
      ];
      const slowest = rows.map((row) => row.compiled).reduce((worst, run) => (median(run.samples) > median(worst.samples) ? run : worst));
      const slowestMs = median(slowest.samples);
      return [
        `Wall time from spawn to exit of a fresh process per run, median of ${rounds} interleaved rounds (one uncounted warm-up run each; stdout discarded). ` +
          '"Compiled" is `node bin/sesdesk.js …` as shipped: the cached esbuild bundle, after its staleness check. ' +
          '"Through tsx" registers tsx and imports bin/cli/main.ts, as bin/sesdesk.js did before, with tsx\'s transform cache warm. ' +
          (before ? `"${path.basename(before)}" is bin/sesdesk.js of the checkout in ${before} (${BEFORE_VARIABLE}). ` : '') +
          "`npx sesdesk --help` is the compiled run behind npm's own start. " +
          'The mail parsed is a small text + HTML message. Ratios are medians of per-round ratios.',
        '',
        markdownTable(['run', 'median', 'p95', '× node -e 0', '× through tsx'], table),
        '',
        markdownTable(
          ['one-off and per-call costs of the compiled CLI', 'median'],
          [
            [`compile after a source change (esbuild, median of ${compiles} into fresh directories)`, formatMs(median(compileMs))],
            [
              `staleness check on every call (stat of ${Object.keys(manifest.inputs).length} inputs, in-process)`,
              formatMs(median(checkMs)),
            ],
          ],
        ),
        '',
        `Target, well under a second: the slowest, ${slowest.label}, takes ${formatMs(slowestMs)} ` +
          `(${formatRatio(pairedRatio(slowest.samples, baseline.samples))} \`node -e 0\`): ` +
          `${slowestMs < 1000 ? 'within' : '**OVER**'} (bar: median under 1 s; every figure here, the baseline's too, grows with the machine's load).`,
      ].join('\n');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
