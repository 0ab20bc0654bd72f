// infra: one Lambda function with the project's shared defaults (Node 24, arm64, bundled ESM, JSON logs)
import path from 'node:path';
import { AssetHashType, DockerImage, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, FUNCTION_ENV, type EnvName, type FunctionName } from '../../functions/contracts';
import { bundleFunctionSync } from './function-bundle';

export { functionEntry, REPO_ROOT } from './function-bundle';

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

    const entry = props.entry;
    this.fn = new lambda.Function(this, 'Function', {
      // Bundled here rather than by NodejsFunction, whose esbuild call writes one file and cannot split code.
      code: lambda.Code.fromAsset(path.dirname(entry), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs24.x'),
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
