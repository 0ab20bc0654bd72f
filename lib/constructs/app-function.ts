// infra: one Lambda function with the project's shared defaults (Node 24, arm64, bundled ESM, JSON logs)
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
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
 * The esbuild settings every function is bundled with; the bundle test builds with these same values.
 * The banner gives bundled CommonJS dependencies a `require` inside the ESM output (aws-cdk #29310).
 */
export const BUNDLE_SETTINGS = {
  target: 'node24',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  banner: "import { createRequire as __sesdeskCreateRequire } from 'node:module'; const require = __sesdeskCreateRequire(import.meta.url);",
} as const;

/**
 * The esbuild options NodejsFunction derives from {@link BUNDLE_SETTINGS} (ESM, AWS SDK bundled), for the tests
 * and benchmarks that build a handler the way a deployment does.
 */
export function lambdaBuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: BUNDLE_SETTINGS.target,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourceMap,
    sourcesContent: false,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    banner: { js: BUNDLE_SETTINGS.banner },
  };
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
 * A `NodejsFunction` with the project's defaults and its own role and log group, so its policy holds
 * exactly the grants its construct adds (no `AWSLambdaBasicExecutionRole` with `logs:*` on `*`).
 */
export class AppFunction extends Construct {
  public readonly fn: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** The function under `functions/` whose contract this one keeps; undefined for a CDK-internal function. */
  public readonly contract?: FunctionName;
  private readonly contractEnv = new Set<EnvName>();

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName}`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      // Pinned: NODEJS_LATEST moves with CDK releases. Node 24 runs only async handlers (no callbacks), which a
      // test checks of every bundle.
      runtime: lambda.Runtime.NODEJS_24_X,
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
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: BUNDLE_SETTINGS.target,
        minify: BUNDLE_SETTINGS.minify,
        sourceMap: BUNDLE_SETTINGS.sourceMap,
        sourceMapMode: nodejs.SourceMapMode.DEFAULT,
        sourcesContent: false,
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        banner: BUNDLE_SETTINGS.banner,
        // Bundled and tree-shaken: pins the SDK version and loads faster than the runtime's copy.
        bundleAwsSDK: true,
      },
    });
    const { contract } = props;
    this.contract = contract;
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
