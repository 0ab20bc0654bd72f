// test support: the `sesdesk` command as a user runs it, in a child process (asynchronous, so a stack in the test process keeps running)
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root: the working directory the command runs in, as `npx sesdesk` from a clone does. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
/** bin/sesdesk.js, the command's launcher. */
export const SESDESK = path.join(REPO_ROOT, 'bin/sesdesk.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `sesdesk ...args` with the environment extended by `env`; resolves (never rejects) to its exit code and output. */
export async function sesdesk(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SESDESK, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout: string; stderr: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}
