// integration: the dashboard is built once and reused while the files it was built from are unchanged
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboard, stampFile } from '../../bin/local/web-build';

describe('ensureDashboard', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-web-build-'));
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
    await rm(stampFile(outDir), { force: true });
  });

  it('builds once, reuses the build while its inputs are unchanged, and builds again when one changes or the build is gone', async () => {
    // A first build records what it read: the modules Vite bundled, its config and the lock file.
    expect(await ensureDashboard({ outDir })).toBe('built');
    const stamp = JSON.parse(await readFile(stampFile(outDir), 'utf8')) as { inputs: string[]; digest: string };
    expect(stamp.inputs).toEqual(
      expect.arrayContaining(['web/index.html', 'web/src/main.tsx', 'web/src/styles.css', 'web/vite.config.ts', 'package-lock.json']),
    );
    expect(stamp.inputs.some((input) => input.includes('node_modules'))).toBe(false);

    expect(await ensureDashboard({ outDir })).toBe('reused');

    // An input whose content no longer matches the digest (an edited source) means a new build.
    await writeFile(stampFile(outDir), JSON.stringify({ ...stamp, digest: 'edited' }));
    expect(await ensureDashboard({ outDir })).toBe('built');
    expect(await ensureDashboard({ outDir })).toBe('reused');

    // So does a build that is gone, and --rebuild-web.
    await rm(path.join(outDir, 'index.html'));
    expect(await ensureDashboard({ outDir })).toBe('built');
    expect(await ensureDashboard({ outDir, force: true })).toBe('built');
  }, 240_000);
});
