// infra: how a Lambda function is bundled (esbuild, code split), shared by the CDK construct, the bundle test and the benchmark
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

/** The repository root: esbuild resolves `node_modules` from here. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Absolute path of a Lambda entry point, e.g. `functionEntry('ingest')` → `functions/ingest/handler.ts`. */
export function functionEntry(name: string): string {
  return fileURLToPath(new URL(`../../functions/${name}/handler.ts`, import.meta.url));
}

/**
 * The esbuild settings every function is bundled with. The banner gives bundled CommonJS dependencies a `require`
 * inside each ESM output file (aws-cdk #29310).
 */
export const BUNDLE_SETTINGS = {
  target: 'node24',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  banner: "import { createRequire as __sesdeskCreateRequire } from 'node:module'; const require = __sesdeskCreateRequire(import.meta.url);",
  /**
   * iconv-lite `require()`s a double-byte charset's table (CJK, 390 KiB of JSON) when that charset is first used.
   * Left out of the bundle and copied beside it as JSON files, they cost no compile time at cold start.
   */
  lazyJsonDir: 'tables',
} as const;

/** mailparser gets html-to-text through this module, which loads the real one on first use. */
const LAZY_HTML_TO_TEXT = path.join(REPO_ROOT, 'functions/core/email/lazy-html-to-text.ts');

/**
 * Source edits of dependencies for cold start, each of an exact text that must be there once (an update that changes
 * it fails the build rather than bundling the old cost back in silently).
 */
const SOURCE_EDITS: readonly { readonly file: RegExp; readonly find: string; readonly replace: string; readonly why: string }[] = [
  {
    file: /[\\/]node_modules[\\/]libmime[\\/]dist[\\/]esm[\\/]charset\.js$/,
    find: "const DBCS_DECODER = iconv.getCodec('gbk').decoder;",
    replace: "const DBCS_DECODER = (iconv.getCodec('utf-8'), iconv.encodings._dbcs.prototype.decoder);",
    why: "the same class (iconv-lite's DBCSDecoder, shared by every double-byte codec) without building the GBK codec and its tables at import",
  },
  {
    file: /[\\/]node_modules[\\/]libmime[\\/]dist[\\/]esm[\\/]charset\.js$/,
    find: "import encodingJapanese from 'encoding-japanese';",
    replace:
      "let encodingJapaneseModule; const encodingJapanese = { convert: (...args) => (encodingJapaneseModule ??= require('encoding-japanese')).convert(...args) };",
    why: 'its JIS tables, evaluated at import although only ISO-2022-JP and EUC-JP mail uses them (bundled still, evaluated on first use)',
  },
];

/**
 * Changes to what the bundle holds, all checked by test/integration/function-bundles.test.ts (every test mail and
 * six CJK charsets read the same bundled as from source): mailparser's html-to-text is {@link LAZY_HTML_TO_TEXT},
 * libmime is bundled once, as ES module, where mailsplit's `require` would add its CommonJS build beside it, and
 * the {@link SOURCE_EDITS} are applied.
 */
const coldStartPlugin: Plugin = {
  name: 'sesdesk-cold-start',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^html-to-text$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}mailparser${path.sep}`) ? { path: LAZY_HTML_TO_TEXT } : undefined,
    );
    pluginBuild.onResolve({ filter: /^libmime$/ }, async (args) => {
      if (args.kind !== 'require-call' || args.pluginData === 'esm') return undefined;
      const resolved = await pluginBuild.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, pluginData: 'esm' });
      return resolved.errors.length > 0 ? { errors: resolved.errors } : { path: resolved.path };
    });
    pluginBuild.onLoad({ filter: new RegExp(SOURCE_EDITS.map((edit) => edit.file.source).join('|')) }, async (args) => {
      let source = await readFile(args.path, 'utf8');
      for (const edit of SOURCE_EDITS.filter((e) => e.file.test(args.path))) {
        if (source.split(edit.find).length !== 2) {
          return {
            errors: [
              { text: `expected exactly one "${edit.find}" in ${args.path} (edited for ${edit.why}); review the edit after the update` },
            ],
          };
        }
        source = source.replace(edit.find, edit.replace);
      }
      return { contents: source, loader: 'js' };
    });
  },
};

/**
 * The esbuild options of a function bundle (ESM, AWS SDK bundled, code split): `outdir/index.mjs` holds what every
 * invocation needs with the chunks it imports statically; what the code `import()`s (the HTML sanitiser and
 * converters, the SDK's credential providers Lambda never uses) stays in chunks loaded on first use.
 */
export function lambdaBuildOptions(entry: string, outdir: string) {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: BUNDLE_SETTINGS.target,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourceMap,
    sourcesContent: false,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    banner: { js: BUNDLE_SETTINGS.banner },
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    external: [`./${BUNDLE_SETTINGS.lazyJsonDir}/*.json`],
    plugins: [coldStartPlugin],
    metafile: true as const,
    logLevel: 'error' as const,
  };
}

/**
 * Copies the JSON files a bundle left external (see {@link BUNDLE_SETTINGS.lazyJsonDir}) next to it, from the
 * package that requires them, and fails if two packages would need different files under the same name.
 */
function copyLazyJson(metafile: Metafile, outdir: string): void {
  const sources = new Set<string>();
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    for (const imported of imports) {
      if (imported.external && imported.path.startsWith(`./${BUNDLE_SETTINGS.lazyJsonDir}/`)) {
        sources.add(path.join(REPO_ROOT, path.dirname(input), BUNDLE_SETTINGS.lazyJsonDir));
      }
    }
  }
  if (sources.size > 1) throw new Error(`Bundle ${outdir}: lazily required JSON from more than one place: ${[...sources].join(', ')}`);
  for (const source of sources) {
    cpSync(source, path.join(outdir, BUNDLE_SETTINGS.lazyJsonDir), { recursive: true, filter: (file) => !file.endsWith('.js') });
  }
}

/** Bundles a function's entry into `outdir` as a deployment does; the metafile says what went where. */
export async function bundleFunction(entry: string, outdir: string): Promise<Metafile> {
  const { metafile } = await build(lambdaBuildOptions(entry, outdir));
  copyLazyJson(metafile, outdir);
  return metafile;
}

/**
 * {@link bundleFunction} for CDK synthesis, whose local bundling is synchronous: esbuild plugins need its
 * asynchronous API, so a child Node runs this file.
 */
export function bundleFunctionSync(entry: string, outdir: string): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), entry, outdir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`Bundling ${path.relative(REPO_ROOT, entry)} failed (exit ${result.status ?? result.signal})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) throw new Error('usage: node --import tsx lib/constructs/function-bundle.ts <entry> <outdir>');
  await bundleFunction(entry, outdir);
}
