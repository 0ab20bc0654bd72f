// cli: `sesdesk bench [name…] [--quick]` runs the benchmarks and prints markdown (progress on stderr)
import type { BenchOptions } from '../../bench/benchmark';
import { describeMachine } from '../../bench/machine';
import { loadBenchmarks } from '../../bench/registry';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk bench [name…] [--quick] [--list]

Runs every benchmark, or the named ones, and prints one markdown section each on stdout
(progress goes to stderr, so \`npm run bench > results.md\` keeps only the report).

  --quick   fewer rounds: checks that the benchmarks run, figures too noisy to publish
  --list    print the benchmark names and what each measures`;

function rerunCommand(name: string, options: BenchOptions): string {
  return `npm run bench -- ${name}${options.quick ? ' --quick' : ''}`;
}

export const command: CliCommand = {
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      console.log(USAGE);
      return 0;
    }
    const unknownFlag = args.find((arg) => arg.startsWith('-') && arg !== '--quick' && arg !== '--list');
    if (unknownFlag) {
      console.error(`sesdesk bench: unknown option ${unknownFlag}\n\n${USAGE}`);
      return 2;
    }
    const benchmarks = await loadBenchmarks();
    if (args.includes('--list')) {
      for (const benchmark of benchmarks) console.log(`${benchmark.name.padEnd(18)} ${benchmark.description}`);
      return 0;
    }
    const names = args.filter((arg) => !arg.startsWith('-'));
    const unknown = names.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name));
    if (unknown.length > 0) {
      console.error(`sesdesk bench: no benchmark named ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`);
      return 2;
    }

    const options: BenchOptions = { quick: args.includes('--quick') };
    const selected = names.length === 0 ? benchmarks : benchmarks.filter((benchmark) => names.includes(benchmark.name));
    let failed = 0;
    console.log(`# sesdesk benchmarks, ${new Date().toISOString()}${options.quick ? ' (--quick)' : ''}\n`);
    for (const benchmark of selected) {
      // Load is read per benchmark: it is the noise this benchmark's figures carry.
      const machine = describeMachine();
      const started = performance.now();
      let body: string;
      try {
        body = await benchmark.run(options);
      } catch (error) {
        failed += 1;
        body = `**failed:** ${error instanceof Error ? error.message : String(error)}`;
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        [
          `## ${benchmark.name}`,
          '',
          benchmark.description,
          '',
          `- command: \`${rerunCommand(benchmark.name, options)}\``,
          `- machine: ${machine}`,
          `- took ${seconds} s`,
          '',
          body,
          '',
        ].join('\n'),
      );
    }
    return failed === 0 ? 0 : 1;
  },
};
