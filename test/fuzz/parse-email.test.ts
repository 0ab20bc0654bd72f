// Fuzz: parseEmail on generated, mutated and fixture-seeded MIME never rejects, hangs or breaks contract 3
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { mimeCase } from '../support/mime-arbitraries';
import { fuzzOptions, fuzzTimeout } from './fuzz-settings';
import { checkParseCase } from './properties';

describe('parseEmail under fuzzing', () => {
  it(
    'resolves every message within the time budget to a contract-valid object that survives JSON',
    async () => {
      await fc.assert(fc.asyncProperty(mimeCase, checkParseCase), fuzzOptions(200, 20261120));
    },
    fuzzTimeout(120_000),
  );
});
