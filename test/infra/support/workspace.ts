// test support: scratch directories and a checkout-like workspace for the deploy settings and the CDK app (no aws-cdk-lib here)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
