// Corpus evaluation under fuzzing: the parse and classify properties of test/fuzz, seeded from every corpus message
import path from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { corpusDir } from '../support/corpus';
import { listMailFiles } from '../support/mail-files';
import { longAddressHeaderCaseFrom, mimeCaseFrom } from '../support/mime-arbitraries';
import { fuzzOptions, fuzzTimeout } from '../fuzz/fuzz-settings';
import { checkClassifyCase, checkParseCase } from '../fuzz/properties';

const CORPUS = corpusDir();
const seeds = listMailFiles(CORPUS).map((file) => path.join(CORPUS, file));

describe('fuzzing seeded from the corpus', () => {
  it(
    'parseEmail resolves every mutated corpus message to a contract-valid object',
    async () => {
      await fc.assert(fc.asyncProperty(mimeCaseFrom(seeds), checkParseCase), fuzzOptions(200, 20261120));
    },
    fuzzTimeout(120_000),
  );

  it(
    'classifyEmail classifies every mutated corpus message without reaching its safety net',
    async () => {
      await fc.assert(fc.asyncProperty(mimeCaseFrom(seeds), checkClassifyCase), fuzzOptions(150, 20261121));
    },
    fuzzTimeout(120_000),
  );

  it(
    'classifyEmail reads a 100,000-character address header in a corpus message within the time budget',
    async () => {
      await fc.assert(fc.asyncProperty(longAddressHeaderCaseFrom(seeds), checkClassifyCase), {
        ...fuzzOptions(8, 20261131),
        endOnFailure: true,
      });
    },
    fuzzTimeout(120_000),
  );
});
