// The compiled `sesdesk` command's cache: when it is stale, and that a rebuild picks up a changed source.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCli, compiledCliEntry, readBuildManifest, staleInput, type BuildManifest } from '../../bin/cli/compiled-cli.js';

let root: string;

function write(file: string, contents: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), contents);
}

function manifestOf(...files: string[]): BuildManifest {
  const inputs = Object.fromEntries(
    files.map((file) => {
      const stats = statSync(path.join(root, file));
      return [file, { mtimeMs: stats.mtimeMs, size: stats.size }];
    }),
  );
  return { format: 1, entry: 'main-X.js', inputs };
}

/** A repository with what a build needs: bin/cli/main.ts, a lazily imported command, and the files the build stats. */
function writeRepository(): void {
  write('tsconfig.json', '{}');
  write('package.json', '{"type":"module"}');
  write('bin/cli/compiled-cli.js', '// stands in for the build script');
  write('node_modules/esbuild/package.json', '{"version":"0.0.0"}');
  write('bin/cli/greeting.ts', "export const greeting: string = 'hello';\n");
  write(
    'bin/cli/main.ts',
    [
      'export const source: string = import.meta.url;',
      'export const dir: string = import.meta.dirname;',
      "export const label: string = 'import.meta.url';",
      "export const greet = async (): Promise<string> => (await import('./greeting')).greeting;",
      '',
    ].join('\n'),
  );
}

interface FakeMain {
  source: string;
  dir: string;
  label: string;
  greet(): Promise<string>;
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'sesdesk-compiled-cli-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('staleInput', () => {
  it('finds nothing stale while every input is as recorded', () => {
    write('a.ts', 'export const a = 1;\n');
    write('b.ts', 'export const b = 2;\n');

    expect(staleInput(root, manifestOf('a.ts', 'b.ts'))).toBeNull();
  });

  it('names a source whose content changed', () => {
    write('a.ts', 'export const a = 1;\n');
    write('b.ts', 'export const b = 2;\n');
    const manifest = manifestOf('a.ts', 'b.ts');

    write('b.ts', 'export const b = 22;\n');

    expect(staleInput(root, manifest)).toBe('b.ts changed');
  });

  it('names a source with the same size but another modification time (also one set back into the past)', () => {
    write('a.ts', 'export const a = 1;\n');
    const manifest = manifestOf('a.ts');

    const past = new Date('2020-01-01T00:00:00Z');
    utimesSync(path.join(root, 'a.ts'), past, past);

    expect(staleInput(root, manifest)).toBe('a.ts changed');
  });

  it('names a source that was removed', () => {
    write('a.ts', 'export const a = 1;\n');
    const manifest = manifestOf('a.ts');

    rmSync(path.join(root, 'a.ts'));

    expect(staleInput(root, manifest)).toBe('a.ts was removed');
  });
});

describe('readBuildManifest', () => {
  it('has no manifest before the first build, and ignores one in another format', () => {
    expect(readBuildManifest(path.join(root, 'cache'))).toBeNull();

    write('cache/build.json', JSON.stringify({ format: 0, entry: 'main.js', inputs: {} }));

    expect(readBuildManifest(path.join(root, 'cache'))).toBeNull();
  });
});

describe('compiledCliEntry', () => {
  it('builds once, reuses the build while nothing changed, and rebuilds when a source changes', async () => {
    // Arrange
    writeRepository();
    const cacheDir = path.join(root, 'cache');
    const logged: string[] = [];
    const entry = () => compiledCliEntry({ root, cacheDir, log: (line) => logged.push(line) });

    // Act: the first call builds
    const first = await entry();
    const built = (await import(first)) as FakeMain;

    // Assert: import.meta points at the source (not the bundle), a string that looks like it is left alone,
    // the lazy import works, and every source is recorded
    expect(logged).toEqual(['sesdesk: compiling the command line (no compiled build yet)…']);
    expect(built.source).toBe(pathToFileURL(path.join(root, 'bin/cli/main.ts')).href);
    expect(built.dir).toBe(path.join(root, 'bin/cli'));
    expect(built.label).toBe('import.meta.url');
    expect(await built.greet()).toBe('hello');
    expect(Object.keys(readBuildManifest(cacheDir)!.inputs).sort()).toEqual([
      'bin/cli/compiled-cli.js',
      'bin/cli/greeting.ts',
      'bin/cli/main.ts',
      'node_modules/esbuild/package.json',
      'package.json',
      'tsconfig.json',
    ]);

    // Act + Assert: nothing changed, nothing built
    expect(await entry()).toBe(first);
    expect(logged).toHaveLength(1);

    // Act: a lazily imported source changes
    write('bin/cli/greeting.ts', "export const greeting: string = 'hello again';\n");
    const second = await entry();

    // Assert: rebuilt, saying why, and the new build has the change
    expect(logged[1]).toBe('sesdesk: compiling the command line (bin/cli/greeting.ts changed)…');
    expect(second).not.toBe(first);
    expect(await ((await import(second)) as FakeMain).greet()).toBe('hello again');
  });

  it('rebuilds when the build settings change, though no source did', async () => {
    writeRepository();
    const cacheDir = path.join(root, 'cache');
    await buildCli({ root, cacheDir });

    write('tsconfig.json', '{ "compilerOptions": {} }');

    expect(staleInput(root, readBuildManifest(cacheDir)!)).toBe('tsconfig.json changed');
  });

  it('removes files of earlier builds only once they are a day old', async () => {
    writeRepository();
    const cacheDir = path.join(root, 'cache');
    write('cache/chunk-OLD.js', '// a chunk of a build from last week');
    write('cache/chunk-RECENT.js', '// a chunk a running process may still load');
    const lastWeek = new Date(Date.now() - 7 * 24 * 60 * 60 * 1000);
    utimesSync(path.join(cacheDir, 'chunk-OLD.js'), lastWeek, lastWeek);

    const manifest = await buildCli({ root, cacheDir });

    const files = readdirSync(cacheDir);
    expect(files).not.toContain('chunk-OLD.js');
    expect(files).toContain('chunk-RECENT.js');
    expect(files).toContain(manifest.entry);
  });
});
