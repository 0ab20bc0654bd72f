// test support: synthesises the sesdesk app in-process, offline, with Lambda bundling skipped
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { App, type Environment } from 'aws-cdk-lib';
import { addSesDeskStack } from '../../../lib/sesdesk-app';
import type { SesDeskStack } from '../../../lib/sesdesk-stack';
import { cdkJsonContext, makeWorkspace, scratchDir } from './workspace';

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
