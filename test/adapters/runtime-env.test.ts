// unit: the reply-token key read through the Parameters and Secrets Lambda Extension, against a local HTTP stand-in
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTokenKeys, readSecretString } from '../../functions/adapters/runtime-env';
import { SECRETS_EXTENSION } from '../../functions/contracts';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:reply-token-abc123';
const SESSION = 'session-token-of-this-function';
const FAST = { attempts: 4, delayMs: 5, timeoutMs: 2_000 };

interface Extension {
  readonly env: Record<string, string>;
  readonly requests: IncomingMessage[];
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** The extension's endpoint as AWS documents it: the session token in a header, GetSecretValue's JSON back. */
async function extension(answers: ((req: IncomingMessage) => { status: number; body: string })[]): Promise<Extension> {
  const requests: IncomingMessage[] = [];
  server = createServer((req, res) => {
    requests.push(req);
    const answer = (answers[requests.length - 1] ?? answers[answers.length - 1]!)(req);
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { env: { AWS_SESSION_TOKEN: SESSION, [SECRETS_EXTENSION.portEnv]: String(port) }, requests };
}

const secretValue = (value: string) => () => ({ status: 200, body: JSON.stringify({ ARN, Name: 'reply-token', SecretString: value }) });

describe('reading the reply-token key through the secrets extension', () => {
  it('asks for the secret by ARN with the session token and returns the keys, newest first while rotating', async () => {
    // Arrange
    const ext = await extension([secretValue(JSON.stringify(['new-key-0123456789abcdef', 'old-key-0123456789abcdef']))]);

    // Act
    const keys = await loadTokenKeys(ARN, ext.env);

    // Assert
    expect(keys).toEqual({ secrets: ['new-key-0123456789abcdef', 'old-key-0123456789abcdef'] });
    expect(ext.requests).toHaveLength(1);
    expect(ext.requests[0]!.url).toBe(`${SECRETS_EXTENSION.secretPath}?secretId=${encodeURIComponent(ARN)}`);
    expect(ext.requests[0]!.headers[SECRETS_EXTENSION.tokenHeader.toLowerCase()]).toBe(SESSION);
  });

  it('waits for an extension that is still starting', async () => {
    const ext = await extension([
      () => ({ status: 400, body: 'not ready to serve traffic, please wait' }),
      () => ({ status: 500, body: 'internal' }),
      secretValue('a-single-key-0123456789'),
    ]);

    await expect(readSecretString(ARN, ext.env, FAST)).resolves.toBe('a-single-key-0123456789');
    expect(ext.requests).toHaveLength(3);
  });

  it('fails at once, naming the secret and the answer, when the extension refuses the request', async () => {
    const ext = await extension([() => ({ status: 400, body: '{"__type":"ResourceNotFoundException"}' })]);

    await expect(readSecretString(ARN, ext.env, FAST)).rejects.toThrow(/reply-token-abc123.*HTTP 400.*ResourceNotFoundException/);
    expect(ext.requests).toHaveLength(1);
  });

  it('gives up after its attempts when nothing listens, and says where it looked', async () => {
    const ext = await extension([secretValue('unused-key-0123456789')]);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;

    await expect(readSecretString(ARN, ext.env, FAST)).rejects.toThrow(
      new RegExp(`port ${ext.env[SECRETS_EXTENSION.portEnv]} failed: ECONNREFUSED`),
    );
  });

  it('refuses to run outside Lambda, where there is no session token to present', async () => {
    await expect(readSecretString(ARN, {}, FAST)).rejects.toThrow(/AWS_SESSION_TOKEN is not set/);
  });

  it('rejects a secret with a key too short to sign with', async () => {
    const ext = await extension([secretValue('short')]);

    await expect(loadTokenKeys(ARN, ext.env)).rejects.toThrow(/at least 16 characters/);
  });
});
