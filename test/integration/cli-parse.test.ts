// `sesdesk parse` as a user runs it: the real CLI in a child process
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { corpusPath } from '../support/corpus';

const run = promisify(execFile);
const cli = path.resolve(import.meta.dirname, '../../bin/sesdesk.js');

async function sesdesk(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [cli, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('sesdesk parse', () => {
  it('prints exactly one JSON object for a corpus message and exits 0', async () => {
    const result = await sesdesk('parse', corpusPath('gitlab-spec-fixtures-emails', 'valid_reply_with_references_in_comma.eml'));
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { messageId: string; references: string[] };
    expect(json.messageId).toBe('<CADkmRc+rNGAGGbV2iE5p918UVy4UyJqVcXRO2=otppgzduJSg@mail.gmail.com>');
    expect(json.references).toHaveLength(3);
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
