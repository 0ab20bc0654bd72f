// Corpus evaluation of classifyEmail on the GitLab service-desk fixtures (one auto-reply, the rest ordinary mail)
import { readdirSync, readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { classifyEmail } from '../../functions/core/email/classify';
import { corpusPath } from '../support/corpus';
import { reportScore } from '../support/corpus-score';

const dir = corpusPath('gitlab-spec-fixtures-emails');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.eml'))
  .sort();
const FLOOR = 10;

function expectedKind(file: string): 'auto-reply' | 'normal' {
  return file === 'auto_reply.eml' ? 'auto-reply' : 'normal';
}

async function problems(file: string): Promise<string[]> {
  const result = classifyEmail(await simpleParser(readFileSync(`${dir}/${file}`)));
  const expected = expectedKind(file);
  const found: string[] = [];
  if (result.kind !== expected) found.push(`kind ${result.kind}, expected ${expected}`);
  if (result.failedRecipients.length > 0) found.push(`failed recipients ${result.failedRecipients.join(', ')}`);
  const reason = expected === 'auto-reply' ? 'X-Autoreply: yes' : 'no automatic-mail markers';
  if (result.reason !== reason) found.push(`reason "${result.reason}", expected "${reason}"`);
  return found;
}

describe('classifyEmail on the GitLab fixtures', () => {
  it('finds the fixtures', () => {
    expect(files).toContain('auto_reply.eml');
    expect(files.length).toBeGreaterThanOrEqual(FLOOR);
  });

  for (const file of files) {
    it(`classifies ${file} as ${expectedKind(file)}`, async () => {
      expect(await problems(file)).toEqual([]);
    });
  }

  it(`scores the GitLab fixtures at ${FLOOR} or better`, async ({ task }) => {
    let passed = 0;
    for (const file of files) if ((await problems(file)).length === 0) passed += 1;
    reportScore(task, { source: 'gitlab-spec-fixtures-emails (classify)', passed, total: files.length, floor: FLOOR });
    expect(passed).toBeGreaterThanOrEqual(FLOOR);
  });
});
