// tests: classification of the GitLab service-desk fixtures (one auto-reply, the rest ordinary mail)
import { readdirSync, readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { classifyEmail } from '../../../functions/core/email/classify';
import { corpusPath } from '../../support/corpus';

const dir = corpusPath('gitlab-spec-fixtures-emails');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.eml'))
  .sort();

describe('classifyEmail on the GitLab fixtures', () => {
  it('finds the fixtures', () => {
    expect(files).toContain('auto_reply.eml');
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    const expected = file === 'auto_reply.eml' ? 'auto-reply' : 'normal';
    it(`classifies ${file} as ${expected}`, async () => {
      const result = classifyEmail(await simpleParser(readFileSync(`${dir}/${file}`)));
      expect(result.kind).toBe(expected);
      expect(result.failedRecipients).toEqual([]);
      if (expected === 'auto-reply') expect(result.reason).toBe('X-Autoreply: yes');
      else expect(result.reason).toBe('no automatic-mail markers');
    });
  }
});
