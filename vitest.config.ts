import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Five projects: `unit` needs no Java, no server and no browser (seconds); `infra` synthesises the CDK app (no
 * server either, but aws-cdk-lib and cdk-nag take seconds to load, so it stays out of the unit loop); `integration`
 * starts DynamoDB Local, s3rver and the SES stand-in once per run (tests `inject()` their endpoints) or a whole
 * local stack; `browser` drives Debian's chromium through the local stack. `npm test` runs those four, which need
 * nothing outside the repository. `corpus` (`npm run test:corpus`) evaluates parsing, classification and reply
 * extraction on the third-party corpus in `SESDESK_CORPUS` (default ../shared/corpus) and prints a score per source.
 */
const INFRA_SYNTH = 'test/infra/stack.test.ts';

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    pool: 'forks',
    // The summary reporter prints the plain `N passed, N failed` line that CI reads.
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'test/core/**/*.test.ts',
            'test/fuzz/**/*.test.ts',
            'test/bench/**/*.test.ts',
            'test/web/**/*.test.ts',
            'test/infra/**/*.test.ts',
            'test/local/**/*.test.ts',
            'test/adapters/**/*.test.ts',
            'test/cli/**/*.test.ts',
          ],
          exclude: [...configDefaults.exclude, INFRA_SYNTH],
          // One module cache per worker instead of one per file: mailparser, zod and the SDK load once, not 30 times.
          isolate: false,
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: [INFRA_SYNTH],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/reliability/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'corpus',
          include: ['test/corpus/**/*.test.ts'],
          globalSetup: ['test/corpus/support/require-corpus.ts', 'test/corpus/support/compile-cli.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
