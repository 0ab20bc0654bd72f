// `sesdesk parse` as a user runs it: the real CLI in a child process
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SESDESK, sesdesk } from '../support/cli';
import { fixtureMailPath } from '../support/fixture-mail';

const parse = (...files: string[]) => sesdesk(['parse', ...files]);
const withReferences = () => fixtureMailPath('threading/references-quoted-and-comma-joined.eml');

beforeAll(async () => {
  // Compiles the CLI if a source changed, so its one line on stderr is not counted by a test below.
  expect((await sesdesk(['--help'])).code).toBe(0);
}, 120_000);

describe('sesdesk parse', () => {
  it('prints exactly one indented JSON object for a message and exits 0', async () => {
    const result = await parse(withReferences());
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { messageId: string; references: string[] };
    expect(json.messageId).toBe('<AM0PR01MB1234ABCD@example.com>');
    expect(json.references).toEqual(['<ack-50@desk.localhost>', '<answer-50@desk.localhost>', '<AM0PR01MB0000@example.com>']);
    expect(result.stdout).toBe(`${JSON.stringify(json, null, 2)}\n`);
  });

  it('still prints JSON and exits 0 for malformed mail', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sesdesk-parse-'));
    const file = path.join(dir, 'broken.eml');
    writeFileSync(
      file,
      'Content-Type: multipart/mixed; boundary=x\r\nSubject: =?utf-8?B?broken\r\n\r\n--x\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@!!\0',
    );
    const result = await parse(file);
    expect(result.code).toBe(0);
    expect(typeof (JSON.parse(result.stdout) as { subject: string }).subject).toBe('string');
  });

  it('exits 1 with one error line for a missing file or a directory', async () => {
    for (const target of ['/no/such/file.eml', tmpdir()]) {
      const result = await parse(target);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^sesdesk parse: cannot read /);
    }
  });

  it('prints one JSON object per line for several files, in the order given, each as it prints alone', async () => {
    // Arrange: the same file twice, so order is checked against a repeat as well as against other mail
    const files = [
      withReferences(),
      fixtureMailPath('auto-reply/rfc3834-vacation-auto-submitted.eml'),
      fixtureMailPath('reply/yahoo-html-quoted.eml'),
      withReferences(),
    ];

    // Act
    const result = await parse(...files);
    const alone = await Promise.all(files.map(async (file) => JSON.parse((await parse(file)).stdout) as unknown));

    // Assert
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(files.length);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(alone);
    expect(lines.map((line) => JSON.stringify(JSON.parse(line)))).toEqual(lines);
  });

  it('names an unreadable file among several on stderr, parses the others and exits 1 at the end', async () => {
    const readable = [withReferences(), fixtureMailPath('bounce/postfix-dsn-user-unknown.eml')];

    const result = await parse(readable[0]!, '/no/such/file.eml', readable[1]!);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('sesdesk parse: cannot read /no/such/file.eml: no such file\n');
    const ids = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { messageId: string }).messageId);
    expect(ids).toEqual(
      await Promise.all(readable.map(async (file) => (JSON.parse((await parse(file)).stdout) as { messageId: string }).messageId)),
    );
  });

  it('stops quietly with exit 0 when the reader of its output goes away (`| head -1`)', async () => {
    // Arrange: enough mail that the reader leaves while most of it is still to be parsed
    const files = Array.from({ length: 200 }, withReferences);
    const child = spawn(process.execPath, [SESDESK, 'parse', ...files], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    // Act: read the first line, then close the pipe
    const firstLine = await new Promise<string>((resolve) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if (seen.includes('\n')) {
          child.stdout.destroy();
          resolve(seen.slice(0, seen.indexOf('\n')));
        }
      });
    });

    // Assert
    expect((JSON.parse(firstLine) as { messageId: string }).messageId).toMatch(/^<AM0PR01MB1234ABCD@/);
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });

  it('prints usage for --help, and usage with exit 2 for no file', async () => {
    const help = await parse('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sesdesk parse FILE\.eml \[FILE\.eml…\]/);

    const none = await parse();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: sesdesk parse/);
  });
});
