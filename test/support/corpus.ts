// test support: locate the shared third-party corpus (read in place, never copied into the project)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Absolute path to `../shared/corpus` (relative to the repository root). */
export const CORPUS_DIR = path.resolve(here, '../../../shared/corpus');

export function corpusPath(...parts: string[]): string {
  const full = path.join(CORPUS_DIR, ...parts);
  if (!existsSync(full)) throw new Error(`corpus file missing: ${full} (the corpus lives in ../shared/corpus)`);
  return full;
}
