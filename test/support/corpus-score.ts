// test support: a corpus suite's per-source score, carried on the test's meta to the summary reporter
import type { TaskMeta } from 'vitest';

/** How many checks of one corpus source passed, and the floor it must not drop below. */
export interface CorpusScore {
  /** What was scored, e.g. `stalwart-mail-parser (parse)`. */
  readonly source: string;
  readonly passed: number;
  readonly total: number;
  /** The score reached when the floor was last raised; a run below it fails. */
  readonly floor: number;
}

declare module 'vitest' {
  interface TaskMeta {
    corpusScore?: CorpusScore;
  }
}

/** Puts the score on the running test, where `summary-reporter.ts` prints it after the run. */
export function reportScore(task: { meta: TaskMeta }, score: CorpusScore): void {
  task.meta.corpusScore = score;
}
