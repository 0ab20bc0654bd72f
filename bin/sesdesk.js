#!/usr/bin/env node
// The `sesdesk` command: registers the TypeScript loader, then runs bin/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
