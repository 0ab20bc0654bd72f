// test support: ends every run with the plain `N passed, N failed` line CI reads, after vitest's own summary
import type { Reporter, TestModule } from 'vitest/node';
import type { CorpusScore } from './corpus-score';

function scoreLine(score: CorpusScore): string {
  const mark = score.passed >= score.floor ? 'ok' : `BELOW FLOOR ${score.floor}`;
  return `  ${score.source.padEnd(52)} ${`${score.passed}/${score.total}`.padStart(9)}  ${mark}`;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const scores: CorpusScore[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
        const score = test.meta().corpusScore;
        if (score) scores.push(score);
      }
      // A file that failed to load, or a suite or hook that failed without a failing test, still counts as a failure.
      if (module.state() === 'failed' && ![...module.children.allTests()].some((test) => test.result().state === 'failed')) failed += 1;
    }
    failed += unhandledErrors.length;
    // The corpus suite's scores (`npm run test:corpus`), printed where a person reading the log looks.
    if (scores.length > 0) {
      const lines = scores.sort((a, b) => a.source.localeCompare(b.source)).map(scoreLine);
      process.stdout.write(`\ncorpus scores (passed/total, floor):\n${lines.join('\n')}\n`);
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
