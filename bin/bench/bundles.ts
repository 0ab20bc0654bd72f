// bench: Lambda bundle size and cold import time of each handler vs the aws-lambda-ses-forwarder package, built alike
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_SETTINGS, functionEntry, lambdaBuildOptions } from '../../lib/constructs/app-function';
import { progress, type Benchmark } from './benchmark';
import { formatBytes, formatMs, formatRatio, markdownTable, median, p95, pairedRatio } from './stats';

const HANDLERS = ['ingest', 'notify', 'api', 'bounces'];
const BASELINE = 'aws-lambda-ses-forwarder';
const TOP_MODULES = 6;
const MARKER = 'SESDESK_IMPORT_MS=';

/** The construct sets this NODE_OPTIONS on every function, so the bundles are imported with it. */
const LAMBDA_FLAGS = ['--enable-source-maps'];

interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly metafile: Metafile;
  /** Import times (ms), one per fresh process. */
  readonly imports: number[];
}

/** esbuild with the options the CDK construct passes (lib/constructs/app-function.ts), plus a metafile. */
async function bundle(name: string, entry: string, outDir: string): Promise<Bundle> {
  const file = path.join(outDir, name, 'index.mjs');
  const result = await build({ ...lambdaBuildOptions(entry, file), metafile: true, logLevel: 'error' });
  const code = readFileSync(file);
  return { name, file, rawBytes: code.length, gzipBytes: gzipSync(code).length, metafile: result.metafile, imports: [] };
}

/** One fresh `node` that times `await import(bundle)` and prints the elapsed ms after a marker. */
function timeColdImport(file: string, flags: readonly string[]): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write('\\n${MARKER}' + (performance.now() - t)); process.exit(0);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', script], {
      // A region like Lambda's; no inherited NODE_OPTIONS (a loader would slow every import).
      env: { ...process.env, NODE_OPTIONS: '', AWS_REGION: 'us-east-1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const value = Number(stdout.slice(stdout.lastIndexOf(MARKER) + MARKER.length));
      if (code === 0 && stdout.includes(MARKER) && Number.isFinite(value)) resolve(value);
      else reject(new Error(`importing ${file} failed (exit ${code}): ${stderr.trim().slice(0, 500)}`));
    });
  });
}

/** `node_modules/@aws-sdk/client-s3/dist-es/…` → `@aws-sdk/client-s3`; project files → their folder. */
function moduleGroup(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return path.dirname(input).split('/').slice(0, 3).join('/');
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** The groups contributing most bytes to the bundle's output, e.g. `mailparser 212 KiB (18%)`. */
function topModules(bundle: Bundle): string {
  const bytes = new Map<string, number>();
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const group = moduleGroup(input);
      bytes.set(group, (bytes.get(group) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_MODULES)
    .map(([group, size]) => `${group} ${formatBytes(size)} (${Math.round((size / bundle.rawBytes) * 100)}%)`)
    .join(', ');
}

export const benchmark: Benchmark = {
  name: 'bundles',
  description: `size and cold import time of each Lambda handler bundled like the CDK construct does, against the ${BASELINE} package bundled the same way; target: import time ≤ the forwarder's`,
  async run({ quick }) {
    const runs = quick ? 5 : 7;
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'sesdesk-bench-bundles-'));
    try {
      const handlers = HANDLERS.filter((name) => existsSync(functionEntry(name)));
      const baselineEntry = createRequire(import.meta.url).resolve(BASELINE);
      const bundles: Bundle[] = [];
      for (const name of handlers) {
        progress(`bundles: building ${name}`);
        bundles.push(await bundle(name, functionEntry(name), outDir));
      }
      progress(`bundles: building ${BASELINE}`);
      const baseline = await bundle(BASELINE, baselineEntry, outDir);
      const all = [...bundles, baseline];

      // Sequential and interleaved: every run imports each bundle once, in a rotated order, so drift in
      // machine load spreads over all of them instead of landing on whichever went last.
      for (let run = 0; run < runs; run++) {
        const order = all.map((_, i) => all[(i + run) % all.length]!);
        for (const b of order) b.imports.push(await timeColdImport(b.file, LAMBDA_FLAGS));
        progress(`bundles: import run ${run + 1}/${runs}`);
      }

      const rows = all.map((b) => [
        b === baseline ? `baseline: ${BASELINE}` : `functions/${b.name}`,
        formatBytes(b.rawBytes),
        formatBytes(b.gzipBytes),
        formatMs(median(b.imports)),
        formatMs(p95(b.imports)),
        b === baseline ? '1.00×' : formatRatio(pairedRatio(b.imports, baseline.imports)),
      ]);
      const verdicts = bundles.map((b) => {
        const value = pairedRatio(b.imports, baseline.imports);
        return `${b.name} ${value <= 1 ? 'within' : '**OVER**'} (${formatRatio(value)})`;
      });
      const composition = markdownTable(
        ['bundle', `largest contributors to the minified output (top ${TOP_MODULES}, from the esbuild metafile)`],
        all.map((b) => [b.name, topModules(b)]),
      );
      return [
        `Each bundle built with esbuild ${BUNDLE_SETTINGS.target}, minified ESM, platform node, AWS SDK bundled, source map beside it, the createRequire banner, mainFields ${BUNDLE_SETTINGS.mainFields.join(',')}. ` +
          `Import time: median of ${runs} fresh \`node\` processes per bundle, each timing \`await import(bundle)\` with performance.now() (process start-up excluded) under the functions' \`NODE_OPTIONS=--enable-source-maps\`, spawned one at a time and interleaved. ` +
          `Handlers present: ${handlers.join(', ') || 'none'}. Sizes exclude the .map file.`,
        '',
        markdownTable(['bundle', 'raw', 'gzip', 'cold import, median', 'cold import, p95', 'vs forwarder (median of paired runs)'], rows),
        '',
        `Target, cold import ≤ the forwarder's: ${verdicts.join('; ') || 'no handler to compare'}.`,
        '',
        composition,
      ].join('\n');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  },
};
