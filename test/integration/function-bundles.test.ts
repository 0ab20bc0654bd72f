import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { BUNDLE_SETTINGS, bundleFunction, functionEntry, REPO_ROOT } from '../../lib/constructs/function-bundle';
import { parseEmail, toContractJson } from '../../functions/core/email/parse-email';
import { scratchDir, TEST_DESK_CONFIG } from '../infra/support/workspace';
import { listMailFiles } from '../support/mail-files';

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

/** Runs an ES module script in a fresh Node process inside `cwd`, without this repository's node_modules in reach. */
function runIsolated(cwd: string, script: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    env: { PATH: process.env.PATH, ...LAMBDA_ENV },
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

describe('the Lambda bundles', () => {
  it.each(ENTRIES)('bundles %s as a deployment does into an ESM entry that imports and exports handler', async (name, entry) => {
    expect(existsSync(entry), `${path.relative(REPO_ROOT, entry)} does not exist yet`).toBe(true);
    const outdir = scratchDir(`sesdesk-bundle-${name}-`);

    // Arrange: the build the CDK construct runs at synthesis.
    await bundleFunction(entry, outdir);

    // Act: load the entry, then every chunk it may load later, as Lambda would.
    const chunks = readdirSync(outdir).filter((file) => file.endsWith('.mjs'));
    const probe = [
      `const m = await import(${JSON.stringify(pathToFileURL(path.join(outdir, 'index.mjs')).href)});`,
      `if (typeof m.handler !== 'function') { console.error('handler is ' + typeof m.handler); process.exit(3); }`,
      `for (const chunk of ${JSON.stringify(chunks)}) await import('./' + chunk);`,
    ].join(' ');
    const result = runIsolated(outdir, probe);

    // Assert
    expect(result.status, result.stderr).toBe(0);
  });

  it('reads every test mail in the bundled parser exactly as in the source, loading HTML code and CJK tables on demand', async () => {
    // Arrange: the parser bundled as a function bundles it, and mail in each double-byte charset iconv-lite reads from a table.
    const outdir = scratchDir('sesdesk-bundle-parse-');
    const metafile = await bundleFunction(path.join(REPO_ROOT, 'functions/core/email/parse-email.ts'), outdir);
    const mailDir = path.join(REPO_ROOT, 'test/fixtures/mail');
    const files = listMailFiles(mailDir).map((file) => path.join(mailDir, file));
    const cjkDir = scratchDir('sesdesk-bundle-cjk-');
    const cjk = {
      gbk: '您好，工单',
      big5: '您好，工單',
      shift_jis: 'こんにちは、チケット',
      'euc-jp': 'こんにちは',
      'euc-kr': '안녕하세요',
      gb18030: '你好𠀀',
    };
    for (const [charset, text] of Object.entries(cjk)) {
      const head = `From: a@example.com\r\nTo: help@example.com\r\nSubject: ${charset}\r\nMessage-ID: <${charset}@example.com>\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`;
      const file = path.join(cjkDir, `${charset}.eml`);
      writeFileSync(file, Buffer.concat([Buffer.from(head, 'latin1'), iconv.encode(text, charset)]));
      files.push(file);
    }
    const expected = await Promise.all(files.map(async (file) => toContractJson(await parseEmail(readFileSync(file)))));

    // Act
    const probe = [
      `import { readFileSync } from 'node:fs';`,
      `const { parseEmail, toContractJson } = await import('./index.mjs');`,
      `const out = [];`,
      `for (const file of ${JSON.stringify(files)}) out.push(toContractJson(await parseEmail(readFileSync(file))));`,
      `process.stdout.write(JSON.stringify(out));`,
    ].join('\n');
    const result = runIsolated(outdir, probe);

    // Assert
    expect(result.status, result.stderr).toBe(0);
    const got = JSON.parse(result.stdout) as unknown[];
    expect(got).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(got.slice(-Object.keys(cjk).length).map((mail) => (mail as { text: string }).text)).toEqual(Object.values(cjk));
    expect(readdirSync(path.join(outdir, BUNDLE_SETTINGS.lazyJsonDir))).toContain('cp936.json');
    expect(readdirSync(outdir).some((file) => file.startsWith('html-body-'))).toBe(true);
    const entryInputs = Object.entries(metafile.outputs).find(([output]) => output.endsWith('/index.mjs'))![1].inputs;
    expect(Object.keys(entryInputs)).toContain('functions/core/email/lazy-html-to-text.ts');
    expect(Object.keys(entryInputs).filter((input) => input.includes('node_modules/html-to-text/'))).toEqual([]);
    expect(Object.keys(metafile.inputs).filter((input) => input.includes('node_modules/libmime/dist/cjs/'))).toEqual([]);
  });
});
