// local stack: where everything lives on this machine (ports, data dir, names), from the environment
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDeskConfigJson, type DeskConfig } from '../../functions/core/config/desk-config';
import { localDataDir } from './local-secret';
import { findFreePort } from './ports';

export interface LocalEnv {
  readonly dataDir: string;
  readonly configFile: string;
  readonly smtpPort: number;
  readonly httpPort: number;
  readonly sesPort: number;
  readonly dynamoPort: number;
  readonly s3Port: number;
  readonly tableName: string;
  readonly bucket: string;
  readonly region: string;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name}=${raw} is not a port number (1-65535).`);
  return value;
}

/** Contract 2 of DESIGN.md: SMTP 2525, dashboard 3000, SES outbox 8005, data in `.sesdesk/`. */
export function localEnv(env: NodeJS.ProcessEnv = process.env): LocalEnv {
  return {
    dataDir: localDataDir(env),
    configFile: path.resolve(env.SESDESK_CONFIG || 'sesdesk.config.json'),
    smtpPort: port(env, 'SESDESK_SMTP_PORT', 2525),
    httpPort: port(env, 'SESDESK_HTTP_PORT', 3000),
    sesPort: port(env, 'SESDESK_SES_PORT', 8005),
    dynamoPort: port(env, 'SESDESK_DYNAMODB_PORT', 8006),
    s3Port: port(env, 'SESDESK_S3_PORT', 8007),
    tableName: 'sesdesk',
    bucket: 'sesdesk-mail',
    region: 'us-east-1',
  };
}

/** Reads and validates the desk configuration file. */
export function loadDeskConfig(file: string): DeskConfig {
  if (!existsSync(file))
    throw new Error(`No desk configuration at ${file}: copy sesdesk.config.json from the repository or set SESDESK_CONFIG.`);
  return parseDeskConfigJson(readFileSync(file, 'utf8'), file);
}

/**
 * A local stack environment on free ports over `dataDir` (tests, benchmarks), with the `SESDESK_*` variables
 * that describe it, so a child process (`sesdesk dev`, `sesdesk replay`) can be pointed at the same stack.
 */
export async function localEnvOnFreePorts(dataDir: string): Promise<{ env: LocalEnv; vars: Record<string, string> }> {
  // One after the other: each probe closes before the next asks, and the OS hands out ephemeral ports in turn.
  const port = async () => String(await findFreePort());
  const vars = {
    SESDESK_DATA_DIR: dataDir,
    SESDESK_SMTP_PORT: await port(),
    SESDESK_HTTP_PORT: await port(),
    SESDESK_SES_PORT: await port(),
    SESDESK_DYNAMODB_PORT: await port(),
    SESDESK_S3_PORT: await port(),
  };
  return { env: localEnv(vars), vars };
}
