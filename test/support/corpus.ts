// test support: locate the third-party corpus (read in place from SESDESK_CORPUS, never copied into the project)
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable that points the corpus suite at a folder. */
export const CORPUS_ENV = 'SESDESK_CORPUS';
/** Where the corpus is looked for when the variable is unset, relative to the repository root. */
export const DEFAULT_CORPUS = '../shared/corpus';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The corpus folder the variable (or the default) names; a relative path is taken from the repository root. */
export function corpusLocation(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[CORPUS_ENV]?.trim();
  return path.resolve(repositoryRoot, configured ? configured : DEFAULT_CORPUS);
}

/** Why the corpus cannot be read, as a message a person can act on; null when the folder is there. */
export function corpusProblem(dir: string = corpusLocation()): string | null {
  if (existsSync(dir) && statSync(dir).isDirectory()) return null;
  return (
    `the corpus folder ${dir} does not exist. The corpus suite (npm run test:corpus) reads third-party test mail ` +
    `from ${CORPUS_ENV} (default ${DEFAULT_CORPUS}, relative to the repository); set ${CORPUS_ENV}=/path/to/corpus. ` +
    '`npm test` does not need it.'
  );
}

/** The corpus folder; throws with {@link corpusProblem}'s message when it is missing. */
export function corpusDir(): string {
  const dir = corpusLocation();
  const problem = corpusProblem(dir);
  if (problem !== null) throw new Error(`${CORPUS_ENV}: ${problem}`);
  return dir;
}

/** Absolute path of one corpus file; throws naming the file and the variable when it is missing. */
export function corpusPath(...parts: string[]): string {
  const full = path.join(corpusDir(), ...parts);
  if (!existsSync(full)) throw new Error(`${CORPUS_ENV}: corpus file missing: ${full} (is ${CORPUS_ENV} pointing at the right folder?)`);
  return full;
}
