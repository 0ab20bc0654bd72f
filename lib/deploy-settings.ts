// infra: reads CDK context and the desk configuration file into typed stack settings, or fails with a clear message
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDeskConfigJson, type DeskConfig } from '../functions/core/config/desk-config';

/** Everything the stack is configured with; built once in `bin/app.ts` (constructs read no context). */
export interface DeploySettings {
  /** The validated desk configuration (same file the local stack reads). */
  readonly deskConfig: DeskConfig;
  /** Absolute path of the file it came from, for messages. */
  readonly configFile: string;
  /** The mail domain; equals `deskConfig.domain`. */
  readonly domain: string;
  /** A public Route 53 zone for the domain (or a parent of it); records are created in it when given. */
  readonly hostedZone?: { readonly id: string; readonly name: string };
  /** Make our receipt rule set the region's active one. */
  readonly activateRuleSet: boolean;
  /** Where alarm notifications are emailed; no alarm topic when absent. */
  readonly alarmEmail?: string;
  /** Reserved concurrency of the notify function. */
  readonly notifyConcurrency: number | 'unreserved';
  /** Days before raw mail moves to Standard-IA. */
  readonly rawMailTransitionDays?: number;
  /** Days before raw mail is deleted; kept when absent. */
  readonly rawMailExpirationDays?: number;
}

/** Reads one context value (`app.node.tryGetContext`). */
export type ContextReader = (key: string) => unknown;

const USAGE = 'Pass it with `-c key=value` on the cdk command line or under "context" in cdk.json; see docs/deploy.md.';

// Lambda allows 4 KB for all variables of a function; DESK_CONFIG must leave room for the others.
const MAX_DESK_CONFIG_BYTES = 3000;

/**
 * Builds the deploy settings from context keys `domain`, `activateRuleSet`, `configFile`,
 * `hostedZoneId` + `hostedZoneName`, `alarmEmail`, `notifyConcurrency`, `rawMailTransitionDays`,
 * `rawMailExpirationDays`.
 * @throws Error naming the context key or configuration field to fix.
 */
export function readDeploySettings(context: ContextReader, cwd: string): DeploySettings {
  const configFile = path.resolve(cwd, optionalString(context, 'configFile') ?? 'sesdesk.config.json');
  const deskConfig = loadDeskConfig(configFile);

  const domain = requiredString(context, 'domain').toLowerCase().replace(/\.$/, '');
  if (domain !== deskConfig.domain) {
    throw new Error(
      `Context "domain" is ${domain} but ${configFile} is for ${deskConfig.domain}. ` +
        'Every desk address must be on the deployed domain: point context "configFile" at a configuration for it.',
    );
  }
  if (domain.endsWith('.localhost')) {
    throw new Error(`${domain} is the local stack's domain and cannot receive mail; deploy with a configuration for a real domain.`);
  }

  const settings: DeploySettings = {
    deskConfig,
    configFile,
    domain,
    hostedZone: readHostedZone(context, domain),
    activateRuleSet: requiredBoolean(context, 'activateRuleSet'),
    alarmEmail: readEmail(context, 'alarmEmail'),
    notifyConcurrency: readConcurrency(context, 'notifyConcurrency'),
    rawMailTransitionDays: optionalDays(context, 'rawMailTransitionDays', 30),
    rawMailExpirationDays: optionalDays(context, 'rawMailExpirationDays', 1),
  };
  const size = Buffer.byteLength(JSON.stringify(deskConfig));
  if (size > MAX_DESK_CONFIG_BYTES) {
    throw new Error(
      `${configFile} is ${size} bytes as JSON; functions receive it as an environment variable, which allows ${MAX_DESK_CONFIG_BYTES}.`,
    );
  }
  return settings;
}

function loadDeskConfig(file: string): DeskConfig {
  if (!existsSync(file)) throw new Error(`Desk configuration ${file} not found. Create it or point context "configFile" at it.`);
  return parseDeskConfigJson(readFileSync(file, 'utf8'), `desk configuration ${file}`);
}

function optionalString(context: ContextReader, key: string): string | undefined {
  const value = context(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context "${key}" must be a string, got ${JSON.stringify(value)}. ${USAGE}`);
  return value.trim();
}

function requiredString(context: ContextReader, key: string): string {
  const value = optionalString(context, key);
  if (!value) throw new Error(`Context "${key}" is required. ${USAGE}`);
  return value;
}

function requiredBoolean(context: ContextReader, key: string): boolean {
  const value = context(key);
  // `-c key=true` arrives as a string, cdk.json as a boolean.
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  const got = value === undefined ? 'it is missing' : `got ${JSON.stringify(value)}`;
  throw new Error(`Context "${key}" must be true or false; ${got}. ${USAGE}`);
}

function readHostedZone(context: ContextReader, domain: string): DeploySettings['hostedZone'] {
  const id = optionalString(context, 'hostedZoneId');
  const name = optionalString(context, 'hostedZoneName')?.toLowerCase().replace(/\.$/, '');
  if (!id && !name) return undefined;
  if (!id || !name) throw new Error(`Context "hostedZoneId" and "hostedZoneName" go together; only one was given. ${USAGE}`);
  if (!/^Z[A-Z0-9]{1,31}$/.test(id)) throw new Error(`Context "hostedZoneId" ${id} does not look like a Route 53 zone id (Z…).`);
  if (domain !== name && !domain.endsWith(`.${name}`)) {
    throw new Error(`Context "hostedZoneName" ${name} cannot hold records for ${domain}: it must be the domain or a parent of it.`);
  }
  return { id, name };
}

function readEmail(context: ContextReader, key: string): string | undefined {
  const value = optionalString(context, key);
  if (value !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new Error(`Context "${key}" must be an email address, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function readConcurrency(context: ContextReader, key: string): number | 'unreserved' {
  const value = context(key);
  if (value === undefined || value === null || value === '') return 2;
  if (value === 'unreserved') return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new Error(`Context "${key}" must be a whole number from 1 to 100, or "unreserved"; got ${JSON.stringify(value)}.`);
  }
  return n;
}

// Standard-IA accepts objects only after 30 days, hence a minimum per key.
function optionalDays(context: ContextReader, key: string, minimum: number): number | undefined {
  const value = context(key);
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < minimum) {
    throw new Error(`Context "${key}" must be a whole number of days (${minimum} or more); got ${JSON.stringify(value)}.`);
  }
  return n;
}
