import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // DynamoDB Local, s3rver and the SES stand-in start once per run; tests `inject()` their endpoints.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The summary reporter prints the plain `N passed, N failed` line that CI reads.
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
