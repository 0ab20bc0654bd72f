// adapter: reads and validates a function's environment once per cold start
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseDeskConfig, type DeskConfig } from '../core/config/desk-config';
import type { TokenKeys } from '../core/threading/reply-token';

/** Reads a required environment variable, failing with a message that names it. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set; the deployment must provide it.`);
  return value;
}

/** The desk configuration the stack passed as JSON in `DESK_CONFIG`. */
export function deskConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DeskConfig {
  const raw = requireEnv('DESK_CONFIG', env);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new Error(`DESK_CONFIG is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseDeskConfig(json, 'DESK_CONFIG');
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

/**
 * The reply-token HMAC keys: from Secrets Manager (`TOKEN_SECRET_ARN`, in AWS) or `TOKEN_SECRET` (local stack
 * and tests only). Fetched on first use, not at import, so cold import stays cheap.
 */
export async function loadTokenKeys(env: NodeJS.ProcessEnv = process.env): Promise<TokenKeys> {
  if (env.TOKEN_SECRET) return tokenKeysFromSecret(env.TOKEN_SECRET);
  const arn = requireEnv('TOKEN_SECRET_ARN', env);
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error(`Secret ${arn} has no string value.`);
  return tokenKeysFromSecret(SecretString);
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
