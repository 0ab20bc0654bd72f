// cli: the steps of `sesdesk deploy` that can be checked without AWS: context from options, the bootstrap check, the DNS to print
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { DnsRecord } from '../../lib/constructs/inbound-mail';
import { stackName } from '../../lib/deploy-settings';
import { STACK_OUTPUTS } from '../../lib/stack-outputs';
import { explainAwsError } from './aws-stack';

/** The options of `sesdesk deploy`, as parsed. */
export interface DeployOptions {
  readonly domain?: string;
  readonly stage?: string;
  readonly config?: string;
  readonly 'activate-rule-set'?: boolean;
  readonly 'receipt-rule-set'?: string;
  readonly 'alarm-email'?: string;
  readonly 'no-alarms'?: boolean;
  readonly 'hosted-zone-id'?: string;
  readonly 'hosted-zone-name'?: string;
  readonly 'mail-from-domain'?: string;
  readonly mfa?: string;
  readonly 'threat-protection'?: boolean;
  readonly 'metrics-dashboard'?: boolean;
  readonly 'no-mail-alarm-hours'?: string;
}

/**
 * The CDK context a deployment gets from the options (docs/deploy.md lists the keys). Receiving is left alone
 * unless asked: `--activate-rule-set` takes over the region's receiving, `--receipt-rule-set` joins a set.
 * @throws Error for options that contradict each other or are missing.
 */
export function deployContext(options: DeployOptions): Record<string, string> {
  if (!options.domain) throw new Error('--domain is required, e.g. --domain help.example.com');
  if (options['activate-rule-set'] && options['receipt-rule-set']) {
    throw new Error('--activate-rule-set and --receipt-rule-set exclude each other: activate our own rule set, or add to an existing one');
  }
  if (!options['alarm-email'] && !options['no-alarms']) {
    throw new Error(
      '--alarm-email ADDRESS is required for alarms (failed mail, stuck sending, no inbound mail); pass --no-alarms to deploy without any',
    );
  }
  if (options['alarm-email'] && options['no-alarms']) throw new Error('--alarm-email and --no-alarms exclude each other');
  const entries: [string, string | boolean | undefined][] = [
    ['domain', options.domain],
    ['stage', options.stage],
    ['configFile', options.config],
    ['receiptRuleSet', options['receipt-rule-set']],
    ['activateRuleSet', options['receipt-rule-set'] ? undefined : options['activate-rule-set'] === true],
    ['alarmEmail', options['alarm-email']],
    ['hostedZoneId', options['hosted-zone-id']],
    ['hostedZoneName', options['hosted-zone-name']],
    ['mailFromDomain', options['mail-from-domain']],
    ['mfa', options.mfa],
    ['threatProtection', options['threat-protection']],
    ['metricsDashboard', options['metrics-dashboard']],
    ['noMailAlarmHours', options['no-mail-alarm-hours']],
  ];
  return Object.fromEntries(
    entries.flatMap(([key, value]) =>
      value === undefined || (value === false && key !== 'activateRuleSet') ? [] : [[key, String(value)]],
    ),
  );
}

/** The `cdk deploy` arguments for a stage and its context; `approve` skips CDK's prompt for security changes. */
export function cdkDeployArgs(stage: string, context: Record<string, string>, outputsFile: string, approve: boolean): string[] {
  return [
    'deploy',
    stackName(stage),
    ...Object.entries(context).flatMap(([key, value]) => ['--context', `${key}=${value}`]),
    '--outputs-file',
    outputsFile,
    ...(approve ? ['--require-approval', 'never'] : []),
  ];
}

/** The bootstrap stack version this app's template requires (its CheckBootstrapVersion rule). */
export const MIN_BOOTSTRAP_VERSION = 6;

/**
 * Checks that CDK's bootstrap stack is in the account and region (its version parameter in SSM, which the
 * template itself checks on deploy), and returns the account.
 * @throws Error saying to run `cdk bootstrap` when it is missing or old, or that the check could not be made (and why).
 */
