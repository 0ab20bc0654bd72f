// Fuzz: the classifier and the SES verdict reader on whatever mailparser makes of hostile MIME
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { longAddressHeaderCase, mimeCase } from '../support/mime-arbitraries';
import { fuzzOptions, fuzzTimeout } from './fuzz-settings';
import { checkClassifyCase } from './properties';

describe('classifyEmail and readSesVerdicts under fuzzing', () => {
  it(
    'classify every message mailparser can read as one of the four kinds, without reaching their safety nets',
    async () => {
      await fc.assert(fc.asyncProperty(mimeCase, checkClassifyCase), fuzzOptions(150, 20261121));
    },
    fuzzTimeout(120_000),
  );

  it(
    'read a 100,000-character address header within the time budget',
    async () => {
      // Found by this suite (seed 4242): the address patterns in classify/addresses.ts backtracked
      // quadratically, so one long Return-Path, X-Failed-Recipients or Delivered-To took minutes.
      // endOnFailure: each failing case is slow, and shrinking would only repeat it.
      await fc.assert(fc.asyncProperty(longAddressHeaderCase, checkClassifyCase), { ...fuzzOptions(8, 20261131), endOnFailure: true });
    },
    fuzzTimeout(120_000),
  );
});
