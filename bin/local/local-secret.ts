// local stack: the secrets kept in the data directory and shared by every local process (token secret, sign-in code)
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** File name of the token secret inside the data directory. */
export const LOCAL_SECRET_FILE = 'local-secret';
/** File name of the dashboard's sign-in code inside the data directory. */
export const SIGN_IN_CODE_FILE = 'sign-in-code';

/** The local stack's data directory: `SESDESK_DATA_DIR`, by default `.sesdesk/` in the working directory. */
export function localDataDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return path.resolve(cwd, env.SESDESK_DATA_DIR || '.sesdesk');
}

/**
 * Reads `file`, creating it (owner-only) with `make()` on first use. Two processes starting together both end up
 * with the value the first one wrote. `problem` names what is wrong with a stored value, or null when it is fine.
 */
async function readOrCreate(file: string, make: () => string, problem: (value: string) => string | null): Promise<string> {
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    const wrong = problem(existing);
    if (wrong === null) return existing;
    throw new Error(`${file} ${wrong}; delete it and a new one will be made`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, `${make()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readFile(file, 'utf8')).trim();
}

/**
 * Reads the local token secret, creating it (32 random bytes, hex) on first use.
 * @example const secret = await readLocalSecret(localDataDir());
 */
export async function readLocalSecret(dataDir: string): Promise<string> {
  return readOrCreate(
    path.join(dataDir, LOCAL_SECRET_FILE),
    () => randomBytes(32).toString('hex'),
    (value) => (value.length >= 32 ? null : 'holds fewer than 32 characters'),
  );
}

/**
 * Reads the six-digit code that signs a team member in to the local dashboard, creating it on first use, so the
 * code stays the same across restarts until the data directory is reset.
 * @example const code = await readLocalSignInCode(localDataDir());
 */
export async function readLocalSignInCode(dataDir: string): Promise<string> {
  return readOrCreate(
    path.join(dataDir, SIGN_IN_CODE_FILE),
    () => String(randomInt(100000, 1000000)),
    (value) => (/^\d{6}$/.test(value) ? null : 'does not hold a six-digit code'),
  );
}