export async function checkBootstrap(
  clients: { sts: STSClient; ssm: SSMClient },
  region: string,
  qualifier: string,
): Promise<{ account: string }> {
  let account = 'ACCOUNT';
  const bootstrap = () => `npx cdk bootstrap aws://${account}/${region}`;
  try {
    account = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account ?? account;
    const { Parameter } = await clients.ssm.send(new GetParameterCommand({ Name: `/cdk-bootstrap/${qualifier}/version` }));
    const version = Number(Parameter?.Value);
    if (!(version >= MIN_BOOTSTRAP_VERSION)) {
      throw new Error(
        `aws://${account}/${region} is bootstrapped with version ${Parameter?.Value ?? '?'}; sesdesk needs ${MIN_BOOTSTRAP_VERSION} or later: run \`${bootstrap()}\` to upgrade it.`,
      );
    }
    return { account };
  } catch (error) {
    if ((error as { name?: string }).name === 'ParameterNotFound') {
      throw new Error(`aws://${account}/${region} is not bootstrapped for CDK: run \`${bootstrap()}\` once, then deploy again.`, {
        cause: error,
      });
    }
    if (error instanceof Error && error.message.startsWith(`aws://${account}/${region} is bootstrapped`)) throw error;
    throw new Error(
      `Could not check that aws://${account}/${region} is bootstrapped for CDK: ${explainAwsError(error)}. ` +
        `A new account or region needs \`${bootstrap()}\` once before the first deploy.`,
      { cause: error },
    );
  }
}

/** What `cdk deploy --outputs-file` wrote for the stack. */
export type StackOutputs = Record<string, string>;

/** The DNS records the stack reported (its `DnsRecords` output). */
export function dnsRecordsOf(outputs: StackOutputs): DnsRecord[] {
  const raw = outputs[STACK_OUTPUTS.dnsRecords];
  if (!raw) throw new Error(`the stack has no ${STACK_OUTPUTS.dnsRecords} output`);
  return JSON.parse(raw) as DnsRecord[];
}

/**
 * What a person does after the deploy: the DNS records (created in Route 53, or to add by hand), the DMARC record
 * to add if the domain has none, how receiving is switched on, and the first team member.
 */
export function afterDeployInstructions(options: {
  domain: string;
  stage: string;
  region: string;
  outputs: StackOutputs;
  context: Record<string, string>;
}): string {
  const { domain, outputs, context } = options;
  const records = dnsRecordsOf(outputs);
  const dmarc: DnsRecord = {
    name: `_dmarc.${domain}`,
    type: 'TXT',
    value: '"v=DMARC1; p=none; adkim=r; aspf=r"',
    purpose: 'DMARC, if the domain has none: start with p=none, raise to quarantine once reports show DKIM passing',
    created: false,
  };
  const table = (rows: readonly DnsRecord[]) => {
    const nameWidth = Math.max(...rows.map((r) => r.name.length));
    const valueWidth = Math.max(...rows.map((r) => r.value.length));
    return rows.map((r) => `  ${r.name.padEnd(nameWidth)}  ${r.type.padEnd(5)}  ${r.value.padEnd(valueWidth)}  ; ${r.purpose}`);
  };
  const created = records.filter((r) => r.created);
  const toAdd = [...records.filter((r) => !r.created), dmarc];
  const ruleSet = outputs[STACK_OUTPUTS.receiptRuleSetName] ?? `sesdesk-${options.stage}`;
  const receiving = context.receiptRuleSet
    ? `Receiving: the desks' rules were added to the rule set ${context.receiptRuleSet}; it stays as active (or not) as it was.`
    : context.activateRuleSet === 'true'
      ? `Receiving: the rule set ${ruleSet} is now the region's active one.`
      : `Receiving is not switched on: when this region's receiving is yours, run\n  aws ses set-active-receipt-rule-set --region ${options.region} --rule-set-name ${ruleSet}`;
  return [
    `Deployed ${stackName(options.stage)} to ${options.region}. Dashboard: ${outputs[STACK_OUTPUTS.dashboardUrl] ?? '(see the stack outputs)'}`,
    '',
    ...(created.length > 0 ? [`Created in your Route 53 zone ${context.hostedZoneName}:`, ...table(created), ''] : []),
    `Add to the DNS of ${domain}:`,
    ...table(toAdd),
    '',
    context.mailFromDomain
      ? `SPF: mail goes out with the MAIL FROM domain ${context.mailFromDomain}, so SPF aligns with ${domain} too.`
      : `SPF: mail goes out with SES's MAIL FROM (amazonses.com); DKIM carries DMARC. For aligned SPF too, deploy with --mail-from-domain mail.${domain}.`,
    'SES verifies the DKIM records within an hour or so; until the account has SES production access it sends only to verified addresses.',
    receiving,
    `First team member: docs/deploy.md step 9 (user pool ${outputs[STACK_OUTPUTS.userPoolId] ?? '(UserPoolId output)'}, group team).`,
  ].join('\n');
}
