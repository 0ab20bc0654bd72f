// cli: types of compiled-cli.js (plain JavaScript, since it runs before anything can compile TypeScript)

/** One file the compiled CLI was built from, as it was when esbuild read it. */
export interface BuildInput {
  readonly mtimeMs: number;
  readonly size: number;
}

/** `build.json` in the cache directory: the entry chunk and every input, by path relative to the repository. */
export interface BuildManifest {
  readonly format: number;
  readonly entry: string;
  readonly inputs: Readonly<Record<string, BuildInput>>;
}

export interface CompiledCliOptions {
  /** The repository whose bin/cli/main.ts is compiled. @default the repository holding compiled-cli.js */
  readonly root?: string;
  /** @default `<root>/node_modules/.cache/sesdesk/cli` */
  readonly cacheDir?: string;
}

/** Where the compiled CLI of the repository at `root` is cached. */
export function defaultCacheDir(root?: string): string;
/** The manifest of the build cached in `cacheDir`, or null when there is none (or one in an older format). */
export function readBuildManifest(cacheDir: string): BuildManifest | null;
/** The first input of `manifest` that is gone or differs from when it was built, or null when the build is current. */
export function staleInput(root: string, manifest: BuildManifest): string | null;
/** Bundles bin/cli/main.ts with esbuild into the cache directory; resolves to the new manifest. */
export function buildCli(options?: CompiledCliOptions): Promise<BuildManifest>;
/** The file URL of the compiled CLI's entry, rebuilding it first (with one line to `log`) when stale. */
export function compiledCliEntry(options?: CompiledCliOptions & { readonly log?: (line: string) => void }): Promise<string>;
