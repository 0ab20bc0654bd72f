// Fuzz: parseEmail on generated, mutated and corpus MIME never rejects, hangs or breaks contract 3
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEmail, toContractJson } from '../../functions/core/email/parse-email';
import { mimeCase, renderMimeCase } from '../support/mime-arbitraries';
import { CONTRACT_FIELDS, parsedMailSchema } from './parsed-mail-schema';
import { BUDGET_MS, fuzzOptions, fuzzTimeout, timed } from './fuzz-settings';

// Warnings that mean a step of the parser threw and its safety net caught it: a crash, not malformed mail.
const CAUGHT_CRASH = /^(header repair|HTML to text|HTML sanitising|reply extraction|classification|reading SES verdicts) failed/;

describe('parseEmail under fuzzing', () => {
  it(
    'resolves every message within the time budget to a contract-valid object that survives JSON',
    async () => {
      await fc.assert(
        fc.asyncProperty(mimeCase, async (c) => {
          const raw = renderMimeCase(c);

          const { value: mail, ms } = await timed(() => parseEmail(raw));

          expect(ms).toBeLessThan(BUDGET_MS);
          parsedMailSchema.parse(mail);
          expect(mail.warnings.filter((w) => CAUGHT_CRASH.test(w))).toEqual([]);
          expect(mail.attachments).toEqual(mail.attachmentContents.map(({ content: _content, ...info }) => info));
          for (const part of mail.attachmentContents) expect(part.size).toBe(part.content.byteLength);
          const contract = toContractJson(mail);
          expect(Object.keys(contract)).toEqual(CONTRACT_FIELDS);
          expect(JSON.parse(JSON.stringify(contract))).toStrictEqual(contract);
        }),
        fuzzOptions(200, 20261120),
      );
    },
    fuzzTimeout(120_000),
  );
});
