// bench: what every benchmark module exports, and how it reports progress while it runs
/** Settings the `bench` command passes to every benchmark. */
export interface BenchOptions {
  /** Fewer rounds and runs: a smoke check of the benchmark, not a figure to publish. */
  readonly quick: boolean;
}

/** One benchmark: `run` measures, compares against its baseline in the same run, and returns markdown. */
export interface Benchmark {
  /** Kebab-case name, as given to `sesdesk bench <name>`. */
  readonly name: string;
  /** One line: what is measured, against which baseline, and the target. */
  readonly description: string;
  /** Runs the benchmark; resolves to markdown (tables and notes, no heading). */
  run(options: BenchOptions): Promise<string>;
}

/** A progress line on stderr, so stdout stays clean markdown that can be redirected to a file. */
export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
