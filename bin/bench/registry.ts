// bench: every benchmark `sesdesk bench` knows, in the order a full run goes through them
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark';
import { scriptBenchmark } from './script-benchmark';

type BenchmarkModule = () => Promise<{ benchmark: Benchmark }>;

/**
 * Modules exporting `benchmark: Benchmark`. Literal imports, so the compiled CLI bundles each one as its own
 * chunk, loaded only when the registry is.
 */
const MODULES: readonly (readonly [string, BenchmarkModule])[] = [
  ['parse-throughput', () => import('./parse-throughput')],
  ['bundles', () => import('./bundles')],
  ['ingest-requests', () => import('./ingest-requests')],
  ['startup', () => import('./startup')],
  ['cli-start', () => import('./cli-start')],
  ['load', () => import('./load')],
  ['cost', () => import('./cost')],
  ['reply-clients', () => import('./reply-clients')],
];
/** Plain scripts that print their own report; each runs in a child process (they measure at import). */
const SCRIPTS = ['reply-score', 'reply-speed', 'classify-score', 'inbox-latency', 'web-size'];

/** A module that fails to load fails as its own benchmark instead of taking the whole run down. */
async function importBenchmark(name: string, load: BenchmarkModule): Promise<Benchmark> {
  try {
    return (await load()).benchmark;
  } catch (error) {
    return {
      name,
      description: `(could not be loaded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      run: () => Promise.reject(error instanceof Error ? error : new Error(String(error))),
    };
  }
}

/** Loads the registry. */
export async function loadBenchmarks(): Promise<Benchmark[]> {
  const benchmarks: Benchmark[] = [];
  for (const [name, load] of MODULES) benchmarks.push(await importBenchmark(name, load));
  for (const name of SCRIPTS) benchmarks.push(scriptBenchmark(name, fileURLToPath(new URL(`./${name}.ts`, import.meta.url))));
  return benchmarks;
}
