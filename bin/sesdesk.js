#!/usr/bin/env node
// The `sesdesk` command: runs bin/cli/main.ts compiled by esbuild and cached (see cli/compiled-cli.js), compiling
// it again only when a source changed, so a call costs about what loading the command's own packages does.
import { compiledCliEntry } from './cli/compiled-cli.js';

// Stack traces point at the TypeScript sources, as they did when tsx compiled on every call.
process.setSourceMapsEnabled(true);
let entry;
try {
  entry = await compiledCliEntry();
} catch (error) {
  console.error(`sesdesk: could not compile the command line: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
