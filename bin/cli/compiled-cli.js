// cli: the compiled `sesdesk` command: bin/cli/main.ts bundled by esbuild into node_modules/.cache, rebuilt when a source changes
// Plain JavaScript because it runs before anything can compile TypeScript; its types are in compiled-cli.d.ts.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = 'bin/cli/main.ts';
/** Files that shape the output without being bundled: this build, the module type, the TypeScript settings, esbuild's version. */
const BUILD_INPUTS = ['bin/cli/compiled-cli.js', 'package.json', 'tsconfig.json', 'node_modules/esbuild/package.json'];
const MANIFEST = 'build.json';
/** Bumped when the manifest's shape changes, so an older cache is rebuilt instead of misread. */
const FORMAT = 1;
/**
 * Files of earlier builds are removed only after a day: a long-running `sesdesk dev` started from one may still
 * load a chunk of it lazily.
 */
const PRUNE_AFTER_MS = 24 * 60 * 60 * 1000;

/** Where the compiled CLI of the repository at `root` is cached. */
export function defaultCacheDir(root = REPO_ROOT) {
  return path.join(root, 'node_modules', '.cache', 'sesdesk', 'cli');
}

/** The manifest of the build cached in `cacheDir`, or null when there is none (or one in an older format). */
export function readBuildManifest(cacheDir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(cacheDir, MANIFEST), 'utf8'));
  } catch {
    return null;
  }
  return manifest?.format === FORMAT ? manifest : null;
}

/**
 * The first input of `manifest` that is gone or differs from when it was built (modification time or size),
 * or null when the build is current. Inputs are stat'ed before esbuild reads them, so an edit made during a
 * build shows as a change at the next start.
 */
export function staleInput(root, manifest) {
  for (const [file, recorded] of Object.entries(manifest.inputs)) {
    let current;
    try {
      current = statSync(path.join(root, file));
    } catch {
      return `${file} was removed`;
    }
    if (current.mtimeMs !== recorded.mtimeMs || current.size !== recorded.size) return `${file} changed`;
  }
  return null;
}

function repoPath(root, file) {
  return path.relative(root, file).split(path.sep).join('/');
}

/**
 * Reads and records every source the bundle is built from, and rewrites `import.meta.url`, `dirname` and
 * `filename` to the source file's own location (relative to the output, so the cache survives moving the
 * repository): code that finds repository files next to itself keeps working from the bundle.
 */
function sourcesPlugin(esbuild, root, outdir, inputs) {
  const tsconfigRaw = readFileSync(path.join(root, 'tsconfig.json'), 'utf8');
  return {
    name: 'sesdesk-sources',
    setup(build) {
      build.onLoad({ filter: /.*/, namespace: 'file' }, async (args) => {
        const stats = await stat(args.path);
        const source = await readFile(args.path, 'utf8');
        inputs[repoPath(root, args.path)] = { mtimeMs: stats.mtimeMs, size: stats.size };
        const loader = /\.tsx?$/.test(args.path) ? path.extname(args.path).slice(1) : 'default';
        if (!source.includes('import.meta')) return { contents: source, loader };
        const { code } = await esbuild.transform(source, {
          loader: loader === 'default' ? 'js' : loader,
          format: 'esm',
          sourcefile: args.path,
          sourcemap: 'inline',
          tsconfigRaw,
          define: {
            'import.meta.url': '__sourceUrl',
            'import.meta.dirname': '__sourceDirname',
            'import.meta.filename': '__sourceFilename',
          },
        });
        const fromOutput = JSON.stringify(path.relative(outdir, args.path).split(path.sep).join('/'));
        const preamble = [
          `import { fileURLToPath as __fileURLToPath } from 'node:url';`,
          `import { dirname as __pathDirname } from 'node:path';`,
          `const __sourceUrl = new URL(${fromOutput}, import.meta.url).href;`,
          `const __sourceFilename = __fileURLToPath(__sourceUrl);`,
          `const __sourceDirname = __pathDirname(__sourceFilename);`,
        ].join(' ');
        // One line, so the inline source map of the transform stays aligned.
        return { contents: `${preamble}${code}`, loader: 'js' };
      });
    },
  };
}

function writeAtomically(file, contents) {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/** Removes files of earlier builds (and temporary files of crashed ones) that are older than a day. */
function pruneEarlierBuilds(cacheDir, keep) {
  const now = Date.now();
  for (const name of readdirSync(cacheDir)) {
    if (keep.has(name)) continue;
    const file = path.join(cacheDir, name);
    try {
      if (now - statSync(file).mtimeMs > PRUNE_AFTER_MS) rmSync(file, { force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}

/**
 * Bundles bin/cli/main.ts with esbuild into `cacheDir`: our TypeScript compiled, npm packages left to Node,
 * one chunk per lazily imported command. Files are named by content hash and written atomically, so two
 * processes building at once both end with a complete build. Resolves to the new manifest.
 */
export async function buildCli({ root = REPO_ROOT, cacheDir = defaultCacheDir(root) } = {}) {
  const esbuild = await import('esbuild');
  const inputs = {};
  for (const file of BUILD_INPUTS) {
    const stats = statSync(path.join(root, file));
    inputs[file] = { mtimeMs: stats.mtimeMs, size: stats.size };
  }
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: cacheDir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'error',
    plugins: [sourcesPlugin(esbuild, root, cacheDir, inputs)],
  });
  const entryOutput = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint === ENTRY);
  if (!entryOutput) throw new Error(`esbuild produced no output for ${ENTRY}`);
  mkdirSync(cacheDir, { recursive: true });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  const manifest = { format: FORMAT, entry: path.basename(entryOutput[0]), inputs };
  writeAtomically(path.join(cacheDir, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
  pruneEarlierBuilds(cacheDir, new Set([MANIFEST, ...result.outputFiles.map((file) => path.basename(file.path))]));
  return manifest;
}

/**
 * The file URL of the compiled CLI's entry, rebuilding it first (with one line on stderr) when there is no
 * build yet or a source changed since.
 */
export async function compiledCliEntry({
  root = REPO_ROOT,
  cacheDir = defaultCacheDir(root),
  log = (line) => process.stderr.write(`${line}\n`),
} = {}) {
  let manifest = readBuildManifest(cacheDir);
  const reason = manifest ? staleInput(root, manifest) : 'no compiled build yet';
  if (reason !== null) {
    log(`sesdesk: compiling the command line (${reason})…`);
    manifest = await buildCli({ root, cacheDir });
  }
  return pathToFileURL(path.join(cacheDir, manifest.entry)).href;
}
