// infra: reads CDK context and the desk configuration file into typed stack settings, or fails with a clear message
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDeskConfigJson, type DeskConfig } from '../functions/core/config/desk-config';

/** The stage when context gives none: the stack is then `SesDesk-prod`. */
export const DEFAULT_STAGE = 'prod';

/** A stage name: it goes into the stack name and every named resource (S3 and SES names are lower case). */
const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/** The stack of a stage. */
export function stackName(stage: string): string {
  return `SesDesk-${stage}`;
}

/** Everything the stack is configured with; built once in `bin/app.ts` (constructs read no context). */
export interface DeploySettings {
  /** Names this deployment: `SesDesk-<stage>`, and every resource named by us carries it. */
  readonly stage: string;
  /** The validated desk configuration (same file the local stack reads). */
  readonly deskConfig: DeskConfig;
  /** Absolute path of the file it came from, for messages. */
  readonly configFile: string;
  /** The mail domain; equals `deskConfig.domain`. */
  readonly domain: string;
  /** A public Route 53 zone for the domain (or a parent of it); records are created in it when given. */
  readonly hostedZone?: { readonly id: string; readonly name: string };
  /** Make our receipt rule set the region's active one (false when {@link receiptRuleSet} is given). */
  readonly activateRuleSet: boolean;
  /** An existing (active) receipt rule set to add the desks' rules to, instead of a rule set of our own. */
  readonly receiptRuleSet?: string;
  /** A subdomain of the domain for SES's envelope sender (custom MAIL FROM), for aligned SPF. */
  readonly mailFromDomain?: string;
  /** Whether team members must enrol a TOTP app (asked at first sign-in) or may. */
  readonly mfa: 'optional' | 'required';
  /** Cognito threat protection, which needs the Plus feature plan (billed per monthly active user). */
  readonly threatProtection: boolean;
  /** A CloudWatch dashboard of the desk's metrics ($3 a month). */
  readonly metricsDashboard: boolean;
  /** Alarm when no mail arrived for this many hours (1-24); null for no such alarm. */
  readonly noMailAlarmHours: number | null;
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
 * Builds the deploy settings from context keys `stage`, `domain`, `activateRuleSet` or `receiptRuleSet`,
 * `configFile`, `hostedZoneId` + `hostedZoneName`, `mailFromDomain`, `alarmEmail`, `noMailAlarmHours`, `mfa`,
 * `threatProtection`, `metricsDashboard`, `notifyConcurrency`, `rawMailTransitionDays`, `rawMailExpirationDays`.
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

  const receiptRuleSet = readRuleSetName(context, 'receiptRuleSet');
  const settings: DeploySettings = {
    stage: readStage(context),
    deskConfig,
    configFile,
    domain,
    hostedZone: readHostedZone(context, domain),
    activateRuleSet: receiptRuleSet ? activationBesideExistingSet(context) : requiredBoolean(context, 'activateRuleSet'),
    receiptRuleSet,
    mailFromDomain: readMailFromDomain(context, domain),
    mfa: readChoice(context, 'mfa', ['optional', 'required'], 'optional'),
    threatProtection: optionalBoolean(context, 'threatProtection', false),
    metricsDashboard: optionalBoolean(context, 'metricsDashboard', false),
    noMailAlarmHours: readNoMailHours(context, 'noMailAlarmHours'),
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

function optionalBoolean(context: ContextReader, key: string, fallback: boolean): boolean {
  return context(key) === undefined || context(key) === '' ? fallback : requiredBoolean(context, key);
}

function readStage(context: ContextReader): string {
  const stage = optionalString(context, 'stage') ?? DEFAULT_STAGE;
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(
      `Context "stage" ${JSON.stringify(stage)} must start with a lower-case letter and hold at most 20 lower-case letters, digits and dashes (it names the stack SesDesk-<stage> and S3 buckets).`,
    );
  }
  return stage;
}

function readRuleSetName(context: ContextReader, key: string): string | undefined {
  const name = optionalString(context, key);
  // SES: letters, digits, dots, underscores and dashes, starting and ending with a letter or digit, 64 at most.
  if (name !== undefined && !/^[A-Za-z0-9](?:[\w.-]{0,62}[A-Za-z0-9])?$/.test(name)) {
    throw new Error(`Context "${key}" ${JSON.stringify(name)} is not a receipt rule set name (letters, digits, ".", "_", "-").`);
  }
  return name;
}

/** With an existing rule set, ours is not created, so there is nothing to activate. */
function activationBesideExistingSet(context: ContextReader): false {
  if (optionalBoolean(context, 'activateRuleSet', false)) {
    throw new Error(
      'Context "receiptRuleSet" adds the desks\' rules to an existing rule set, which stays as active as it is: leave "activateRuleSet" out (or false).',
    );
  }
  return false;
}

function readMailFromDomain(context: ContextReader, domain: string): string | undefined {
  const value = optionalString(context, 'mailFromDomain')?.toLowerCase().replace(/\.$/, '');
  if (value !== undefined && (!value.endsWith(`.${domain}`) || !/^[a-z0-9.-]+$/.test(value))) {
    throw new Error(`Context "mailFromDomain" ${value} must be a subdomain of ${domain}, e.g. mail.${domain}.`);
  }
  return value;
}

function readChoice<T extends string>(context: ContextReader, key: string, choices: readonly T[], fallback: T): T {
  const value = context(key);
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new Error(`Context "${key}" must be one of ${choices.join(', ')}; got ${JSON.stringify(value)}. ${USAGE}`);
}

// CloudWatch evaluates an alarm over at most a day.
function readNoMailHours(context: ContextReader, key: string): number | null {
  const value = context(key);
  if (value === undefined || value === '') return 24;
  if (value === 'off') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 24) {
    throw new Error(`Context "${key}" must be a whole number of hours from 1 to 24, or "off"; got ${JSON.stringify(value)}.`);
  }
  return n;
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
