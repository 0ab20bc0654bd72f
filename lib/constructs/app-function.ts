// infra: one Lambda function with the project's shared defaults (Node 22, arm64, bundled ESM, JSON logs)
import { cpSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, buildSync, type Metafile } from 'esbuild';
import { AssetHashType, DockerImage, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, FUNCTION_ENV, type EnvName, type FunctionName } from '../../functions/contracts';

/** The repository root: esbuild resolves `node_modules` and the lock file from here. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Absolute path of a Lambda entry point, e.g. `functionEntry('ingest')` → `functions/ingest/handler.ts`. */
export function functionEntry(name: string): string {
  return fileURLToPath(new URL(`../../functions/${name}/handler.ts`, import.meta.url));
}

/**
 * The esbuild settings every function is bundled with; the bundle test and benchmark build with these same values.
 * The banner gives bundled CommonJS dependencies a `require` inside each ESM output file (aws-cdk #29310).
 */
export const BUNDLE_SETTINGS = {
  target: 'node22',
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

/**
 * The esbuild options of a function bundle (ESM, AWS SDK bundled, code split): `outdir/index.mjs` holds what every
 * invocation needs and statically imported chunks beside it; what the code `import()`s (the HTML sanitiser, the
 * SDK's unused credential providers) stays in chunks loaded on first use.
 */
export function lambdaBuildOptions(entry: string, outdir: string) {
  return {
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
    metafile: true as const,
    logLevel: 'error' as const,
  };
}

/**
 * Copies the JSON files a bundle left external (see {@link BUNDLE_SETTINGS.lazyJsonDir}) next to it, from the
 * package that requires them, and fails if two packages would need different files under the same name.
 */
export function copyLazyJson(metafile: Metafile, outdir: string): void {
  const sources = new Set<string>();
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    for (const imported of imports) {
      if (imported.external && imported.path.startsWith(`./${BUNDLE_SETTINGS.lazyJsonDir}/`)) {
        sources.add(path.join(REPO_ROOT, path.dirname(input), BUNDLE_SETTINGS.lazyJsonDir));
      }
    }
  }
  if (sources.size > 1) throw new Error(`Bundle ${outdir}: lazily required JSON from more than one place: ${[...sources].join(', ')}`);
  for (const source of sources)
    cpSync(source, path.join(outdir, BUNDLE_SETTINGS.lazyJsonDir), { recursive: true, filter: (file) => !file.endsWith('.js') });
}

/** Bundles a function into `outdir` the way a deployment does (CDK synthesis calls this synchronously). */
export function bundleFunctionSync(entry: string, outdir: string): Metafile {
  const { metafile } = buildSync({ ...lambdaBuildOptions(entry, outdir), absWorkingDir: REPO_ROOT });
  copyLazyJson(metafile, outdir);
  return metafile;
}

/** {@link bundleFunctionSync} for tests and benchmarks. */
export async function bundleFunction(entry: string, outdir: string): Promise<Metafile> {
  const { metafile } = await build({ ...lambdaBuildOptions(entry, outdir), absWorkingDir: REPO_ROOT });
  copyLazyJson(metafile, outdir);
  return metafile;
}

/** Whether a function's contract reads the reply-token key, which it then reads through the secrets extension. */
function readsTokenSecret(contract: FunctionName | undefined): boolean {
  return contract !== undefined && (FUNCTION_ENV[contract] as readonly EnvName[]).includes(ENV.tokenSecretArn);
}

export interface AppFunctionProps {
  /** Absolute path of the handler file; see {@link functionEntry}. */
  readonly entry: string;
  /** Shown in the console and used as `POWERTOOLS_SERVICE_NAME`, e.g. `sesdesk-ingest`. */
  readonly serviceName: string;
  readonly description: string;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /**
   * The contract this function keeps (`functions/contracts.ts`): synthesis fails unless exactly the variables
   * `FUNCTION_ENV` lists for it were set with {@link AppFunction.setEnv}. @default - none (a CDK-internal function)
   */
  readonly contract?: FunctionName;
  /** @default - no reservation (shares the account's unreserved concurrency) */
  readonly reservedConcurrentExecutions?: number;
  /** Where failed asynchronous invocations go after their retries. @default - dropped */
  readonly onFailure?: lambda.IDestination;
  /** Retries of asynchronous invocations. @default - Lambda's default, 2 */
  readonly retryAttempts?: number;
  /** Maximum age of a queued asynchronous event. @default - Lambda's default, 6 hours */
  readonly maxEventAge?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Lambda function with the project's defaults and its own role and log group, so its policy holds
 * exactly the grants its construct adds (no `AWSLambdaBasicExecutionRole` with `logs:*` on `*`).
 */
export class AppFunction extends Construct {
  public readonly fn: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  private readonly contractEnv = new Set<EnvName>();

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName}`,
    });
    this.logGroup.grantWrite(this.role);

    const entry = props.entry;
    this.fn = new lambda.Function(this, 'Function', {
      // Bundled here rather than by NodejsFunction, whose esbuild call writes one file and cannot split code.
      code: lambda.Code.fromAsset(path.dirname(entry), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
          command: ['sh', '-c', 'echo "sesdesk bundles its functions with the esbuild of npm ci, not in Docker" >&2; exit 1'],
          local: {
            tryBundle: (outputDir) => {
              bundleFunctionSync(entry, outputDir);
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      description: props.description,
      // Pinned: NODEJS_LATEST moves with CDK releases (Node 24 dropped callback handlers).
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      onFailure: props.onFailure,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      // The reply-token key is read through the extension's local endpoint (functions/adapters/runtime-env.ts).
      paramsAndSecrets: readsTokenSecret(props.contract)
        ? lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
            logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
          })
        : undefined,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned on purpose (supported to 2027-04; Powertools supports it); moving to 24 is a tested change, not a CDK upgrade side effect.',
    });

    const { contract } = props;
    if (contract) {
      this.node.addValidation({
        validate: () => {
          const wanted: readonly EnvName[] = FUNCTION_ENV[contract];
          const missing = wanted.filter((name) => !this.contractEnv.has(name));
          const extra = [...this.contractEnv].filter((name) => !wanted.includes(name));
          return [
            ...(missing.length > 0 ? [`the ${contract} function reads ${missing.join(', ')}, which the stack does not set`] : []),
            ...(extra.length > 0 ? [`the ${contract} function is given ${extra.join(', ')}, which it never reads`] : []),
          ];
        },
      });
    }
  }

  /** Sets one of the variables named in `functions/contracts.ts`; the construct that calls it grants the access it implies. */
  setEnv(name: EnvName, value: string): void {
    this.fn.addEnvironment(name, value);
    this.contractEnv.add(name);
  }

  /** Gives the function the reply-token key: its ARN in `TOKEN_SECRET_ARN` and the right to read it. */
  useTokenSecret(secret: secretsmanager.ISecret): void {
    this.setEnv(ENV.tokenSecretArn, secret.secretArn);
    secret.grantRead(this.fn);
  }
}
