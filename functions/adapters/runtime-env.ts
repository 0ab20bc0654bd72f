// adapter: what a Lambda function reads at cold start besides its clients: the desk configuration and the token key
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
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

/** The reply-token HMAC keys from Secrets Manager, fetched on first use (not at import, so cold import stays cheap). */
export async function loadTokenKeys(secretArn: string): Promise<TokenKeys> {
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString) throw new Error(`Secret ${secretArn} has no string value.`);
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
