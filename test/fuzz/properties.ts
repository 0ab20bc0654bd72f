// test support (fuzz): the properties checked on one MIME case, shared by the fixture-seeded and corpus-seeded suites
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { expect } from 'vitest';
import { classifyEmail, readSesVerdicts } from '../../functions/core/email/classify';
import { parseEmail, toContractJson } from '../../functions/core/email/parse-email';
import { renderMimeCase, type MimeCase } from '../support/mime-arbitraries';
import { CONTRACT_FIELDS, classificationSchema, parsedMailSchema } from '../support/parsed-mail-schema';
import { BUDGET_MS, timed } from './fuzz-settings';

// Warnings that mean a step of the parser threw and its safety net caught it: a crash, not malformed mail.
const CAUGHT_CRASH =
  /^(header repair|HTML to text|HTML sanitising|reply extraction|classification|reading SES verdicts|reading a multipart without parts) failed/;

/** parseEmail resolves within the budget to a contract-valid object that survives JSON, without reaching a safety net. */
export async function checkParseCase(c: MimeCase): Promise<void> {
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
}

/** classifyEmail and readSesVerdicts give one of the four kinds within the budget, on whatever mailparser reads. */
export async function checkClassifyCase(c: MimeCase): Promise<void> {
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
