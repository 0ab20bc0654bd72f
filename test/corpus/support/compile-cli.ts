// corpus support (global setup): the `sesdesk` command compiled before the tests run it, so a stale build's one-line
// "compiling" notice is printed here, not counted as stderr output of the first command a test runs
import { compiledCliEntry } from '../../../bin/cli/compiled-cli.js';

export default async function compileCli(): Promise<void> {
  await compiledCliEntry({ log: (line: string) => process.stdout.write(`${line}\n`) });
}
