import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { functionEntry, lambdaBuildOptions, REPO_ROOT } from '../../lib/constructs/app-function';
import { scratchDir, TEST_DESK_CONFIG } from '../infra/support/workspace';

// What the stack sets; handlers may read configuration at import.
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'tickets',
  MAIL_BUCKET: 'mail',
  DESK_CONFIG: JSON.stringify(TEST_DESK_CONFIG),
  TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:reply-token-abc123',
  SES_CONFIGURATION_SET: 'sesdesk',
  AUTH_MODE: 'cognito',
  POWERTOOLS_SERVICE_NAME: 'sesdesk-test',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

const ENTRIES: [string, string][] = [
  ['ingest', functionEntry('ingest')],
  ['notify', functionEntry('notify')],
  ['api', functionEntry('api')],
  ['bounces', functionEntry('bounces')],
  ['rule-set-activation', path.join(REPO_ROOT, 'lib/constructs/rule-set-activation/handler.ts')],
];

describe('the Lambda bundles', () => {
  it.each(ENTRIES)(
    'bundles %s with the construct esbuild settings into an ESM file that imports and exports handler',
    async (name, entry) => {
      expect(existsSync(entry), `${path.relative(REPO_ROOT, entry)} does not exist yet`).toBe(true);
      const outfile = path.join(scratchDir(`sesdesk-bundle-${name}-`), 'index.mjs');

      // Arrange: the same options NodejsFunction passes to esbuild for OutputFormat.ESM with bundleAwsSDK.
      await build({ ...lambdaBuildOptions(entry, outfile), logLevel: 'silent' });

      // Act: a fresh Node process, as Lambda would load it, without this repository's node_modules in reach.
      const probe = `const m = await import(${JSON.stringify(pathToFileURL(outfile).href)}); if (typeof m.handler !== 'function') { console.error('handler is ' + typeof m.handler); process.exit(3); }`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
        cwd: path.dirname(outfile),
        env: { PATH: process.env.PATH, ...LAMBDA_ENV },
        encoding: 'utf8',
        timeout: 30_000,
      });

      // Assert
      expect(result.status, result.stderr).toBe(0);
    },
  );
});
