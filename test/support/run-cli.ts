// test support: run the real `sesdesk` command in a child process, as a user would
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = path.resolve(import.meta.dirname, '../../bin/sesdesk.js');

/** What one `sesdesk …` run printed and how it exited. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/sesdesk.js …args` and resolves with its exit code and output (never rejects on a non-zero exit). */
export async function sesdesk(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', [cli, ...args], { maxBuffer: 256 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
