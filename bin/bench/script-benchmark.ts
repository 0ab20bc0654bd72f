// bench: runs a standalone bench script (`npx tsx bin/bench/<name>.ts`) as a benchmark, its output kept as printed
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, type Benchmark } from './benchmark';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The file's orientation comment without its `// bench:` prefix, or a generic line. */
function describeScript(file: string): string {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
  return first.startsWith('//') ? first.replace(/^\/\/\s*(bench:\s*)?/, '') : `output of ${path.relative(REPO_ROOT, file)}`;
}

/** A script that prints a markdown table is passed through; plain output is kept verbatim in a text block. */
function asMarkdown(output: string): string {
  return /^\|[ :-]*-{3}/m.test(output) ? output : ['```text', output, '```'].join('\n');
}

/**
 * Wraps a script that prints its own report: it runs in a child process (scripts measure at import, so
 * importing them here would run them mid-registry), and its stdout becomes part of the report.
 */
export function scriptBenchmark(name: string, file: string): Benchmark {
  return {
    name,
    description: describeScript(file),
    run: () =>
      new Promise<string>((resolve, reject) => {
        progress(`${name}: running ${path.relative(REPO_ROOT, file)}`);
        const child = spawn(process.execPath, ['--import', 'tsx/esm', file], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
        child.on('error', reject);
        child.on('close', (code) => {
          if (code === 0) resolve(asMarkdown(stdout.trimEnd()));
          else reject(new Error(`${path.relative(REPO_ROOT, file)} exited with ${code}: ${stderr.trim()}`));
        });
      }),
  };
}
