// adapter: what a Lambda function reads at cold start besides its clients: the desk configuration and the token key
import { request } from 'node:http';
import { LAMBDA_RUNTIME_ENV, SECRETS_EXTENSION } from '../contracts';
import { parseDeskConfigJson, type DeskConfig } from '../core/config/desk-config';
import type { TokenKeys } from '../core/threading/reply-token';

/** The desk configuration the stack passed as JSON in `DESK_CONFIG`. */
export function deskConfigFromJson(raw: string): DeskConfig {
  return parseDeskConfigJson(raw, 'DESK_CONFIG');
}

/** A secret value is one key, or a JSON array of keys (newest first) while rotating. */
export function tokenKeysFromSecret(value: string): TokenKeys {
  const trimmed = value.trim();
  const secrets = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown[]).map(String) : [trimmed];
  if (secrets.length === 0 || secrets.some((s) => s.length < 16)) {
    throw new Error('The reply-token secret must hold keys of at least 16 characters.');
  }
  return { secrets };
}

type Env = Readonly<Record<string, string | undefined>>;

/** How often and how long {@link readSecretString} waits for an extension that is still starting. */
export interface ExtensionRetry {
  readonly attempts: number;
  readonly delayMs: number;
  readonly timeoutMs: number;
}

const RETRY: ExtensionRetry = { attempts: 5, delayMs: 50, timeoutMs: 10_000 };

class ExtensionError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

function getOnce(port: number, path: string, token: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { [SECRETS_EXTENSION.tokenHeader]: token }, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new ExtensionError(`no answer within ${timeoutMs} ms`, true)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(error instanceof ExtensionError ? error : new ExtensionError(error.code ?? error.message, error.code === 'ECONNREFUSED')),
    );
    req.end();
  });
}

/**
 * A secret's string value through the AWS Parameters and Secrets Lambda Extension on localhost (the port from
 * `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`, authenticated with the function's `AWS_SESSION_TOKEN`). The extension
 * caches the value and calls Secrets Manager with the function's role. A refused connection, a 5xx or the
 * extension's "not ready" answer is retried a few times: the extension may still be starting.
 * @throws Error naming the secret and what the extension said.
 */
export async function readSecretString(secretId: string, env: Env, retry: ExtensionRetry = RETRY): Promise<string> {
  const token = env[LAMBDA_RUNTIME_ENV.sessionToken];
  if (!token) throw new Error(`Cannot read secret ${secretId}: ${LAMBDA_RUNTIME_ENV.sessionToken} is not set (not running in Lambda?).`);
  const port = Number(env[SECRETS_EXTENSION.portEnv] || SECRETS_EXTENSION.defaultPort);
  const path = `${SECRETS_EXTENSION.secretPath}?secretId=${encodeURIComponent(secretId)}`;
  let last = '';
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, retry.delayMs * 2 ** (attempt - 2)));
    try {
      const { status, body } = await getOnce(port, path, token, retry.timeoutMs);
      if (status === 200) {
        const value = (JSON.parse(body) as { SecretString?: unknown }).SecretString;
        if (typeof value !== 'string' || value === '') throw new Error(`Secret ${secretId} has no string value.`);
        return value;
      }
      last = `HTTP ${status}: ${body.slice(0, 200)}`;
      if (status < 500 && !/not ready/i.test(body)) break;
    } catch (error) {
      if (!(error instanceof ExtensionError)) throw error;
      last = error.message;
      if (!error.retryable) break;
    }
  }
  throw new Error(`Reading secret ${secretId} through the Parameters and Secrets extension on port ${port} failed: ${last}`);
}

/** The reply-token HMAC keys, fetched on first use (not at import, so cold import stays cheap). */
export async function loadTokenKeys(secretArn: string, env: Env): Promise<TokenKeys> {
  return tokenKeysFromSecret(await readSecretString(secretArn, env));
}

/** Runs an async initialiser once and shares its promise; a failure is retried on the next call. */
export function once<T>(init: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= init().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
