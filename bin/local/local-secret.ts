// local stack: the secret that signs local dashboard tokens, kept in the data directory and shared by every local process
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** File name of the secret inside the data directory. */
export const LOCAL_SECRET_FILE = 'local-secret';

/** The local stack's data directory: `SESDESK_DATA_DIR`, by default `.sesdesk/` in the working directory. */
export function localDataDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return path.resolve(cwd, env.SESDESK_DATA_DIR || '.sesdesk');
}

/**
 * Reads the local token secret, creating it (32 random bytes, hex, owner-only) on first use. Two processes
 * starting together both end up with the file the first one wrote.
 * @example const secret = await readLocalSecret(localDataDir());
 */
export async function readLocalSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, LOCAL_SECRET_FILE);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
    throw new Error(`${file} holds fewer than 32 characters; delete it and a new secret will be made`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readFile(file, 'utf8')).trim();
}
