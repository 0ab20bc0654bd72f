// `sesdesk parse` as a user runs it: the real CLI in a child process
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParsedEmail } from '../../functions/core/types';
import { fixtureMailPath } from '../support/fixture-mail';
import { sesdesk } from '../support/run-cli';

describe('sesdesk parse', () => {
  it('prints exactly one JSON object for a message and exits 0', async () => {
    const result = await sesdesk('parse', fixtureMailPath('threading/references-quoted-and-comma-joined.eml'));
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as ParsedEmail;
    expect(json.messageId).toBe('<AM0PR01MB1234ABCD@example.com>');
    expect(json.references).toEqual(['<ack-50@desk.localhost>', '<answer-50@desk.localhost>', '<AM0PR01MB0000@example.com>']);
  });

  it('prints one JSON object per line for several files, in order, and still prints the readable ones when one is missing', async () => {
    const files = ['reply/yahoo-html-quoted.eml', 'bounce/postfix-dsn-user-unknown.eml'].map(fixtureMailPath);

    const result = await sesdesk('parse', files[0]!, '/no/such/file.eml', files[1]!);

    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('sesdesk parse: cannot read /no/such/file.eml: no such file');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as ParsedEmail).classification.kind)).toEqual(['normal', 'bounce']);
  });

  it('still prints JSON and exits 0 for malformed mail', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sesdesk-parse-'));
    const file = path.join(dir, 'broken.eml');
    writeFileSync(
      file,
      'Content-Type: multipart/mixed; boundary=x\r\nSubject: =?utf-8?B?broken\r\n\r\n--x\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@!!\0',
    );
    const result = await sesdesk('parse', file);
    expect(result.code).toBe(0);
    expect(typeof (JSON.parse(result.stdout) as { subject: string }).subject).toBe('string');
  });

  it('exits 1 with one error line for a missing file or a directory', async () => {
    for (const target of ['/no/such/file.eml', tmpdir()]) {
      const result = await sesdesk('parse', target);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^sesdesk parse: cannot read /);
    }
  });

  it('prints usage for --help', async () => {
    const result = await sesdesk('parse', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: sesdesk parse FILE\.eml/);
  });
});
