// bench: every benchmark `sesdesk bench` knows, in the order a full run goes through them
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark';
import { scriptBenchmark } from './script-benchmark';

/** Modules exporting `benchmark: Benchmark`. */
const MODULES = ['parse-throughput', 'bundles', 'ingest-requests', 'startup', 'load'];
/**
 * Benchmarks owned elsewhere, some still being written: those missing are left out, a module exporting
 * `benchmark` is imported, and a plain script that prints its own report is run in a child process.
 */
const OTHERS = ['cost', 'reply-score', 'reply-speed', 'classify-score', 'inbox-latency', 'web-size'];

async function importBenchmark(file: string): Promise<Benchmark> {
  return ((await import(file)) as { benchmark: Benchmark }).benchmark;
}

/** A module that fails to load fails as its own benchmark instead of taking the whole run down. */
async function importOther(name: string, file: string): Promise<Benchmark> {
  try {
    return await importBenchmark(file);
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
  for (const name of MODULES) benchmarks.push(await importBenchmark(fileURLToPath(new URL(`./${name}.ts`, import.meta.url))));
  for (const name of OTHERS) {
    const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
    if (!existsSync(file)) continue;
    const isModule = /export const benchmark\b/.test(readFileSync(file, 'utf8'));
    benchmarks.push(isModule ? await importOther(name, file) : scriptBenchmark(name, file));
  }
  return benchmarks;
}
