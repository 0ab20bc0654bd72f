// Every `sesdesk` command from the compiled CLI, as a user runs it (parse and replay have their own tests).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLocalToken } from '../../functions/core/api/local-auth';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { localEnvOnFreePorts } from '../../bin/local/local-env';
import { readLocalSecret } from '../../bin/local/local-secret';
import { REPO_ROOT, SESDESK, sesdesk } from '../support/cli';

const COMMANDS = ['bench', 'deploy', 'dev', 'load', 'open', 'parse', 'redrive', 'replay', 'send', 'token'];

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-cli-'));
  // Compiles the CLI if a source changed, so its one line on stderr is not counted by a test below.
  expect((await sesdesk(['--help'])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('sesdesk', () => {
  it('lists every command with --help (exit 0), and the same without a command (exit 2)', async () => {
    const help = await sesdesk(['--help']);
    const bare = await sesdesk([]);

    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    const listed = [...help.stdout.matchAll(/^ {2}([a-z-]+) {2,}\S/gm)].map((match) => match[1]);
    expect(listed).toEqual([...COMMANDS, 'help'].sort());
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe(help.stdout);
  });

  it('refuses an unknown command, or a name that is no command, with exit 2', async () => {
    for (const name of ['no-such-command', 'toString', '__proto__']) {
      const result = await sesdesk([name]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`sesdesk: unknown command "${name}". Run \`sesdesk help\` for the list.\n`);
    }
  });

  it.each(COMMANDS)('loads `%s` with everything it imports and prints its usage for --help', async (name) => {
    const result = await sesdesk([name, '--help']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: sesdesk ${name}\\b`));
  });

  it('prints a token the local secret verifies, for the first team member or the one named', async () => {
    // Arrange: a desk with two team members
    const second = { email: 'bo@desk.localhost', name: 'Bo Second' };
    const config = { ...DEFAULT_DESK_CONFIG, team: [...DEFAULT_DESK_CONFIG.team, second] };
    const configFile = path.join(dataDir, 'two-members.json');
    await writeFile(configFile, JSON.stringify(config));
    const local = { SESDESK_DATA_DIR: dataDir };

    // Act
    const first = await sesdesk(['token', '--config', configFile], local);
    const named = await sesdesk(['token', '--config', configFile, '--email', 'BO@desk.localhost'], local);
    const stranger = await sesdesk(['token', '--config', configFile, '--email', 'eve@example.com'], local);

    // Assert
    expect(first.code, first.stderr).toBe(0);
    expect(named.code, named.stderr).toBe(0);
    const secret = await readLocalSecret(dataDir);
    expect((await verifyLocalToken(secret, first.stdout.trim()))?.email).toBe(config.team[0]!.email);
    expect((await verifyLocalToken(secret, named.stdout.trim()))?.email).toBe(second.email);
    expect(stranger.code).toBe(1);
    expect(stranger.stdout).toBe('');
    expect(stranger.stderr).toMatch(/^sesdesk token: eve@example\.com is not in the team/);
  });

  it('lists the benchmarks, each described from its own file', async () => {
    const result = await sesdesk(['bench', '--list']);

    expect(result.code, result.stderr).toBe(0);
    const names = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(/\s+/, 1)[0]);
    expect(names).toEqual(expect.arrayContaining(['parse-throughput', 'bundles', 'cli-start', 'load', 'reply-score']));
    expect(result.stdout).toMatch(/^reply-score +prints the reply-extraction score/m);
  });

  it('runs the desk with `dev`, takes mail from `send`, answers the API with a `token`, passes a small `load`, and stops on SIGTERM', async () => {
    // Arrange: the desk on free ports in its own data directory
    const { env, vars } = await localEnvOnFreePorts(path.join(dataDir, 'desk'));
    const dev = spawn(process.execPath, [SESDESK, 'dev'], { cwd: REPO_ROOT, env: { ...process.env, ...vars } });
    let output = '';
    dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => dev.on('exit', resolve));
    try {
      await Promise.race([
        until(() => output.includes('\nsesdesk ready')),
        exited.then((code) => Promise.reject(new Error(`sesdesk dev exited with ${code}:\n${output}`))),
      ]);
      const subject = `Sent with sesdesk send ${Date.now()}`;

      // Act
      const sent = await sesdesk(['send', '--from', 'ann@example.com', '--subject', subject], vars);
      const token = await sesdesk(['token'], vars);

      // Assert: the mail became a ticket the token can read
      expect(sent.code, sent.stderr).toBe(0);
      expect(sent.stdout).toMatch(/^sent to /);
      expect(token.code, token.stderr).toBe(0);
      const subjects = async () => {
        const response = await fetch(`http://127.0.0.1:${env.httpPort}/api/tickets?status=open`, {
          headers: { authorization: `Bearer ${token.stdout.trim()}` },
        });
        expect(response.status).toBe(200);
        return ((await response.json()) as { items: { subject: string }[] }).items.map((ticket) => ticket.subject);
      };
      await until(async () => (await subjects()).includes(subject));

      // Act + Assert: a small mixed load comes out exact
      const load = await sesdesk(['load', '--count', '10', '--connections', '2', '--timeout', '60'], vars);
      expect(load.code, `${load.stdout}\n${load.stderr}`).toBe(0);
      expect(load.stdout).toMatch(/^all checks passed$/m);
    } finally {
      // Act + Assert: SIGTERM stops everything and exits 0
      dev.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('sesdesk: stopped');
    }
  }, 240_000);
});

async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
