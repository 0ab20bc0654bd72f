// cli: `sesdesk deploy --domain …` (`npm run deploy -- …`): web build, bootstrap check, cdk deploy, then what DNS needs
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_STAGE, readDeploySettings, stackName } from '../../../lib/deploy-settings';
import { explainAwsError } from '../aws-stack';
import { afterDeployInstructions, cdkDeployArgs, checkBootstrap, deployContext, type DeployOptions } from '../deploy-steps';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk deploy --domain DOMAIN (--alarm-email ADDRESS | --no-alarms) [options]

Builds the dashboard, checks that the AWS account and region are bootstrapped for CDK, deploys the stack
SesDesk-<stage> with \`cdk deploy\`, and prints the DNS records the domain needs. Runs with your AWS credentials,
in AWS_REGION or your profile's region unless --region says otherwise. See docs/deploy.md.
  --domain DOMAIN            the mail domain; must be the "domain" of the desk configuration
  --config FILE              the desk configuration (default sesdesk.config.json)
  --stage NAME               names the stack and its resources (default ${DEFAULT_STAGE})
  --region REGION            a region with SES receiving
  --alarm-email ADDRESS      alarms are emailed here (confirm the subscription mail)
  --no-alarms                no alarms at all (they cost $0.10 a month each)
  --activate-rule-set        make this stack's receipt rule set the region's active one (takes over receiving)
  --receipt-rule-set NAME    add the desks' rules to this existing rule set instead (never (de)activated)
                             (neither: the rules are created, receiving is left alone; the output says how to switch it on)
  --hosted-zone-id ID --hosted-zone-name NAME
                             a Route 53 zone for the domain: the MX, DKIM and MAIL FROM records are created in it
  --mail-from-domain NAME    a custom MAIL FROM subdomain (e.g. mail.<domain>), for SPF aligned with the domain
  --mfa optional|required    TOTP for team members (default optional; required is chosen when the user pool is created)
  --threat-protection        Cognito threat protection (Plus plan, $0.02 per active user)
  --metrics-dashboard        a CloudWatch dashboard ($3 a month)
  --no-mail-alarm-hours N    alarm after N hours without mail (1-24, default 24; "off" for none)
  --yes                      do not ask before security-relevant changes (cdk --require-approval never)`;

/** What the command touches outside itself; the tests pass fakes. */
export interface DeployIo {
  readonly cwd: string;
  /** Clients in the target region. */
  readonly clients: (region: string) => Promise<{ sts: STSClient; ssm: SSMClient }>;
  /** The region the SDK would use when --region is not given. */
  readonly defaultRegion: () => Promise<string | undefined>;
  /** Runs a program with inherited output; resolves to its exit code. */
  readonly run: (command: string, args: readonly string[], env: Record<string, string>) => Promise<number>;
  readonly print: (text: string) => void;
  readonly error: (text: string) => void;
}

/** The CDK bootstrap qualifier the app's template checks (cdk.json may set its own). */
function bootstrapQualifier(cwd: string): string {
  const file = path.join(cwd, 'cdk.json');
  if (!existsSync(file)) return 'hnb659fds';
  const context = (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  const qualifier = context['@aws-cdk/core:bootstrapQualifier'];
  return typeof qualifier === 'string' ? qualifier : 'hnb659fds';
}

/**
 * Runs the deployment: options checked (with the same messages synthesis gives), bootstrap checked, web app built,
 * `cdk deploy` run, DNS instructions printed. Resolves to the exit code.
 */
export async function runDeploy(args: string[], io: DeployIo): Promise<number> {
  let values: DeployOptions & { region?: string; yes?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        domain: { type: 'string' },
        stage: { type: 'string' },
        region: { type: 'string' },
        config: { type: 'string' },
        'alarm-email': { type: 'string' },
        'no-alarms': { type: 'boolean' },
        'activate-rule-set': { type: 'boolean' },
        'receipt-rule-set': { type: 'string' },
        'hosted-zone-id': { type: 'string' },
        'hosted-zone-name': { type: 'string' },
        'mail-from-domain': { type: 'string' },
        mfa: { type: 'string' },
        'threat-protection': { type: 'boolean' },
        'metrics-dashboard': { type: 'boolean' },
        'no-mail-alarm-hours': { type: 'string' },
        yes: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.error(`sesdesk deploy: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.print(USAGE);
    return 0;
  }

  let context: Record<string, string>;
  try {
    context = deployContext(values);
    // The app checks these again at synthesis; failing here saves the web build and the bootstrap check.
    readDeploySettings((key) => context[key], io.cwd);
  } catch (error) {
    io.error(`sesdesk deploy: ${(error as Error).message}`);
    return 2;
  }
  const stage = context.stage ?? DEFAULT_STAGE;

  const region = values.region ?? (await io.defaultRegion());
  if (!region) {
    io.error('sesdesk deploy: no AWS region: pass --region (one with SES receiving, e.g. eu-west-1) or set AWS_REGION');
    return 2;
  }
  try {
    const { account } = await checkBootstrap(await io.clients(region), region, bootstrapQualifier(io.cwd));
    io.error(`sesdesk deploy: aws://${account}/${region} is bootstrapped; building the dashboard`);
  } catch (error) {
    io.error(`sesdesk deploy: ${(error as Error).message}`);
    return 1;
  }

  const env = { AWS_REGION: region, AWS_DEFAULT_REGION: region };
  if ((await io.run('npm', ['run', 'build:web'], env)) !== 0) {
    io.error('sesdesk deploy: the dashboard did not build (see above); nothing was deployed');
    return 1;
  }
  const scratch = await mkdtemp(path.join(tmpdir(), 'sesdesk-deploy-'));
  try {
    const outputsFile = path.join(scratch, 'outputs.json');
    io.error(`sesdesk deploy: cdk deploy ${stackName(stage)} to ${region}`);
    if ((await io.run('npx', ['cdk', ...cdkDeployArgs(stage, context, outputsFile, values.yes === true)], env)) !== 0) {
      io.error(`sesdesk deploy: cdk deploy failed (see above); the stack ${stackName(stage)} is as CloudFormation left it`);
      return 1;
    }
    const outputs = (JSON.parse(await readFile(outputsFile, 'utf8')) as Record<string, Record<string, string>>)[stackName(stage)] ?? {};
    io.print(afterDeployInstructions({ domain: context.domain!, stage, region, outputs, context }));
    return 0;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export const command: CliCommand = {
  run: (args) =>
    runDeploy(args, {
      cwd: process.cwd(),
      clients: async (region) => {
        const [{ STSClient }, { SSMClient }] = await Promise.all([import('@aws-sdk/client-sts'), import('@aws-sdk/client-ssm')]);
        return { sts: new STSClient({ region }), ssm: new SSMClient({ region }) };
      },
      defaultRegion: async () => {
        const { STSClient } = await import('@aws-sdk/client-sts');
        try {
          return await new STSClient({}).config.region();
        } catch (error) {
          console.error(`sesdesk deploy: ${explainAwsError(error)}`);
          return undefined;
        }
      },
      run: (program, args, env) =>
        new Promise((resolve) => {
          const child = spawn(program, args, { stdio: 'inherit', env: { ...process.env, ...env } });
          child.on('error', () => resolve(127));
          child.on('exit', (code) => resolve(code ?? 1));
        }),
      print: (text) => console.log(text),
      error: (text) => console.error(text),
    }),
};
