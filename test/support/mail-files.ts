// test support: list the raw messages (.eml, .box) under a folder, as sorted paths relative to it
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Every `.eml` and `.box` file under `dir` (recursively), relative to `dir`, sorted so seeds stay reproducible. */
export function listMailFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(?:eml|box)$/i.test(entry.name))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}
