// bench: builds the dashboard and prints what a first visit downloads, gzipped (`npx tsx bin/bench/web-size.ts`)
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/** The budget the dashboard keeps for the JavaScript of its first page. */
const INITIAL_JS_BUDGET_BYTES = 80 * 1024;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-web-size-'));
try {
  await build({ configFile: path.join(root, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
  // What index.html loads at once: its module script, module preloads and stylesheets; the rest is lazy.
  const initial = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!));
  const gz = async (file: string): Promise<number> => gzipSync(await readFile(path.join(outDir, file)), { level: 9 }).length;
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

  let initialJs = 0;
  const rows: string[] = [];
  for (const name of (await readdir(path.join(outDir, 'assets'))).sort()) {
    const file = `assets/${name}`;
    const size = await gz(file);
    const loaded = initial.has(file) ? 'initial' : 'lazy';
    if (loaded === 'initial' && name.endsWith('.js')) initialJs += size;
    rows.push(`  ${loaded.padEnd(8)} ${kb(size).padStart(9)}  ${file}`);
  }
  console.log(`dashboard build (gzip -9):\n${rows.join('\n')}`);
  console.log(`initial JS: ${kb(initialJs)} gzipped (budget ${kb(INITIAL_JS_BUDGET_BYTES)})`);
  if (initialJs > INITIAL_JS_BUDGET_BYTES) process.exitCode = 1;
} finally {
  await rm(outDir, { recursive: true, force: true });
}
