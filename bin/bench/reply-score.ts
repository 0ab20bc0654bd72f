// bench: prints the reply-extraction score per corpus (`npx tsx bin/bench/reply-score.ts [--verbose]`)
import { scoreReplyCorpus } from '../../test/corpus/support/reply-corpus';

const verbose = process.argv.includes('--verbose');
let passed = 0;
let total = 0;
for (const score of await scoreReplyCorpus()) {
  passed += score.passed;
  total += score.total;
  console.log(`${score.corpus}: ${score.passed}/${score.total}`);
  for (const failure of score.failures) {
    console.log(`  miss ${failure.name}: ${failure.problems.join('; ')}`);
    if (verbose) console.log(`    got ${JSON.stringify(failure.actual.slice(0, 400))}`);
  }
}
console.log(`total: ${passed}/${total}`);
