// test support: which environment variables each Lambda handler reads, from the handler sources themselves
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const FUNCTIONS_DIR = path.resolve(import.meta.dirname, '../../../functions');

/** Variables Lambda sets in every execution environment; the stack may not (and cannot) set them. */
export const LAMBDA_RUNTIME_VARIABLES = new Set(['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_EXECUTION_ENV']);

/** `requireEnv('X')` (with or without an `env` argument) and `process.env.X` in a source text. */
function directReads(source: string): string[] {
  const required = [...source.matchAll(/requireEnv\(\s*['"]([A-Z0-9_]+)['"]/g)].map((m) => m[1]!);
  const plain = [...source.matchAll(/process\.env\.([A-Z0-9_]+)/g)].map((m) => m[1]!);
  return [...required, ...plain];
}

/**
 * What each exported helper of `adapters/runtime-env.ts` requires (e.g. `deskConfigFromEnv` → DESK_CONFIG), read
 * from its body, so a handler calling the helper is charged with the variable. Optional `env.X` reads that only
 * the local stack sets (`TOKEN_SECRET`) are not requirements and are left out.
 */
function helperReads(): Map<string, string[]> {
  const source = readFileSync(path.join(FUNCTIONS_DIR, 'adapters/runtime-env.ts'), 'utf8');
  const helpers = new Map<string, string[]>();
  const starts = [...source.matchAll(/export (?:async )?function (\w+)\(/g)];
  starts.forEach((match, i) => {
    const body = source.slice(match.index, starts[i + 1]?.index ?? source.length);
    helpers.set(match[1]!, directReads(body));
  });
  return helpers;
}

/** Handler folder name (`api`, `ingest`, …) → the variables its `handler.ts` reads, directly or through runtime-env helpers. */
export function handlerEnvironmentReads(): Map<string, Set<string>> {
  const helpers = helperReads();
  const reads = new Map<string, Set<string>>();
  for (const dir of readdirSync(FUNCTIONS_DIR).sort()) {
    const file = path.join(FUNCTIONS_DIR, dir, 'handler.ts');
    if (!existsSync(file)) continue;
    const source = readFileSync(file, 'utf8');
    const names = new Set(directReads(source));
    for (const [helper, variables] of helpers) {
      if (helper !== 'requireEnv' && new RegExp(`\\b${helper}\\b`).test(source.replace(/^import .*$/gm, '')))
        variables.forEach((v) => names.add(v));
    }
    reads.set(dir, names);
  }
  if (reads.size === 0) throw new Error(`no functions/*/handler.ts under ${FUNCTIONS_DIR}`);
  return reads;
}
