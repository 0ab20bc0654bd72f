// Corpus evaluation of `sesdesk parse` as a user runs it: every corpus message in one run of the real CLI
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParsedEmail } from '../../functions/core/types';
import { expectValidContract } from '../support/contract-checks';
import { corpusDir } from '../support/corpus';
import { reportScore } from '../support/corpus-score';
import { listMailFiles } from '../support/mail-files';
import { sesdesk } from '../support/cli';

const CORPUS = corpusDir();
const files = listMailFiles(CORPUS);

describe('sesdesk parse on every corpus message', () => {
  it('prints one valid contract object per message, in order, and exits 0', async ({ task }) => {
    const result = await sesdesk(['parse', ...files.map((f) => path.join(CORPUS, f))]);
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    let valid = 0;
    for (const line of lines) {
      expectValidContract(JSON.parse(line) as ParsedEmail);
      valid += 1;
    }
    reportScore(task, { source: 'sesdesk parse (CLI, every message)', passed: valid, total: files.length, floor: files.length });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(valid).toBe(files.length);
  }, 300_000);

  it('prints the comma-joined References of the GitLab Exchange reply split into ids', async () => {
    const file = path.join(CORPUS, 'gitlab-spec-fixtures-emails', 'valid_reply_with_references_in_comma.eml');
    const result = await sesdesk(['parse', file]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as ParsedEmail;
    expect(json.messageId).toBe('<CADkmRc+rNGAGGbV2iE5p918UVy4UyJqVcXRO2=otppgzduJSg@mail.gmail.com>');
    expect(json.references).toHaveLength(3);
  });
});
