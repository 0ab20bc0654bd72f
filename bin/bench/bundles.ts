// bench: Lambda bundle size and cold import time of each handler vs the aws-lambda-ses-forwarder package, built alike
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { BUNDLE_SETTINGS, bundleFunction, functionEntry, REPO_ROOT } from '../../lib/constructs/function-bundle';
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
  /** Output files (code only) the entry loads at import: itself and the chunks it imports statically. */
  readonly atImport: readonly string[];
  readonly rawBytes: number;
  readonly gzipBytes: number;
  /** Code the bundle loads only on first use: dynamically imported chunks. */
  readonly lazyBytes: number;
  /** Chunks of the project's own dynamic imports (e.g. the HTML sanitiser), timed after the entry. */
  readonly lazyProjectChunks: readonly string[];
  readonly metafile: Metafile;
  /** Import times (ms), one per fresh process. */
  readonly imports: number[];
  /** Time to import {@link lazyProjectChunks} after the entry, same processes. */
  readonly lazyImports: number[];
}

/** The output files reachable from `start` through static imports. */
function staticClosure(metafile: Metafile, start: string): string[] {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const imported of metafile.outputs[queue.pop()!]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external && !seen.has(imported.path)) {
        seen.add(imported.path);
        queue.push(imported.path);
      }
    }
  }
  return [...seen];
}

/** Bundled exactly as the CDK construct bundles a function (lib/constructs/function-bundle.ts). */
async function bundle(name: string, entry: string, outDir: string): Promise<Bundle> {
  const dir = path.join(outDir, name);
  const metafile = await bundleFunction(entry, dir);
  const outputs = Object.keys(metafile.outputs).filter((output) => output.endsWith('.mjs'));
  const entryOutput = outputs.find((output) => path.basename(output) === 'index.mjs')!;
  const atImport = staticClosure(metafile, entryOutput);
  const read = (outputs: readonly string[]) => Buffer.concat(outputs.map((output) => readFileSync(path.resolve(REPO_ROOT, output))));
  const code = read(atImport);
  const lazy = outputs.filter((output) => !atImport.includes(output));
  const lazyProjectChunks = lazy.filter((output) => metafile.outputs[output]?.entryPoint?.startsWith('functions/'));
  return {
    name,
    file: path.resolve(REPO_ROOT, entryOutput),
    atImport,
    rawBytes: code.length,
    gzipBytes: gzipSync(code).length,
    lazyBytes: read(lazy).length,
    lazyProjectChunks: lazyProjectChunks.map((output) => path.resolve(REPO_ROOT, output)),
    metafile,
    imports: [],
    lazyImports: [],
  };
}

/**
 * One fresh `node` that times `await import(bundle)`, then the import of the given lazy chunks, and prints both
 * elapsed ms after a marker.
 */
function timeColdImport(file: string, lazy: readonly string[], flags: readonly string[]): Promise<{ entry: number; lazy: number }> {
  const href = (f: string) => JSON.stringify(pathToFileURL(f).href);
  const script = [
    `let t = performance.now(); await import(${href(file)}); const entry = performance.now() - t;`,
    `t = performance.now(); for (const chunk of [${lazy.map(href).join(',')}]) await import(chunk); const lazy = performance.now() - t;`,
    `process.stdout.write('\\n${MARKER}' + entry + ' ' + lazy); process.exit(0);`,
  ].join(' ');
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
      const [entry, lazyMs] = stdout
        .slice(stdout.lastIndexOf(MARKER) + MARKER.length)
        .split(' ')
        .map(Number);
      if (code === 0 && stdout.includes(MARKER) && Number.isFinite(entry) && Number.isFinite(lazyMs))
        resolve({ entry: entry!, lazy: lazyMs! });
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
  for (const output of bundle.atImport) {
    for (const [input, { bytesInOutput }] of Object.entries(bundle.metafile.outputs[output]!.inputs)) {
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
        for (const b of order) {
          const timed = await timeColdImport(b.file, b.lazyProjectChunks, LAMBDA_FLAGS);
          b.imports.push(timed.entry);
          b.lazyImports.push(timed.lazy);
        }
        progress(`bundles: import run ${run + 1}/${runs}`);
      }

      const rows = all.map((b) => [
        b === baseline ? `baseline: ${BASELINE}` : `functions/${b.name}`,
        formatBytes(b.rawBytes),
        formatBytes(b.gzipBytes),
        formatMs(median(b.imports)),
        formatMs(p95(b.imports)),
        b === baseline ? '1.00×' : formatRatio(pairedRatio(b.imports, baseline.imports)),
        formatBytes(b.lazyBytes),
        b.lazyProjectChunks.length > 0
          ? `${formatMs(median(b.lazyImports))} (${b.lazyProjectChunks.map((c) => path.basename(c).replace(/-\w+\.mjs$/, '')).join(', ')})`
          : '–',
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
        `Each bundle built by \`bundleFunction\` (lib/constructs/function-bundle.ts), as a deployment builds it: esbuild ${BUNDLE_SETTINGS.target}, minified ESM split into chunks, platform node, AWS SDK bundled, source maps beside them, the createRequire banner, mainFields ${BUNDLE_SETTINGS.mainFields.join(',')}, iconv-lite's CJK tables as JSON files beside it. ` +
          `Import time: median of ${runs} fresh \`node\` processes per bundle, each timing \`await import(index.mjs)\` with performance.now() (process start-up excluded) under the functions' \`NODE_OPTIONS=--enable-source-maps\`, spawned one at a time and interleaved. ` +
          `"at import" is index.mjs with the chunks it imports statically; "lazy" is what loads only on first use (chunks the code or the SDK \`import()\`s); the last column is, in the same processes, the time to import the project's own lazy chunks after the entry (what the first mail with HTML adds). ` +
          `Handlers present: ${handlers.join(', ') || 'none'}. Sizes exclude .map files and the JSON tables.`,
        '',
        markdownTable(
          [
            'bundle',
            'at import, raw',
            'gzip',
            'cold import, median',
            'cold import, p95',
            'vs forwarder (median of paired runs)',
            'lazy, raw',
            'first use of own lazy chunks, median',
          ],
          rows,
        ),
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
