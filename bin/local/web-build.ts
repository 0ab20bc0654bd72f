// local stack: builds the dashboard (web/) with Vite into a directory the HTTP server serves, again only when its sources change
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** web/dist, where `npm run build:web` writes and the local stack serves from. */
export const WEB_DIST = path.join(ROOT, 'web', 'dist');

/**
 * Where the files a build into `outDir` read, and their digest, are kept (JSON `{inputs, digest}`): node_modules'
 * cache, not next to the build, so it is never deployed with web/dist.
 */
export function stampFile(outDir: string): string {
  const name = createHash('sha256').update(outDir).digest('hex').slice(0, 16);
  return path.join(ROOT, 'node_modules', '.cache', 'sesdesk', `web-build-${name}.json`);
}
/** Read by every build besides the modules it bundles; the lock file stands for every package in node_modules. */
const BUILD_INPUTS = ['web/vite.config.ts', 'package-lock.json'];

interface BuildStamp {
  /** Paths relative to the repository. */
  readonly inputs: string[];
  readonly digest: string;
}

/** Builds the dashboard into `outDir` (Vite is loaded only when a build is needed); returns the files it read. */
export async function buildDashboard(outDir: string = WEB_DIST): Promise<string[]> {
  const { build } = await import('vite');
  const result = await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const modules = new Set<string>();
  for (const output of Array.isArray(result) ? result : [result]) {
    if (!('output' in output)) continue;
    for (const chunk of output.output) if (chunk.type === 'chunk') for (const id of chunk.moduleIds) modules.add(id);
  }
  // Virtual modules start with NUL; packages are covered by the lock file.
  return [...modules]
    .filter((id) => path.isAbsolute(id) && !id.includes(`${path.sep}node_modules${path.sep}`))
    .map((id) => id.split('?')[0]!);
}

/** The digest of the given files (relative to the repository); null when one of them is gone. */
async function digestOf(inputs: readonly string[]): Promise<string | null> {
  const hash = createHash('sha256');
  for (const input of [...inputs].sort()) {
    const content = await readFile(path.join(ROOT, input)).catch(() => null);
    if (content === null) return null;
    hash.update(`${input}\0`).update(content).update('\0');
  }
  return hash.digest('hex');
}

async function readStamp(file: string): Promise<BuildStamp | null> {
  try {
    const stamp = JSON.parse(await readFile(file, 'utf8')) as Partial<BuildStamp>;
    if (!Array.isArray(stamp.inputs) || typeof stamp.digest !== 'string') return null;
    return { inputs: stamp.inputs.map(String), digest: stamp.digest };
  } catch {
    return null;
  }
}

/**
 * Builds the dashboard unless `outDir` holds a build whose inputs (every module Vite bundled, its config and
 * the lock file) are unchanged. A new source file can only enter the build through a changed one, so the
 * recorded inputs are enough.
 * @returns 'reused' or 'built'
 * @example if ((await ensureDashboard()) === 'built') console.log('dashboard rebuilt');
 */
export async function ensureDashboard(options: { outDir?: string; force?: boolean } = {}): Promise<'reused' | 'built'> {
  const outDir = path.resolve(options.outDir ?? WEB_DIST);
  const stamp = options.force ? null : await readStamp(stampFile(outDir));
  const hasIndex = await readFile(path.join(outDir, 'index.html')).then(
    () => true,
    () => false,
  );
  if (stamp && hasIndex && (await digestOf(stamp.inputs)) === stamp.digest) return 'reused';
  const modules = await buildDashboard(outDir);
  const inputs = [...new Set([...BUILD_INPUTS, ...modules.map((file) => path.relative(ROOT, file))])];
  // Read after the build: a file edited while it ran makes the next start build again rather than serve stale code.
  const digest = await digestOf(inputs);
  if (digest !== null) {
    await mkdir(path.dirname(stampFile(outDir)), { recursive: true });
    await writeFile(stampFile(outDir), `${JSON.stringify({ inputs, digest } satisfies BuildStamp)}\n`);
  }
  return 'built';
}
