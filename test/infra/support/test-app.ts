// test support: synthesises the sesdesk app in-process, offline, with Lambda bundling skipped
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type Environment } from 'aws-cdk-lib';
import { addSesDeskStack } from '../../../lib/sesdesk-app';
import type { SesDeskStack } from '../../../lib/sesdesk-stack';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

// Each synthesised assembly holds a ~22 MB AWS CLI layer; remove the scratch directories when the worker exits.
const scratchDirs: string[] = [];
process.once('exit', () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

/** The feature flags `cdk synth` would use, read from cdk.json. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** A desk configuration for `help.example.com` with two desks. */
export const TEST_DESK_CONFIG = {
  domain: 'help.example.com',
  desks: [
    { id: 'support', address: 'support@help.example.com', name: 'Support' },
    { id: 'billing', address: 'billing@help.example.com', name: 'Billing' },
  ],
  team: [{ email: 'ada@example.com', name: 'Ada Agent' }],
};

/** A scratch directory holding `sesdesk.config.json` and a one-file web build, like a checkout after `build:web`. */
export function makeWorkspace(config: unknown = TEST_DESK_CONFIG): { cwd: string; web: string } {
  const cwd = scratchDir('sesdesk-infra-');
  writeFileSync(path.join(cwd, 'sesdesk.config.json'), JSON.stringify(config));
  const web = path.join(cwd, 'web-dist');
  mkdirSync(web);
  writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>sesdesk</title>');
  return { cwd, web };
}

export interface TestAppOptions {
  readonly context?: Record<string, unknown>;
  readonly workspace?: { cwd: string; web: string };
  readonly env?: Environment;
}

/** A desk configuration for `staging.help.example.com`: what a second stage deploys. */
export const STAGING_DESK_CONFIG = {
  domain: 'staging.help.example.com',
  desks: [{ id: 'support', address: 'support@staging.help.example.com', name: 'Support (staging)' }],
  team: [{ email: 'ada@example.com', name: 'Ada Agent' }],
};

/** Builds the app as `bin/app.ts` does, with test context; bundling is skipped for speed. */
export function buildTestApp(options: TestAppOptions = {}): { app: App; stack: SesDeskStack } {
  const workspace = options.workspace ?? makeWorkspace();
  const app = new App({
    // CDK's own template linter takes ~30 s per synth on two cores; cdk-nag is what these tests check.
    builtinCloudFormationValidation: false,
    outdir: scratchDir('sesdesk-cdk-out-'),
    context: {
      ...cdkJsonContext(),
      'aws:cdk:bundling-stacks': [],
      domain: 'help.example.com',
      activateRuleSet: 'true',
      ...options.context,
    },
  });
  const stack = addSesDeskStack(app, { cwd: workspace.cwd, webAssetsPath: workspace.web, env: options.env });
  return { app, stack };
}

/** A file the app deploys through a BucketDeployment source (e.g. `config.json`), as staged in the assembly. */
export function deployedFile(app: App, name: string): string {
  const outdir = app.outdir;
  const found = readdirSync(outdir)
    .filter((entry) => entry.startsWith('asset.'))
    .map((entry) => path.join(outdir, entry, name))
    .filter((file) => existsSync(file));
  if (found.length !== 1) throw new Error(`expected one staged ${name} in ${outdir}, found ${found.length}`);
  return found[0]!;
}
