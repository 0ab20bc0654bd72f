// Fuzz: the classifier and the SES verdict reader on whatever mailparser makes of hostile MIME
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { classifyEmail, readSesVerdicts } from '../../functions/core/email/classify';
import { longAddressHeaderCase, mimeCase, renderMimeCase, type MimeCase } from '../support/mime-arbitraries';
import { BUDGET_MS, fuzzOptions, fuzzTimeout, timed } from './fuzz-settings';
import { classificationSchema } from './parsed-mail-schema';

async function classifyCase(c: MimeCase): Promise<void> {
  // What mailparser rejects never reaches the classifier (parseEmail salvages the headers instead).
  const mail = await simpleParser(renderMimeCase(c), { maxHeadSize: 1024 * 1024 }).catch(() => null);
  fc.pre(mail !== null);

  const {
    value: [classification, verdicts],
    ms,
  } = await timed(() => [classifyEmail(mail), readSesVerdicts(mail)] as const);

  expect(ms).toBeLessThan(BUDGET_MS);
  classificationSchema.parse(classification);
  // classifyEmail catches its own errors and says so in the reason: that is a crash to report.
  expect(classification.reason).not.toMatch(/^could not be classified/);
  expect(classification.failedRecipients.length === 0 || classification.kind === 'bounce' || classification.kind === 'complaint').toBe(
    true,
  );
  for (const verdict of [verdicts.spam, verdicts.virus]) expect(verdict === null || /^[A-Z_]+$/.test(verdict)).toBe(true);
}

describe('classifyEmail and readSesVerdicts under fuzzing', () => {
  it(
    'classify every message mailparser can read as one of the four kinds, without reaching their safety nets',
    async () => {
      await fc.assert(fc.asyncProperty(mimeCase, classifyCase), fuzzOptions(150, 20261121));
    },
    fuzzTimeout(120_000),
  );

  it(
    'read a 100,000-character address header within the time budget',
    async () => {
      // Found by this suite (seed 4242): the address patterns in classify/addresses.ts backtracked
      // quadratically, so one long Return-Path, X-Failed-Recipients or Delivered-To took minutes.
      // endOnFailure: each failing case is slow, and shrinking would only repeat it.
      await fc.assert(fc.asyncProperty(longAddressHeaderCase, classifyCase), { ...fuzzOptions(8, 20261131), endOnFailure: true });
    },
    fuzzTimeout(120_000),
  );
});
