// corpus support (global setup): say once, up front, which corpus folder the suite reads, or why it cannot run
import { CORPUS_ENV, corpusLocation, corpusProblem } from '../../support/corpus';

/**
 * Prints the folder, or the problem naming SESDESK_CORPUS. It does not throw: every corpus test file then fails
 * to load with the same message, so a missing corpus is a counted failure in the `N passed, N failed` line CI
 * reads, never a silent skip.
 */
export default function announceCorpus(): void {
  const dir = corpusLocation();
  const problem = corpusProblem(dir);
  if (problem === null) process.stdout.write(`corpus: ${dir}\n`);
  else process.stderr.write(`\n${CORPUS_ENV}: ${problem}\n\n`);
}
