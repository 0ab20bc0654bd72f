// cli: `sesdesk deploy`: options to CDK context, the bootstrap check (mocked SDK), the steps in order, and what it prints
import { writeFile } from 'node:fs/promises';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { runDeploy, type DeployIo } from '../../bin/cli/commands/deploy';
import { afterDeployInstructions, cdkDeployArgs, checkBootstrap, deployContext } from '../../bin/cli/deploy-steps';
import { makeWorkspace } from '../infra/support/workspace';

const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const clients = () => ({ sts: new STSClient({ region: 'eu-west-1' }), ssm: new SSMClient({ region: 'eu-west-1' }) });
const bootstrapped = () => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
  ssm.on(GetParameterCommand, { Name: '/cdk-bootstrap/hnb659fds/version' }).resolves({ Parameter: { Value: '28' } });
};

/** The DnsRecords output as the stack writes it (tokens resolved by CloudFormation). */
const DNS = JSON.stringify([
  { name: 'help.example.com', type: 'MX', value: '10 inbound-smtp.eu-west-1.amazonaws.com', purpose: 'receiving', created: false },
  { name: 'k1._domainkey.help.example.com', type: 'CNAME', value: 'k1.dkim.amazonses.com', purpose: 'DKIM key 1 of 3', created: false },
  { name: 'k2._domainkey.help.example.com', type: 'CNAME', value: 'k2.dkim.amazonses.com', purpose: 'DKIM key 2 of 3', created: false },
  { name: 'k3._domainkey.help.example.com', type: 'CNAME', value: 'k3.dkim.amazonses.com', purpose: 'DKIM key 3 of 3', created: false },
]);
const OUTPUTS = {
  DnsRecords: DNS,
  DashboardUrl: 'https://d111.cloudfront.net',
  UserPoolId: 'eu-west-1_Abc',
  ReceiptRuleSetName: 'sesdesk-prod',
};

afterEach(() => {
  sts.reset();
  ssm.reset();
});

describe('deployContext', () => {
  it('maps the options to the context keys the CDK app reads, leaving receiving alone by default', () => {
    expect(
      deployContext({
        domain: 'help.example.com',
        stage: 'staging',
        config: 'prod.json',
        'alarm-email': 'ops@example.com',
        'hosted-zone-id': 'Z0123456789ABC',
        'hosted-zone-name': 'example.com',
        'mail-from-domain': 'mail.help.example.com',
        mfa: 'required',
        'threat-protection': true,
        'metrics-dashboard': false,
        'no-mail-alarm-hours': '6',
      }),
    ).toEqual({
      domain: 'help.example.com',
      stage: 'staging',
      configFile: 'prod.json',
      activateRuleSet: 'false',
      alarmEmail: 'ops@example.com',
      hostedZoneId: 'Z0123456789ABC',
      hostedZoneName: 'example.com',
      mailFromDomain: 'mail.help.example.com',
      mfa: 'required',
      threatProtection: 'true',
      noMailAlarmHours: '6',
    });
    expect(deployContext({ domain: 'd.example.com', 'no-alarms': true, 'activate-rule-set': true })).toEqual({
      domain: 'd.example.com',
      activateRuleSet: 'true',
    });
    expect(deployContext({ domain: 'd.example.com', 'no-alarms': true, 'receipt-rule-set': 'theirs' })).toEqual({
      domain: 'd.example.com',
      receiptRuleSet: 'theirs',
    });
  });

  it.each([
    [{ 'no-alarms': true }, /--domain is required/],
    [{ domain: 'd.example.com' }, /--alarm-email ADDRESS is required .*--no-alarms/],
    [{ domain: 'd.example.com', 'no-alarms': true, 'alarm-email': 'a@b.example' }, /exclude each other/],
    [
      { domain: 'd.example.com', 'no-alarms': true, 'activate-rule-set': true, 'receipt-rule-set': 'x' },
      /--activate-rule-set and --receipt-rule-set/,
    ],
  ])('refuses %j', (options, message) => {
    expect(() => deployContext(options)).toThrow(message);
  });

  it('passes the context and the outputs file to cdk deploy of SesDesk-<stage>', () => {
    expect(cdkDeployArgs('prod', { domain: 'help.example.com', activateRuleSet: 'false' }, '/tmp/o.json', true)).toEqual([
      'deploy',
      'SesDesk-prod',
      '--context',
      'domain=help.example.com',
      '--context',
      'activateRuleSet=false',
      '--outputs-file',
      '/tmp/o.json',
      '--require-approval',
      'never',
    ]);
  });
});

describe('checkBootstrap', () => {
  it("returns the account when CDK's bootstrap version parameter is there", async () => {
    bootstrapped();

    expect(await checkBootstrap(clients(), 'eu-west-1', 'hnb659fds')).toEqual({ account: '123456789012' });
  });

  it('says to run cdk bootstrap for the account and region when the parameter is missing', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));

    await expect(checkBootstrap(clients(), 'eu-west-1', 'hnb659fds')).rejects.toThrow(
      'aws://123456789012/eu-west-1 is not bootstrapped for CDK: run `npx cdk bootstrap aws://123456789012/eu-west-1` once, then deploy again.',
    );
  });

  it('asks for a bootstrap upgrade when the version is older than the template needs', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '4' } });

    await expect(checkBootstrap(clients(), 'eu-west-1', 'hnb659fds')).rejects.toThrow(
      /bootstrapped with version 4; sesdesk needs 6 or later: run `npx cdk bootstrap/,
    );
  });

  it('fails offline with a message naming the network and cdk bootstrap', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }));

    await expect(checkBootstrap(clients(), 'eu-west-1', 'hnb659fds')).rejects.toThrow(
      /^Could not check that aws:\/\/ACCOUNT\/eu-west-1 is bootstrapped for CDK: AWS could not be reached .* needs `npx cdk bootstrap aws:\/\/ACCOUNT\/eu-west-1` once/,
    );
  });
});

describe('afterDeployInstructions', () => {
  it('lists every record to add, a DMARC record, SPF, and how to switch receiving on', () => {
    const text = afterDeployInstructions({
      domain: 'help.example.com',
      stage: 'prod',
      region: 'eu-west-1',
      outputs: OUTPUTS,
      context: { domain: 'help.example.com', activateRuleSet: 'false' },
    });

    expect(text).toContain('Deployed SesDesk-prod to eu-west-1. Dashboard: https://d111.cloudfront.net');
    expect(text).toMatch(
      /Add to the DNS of help\.example\.com:\n {2}help\.example\.com +MX +10 inbound-smtp\.eu-west-1\.amazonaws\.com +; receiving/,
    );
    expect(text).toMatch(/k3\._domainkey\.help\.example\.com +CNAME +k3\.dkim\.amazonses\.com/);
    expect(text).toMatch(/_dmarc\.help\.example\.com +TXT +"v=DMARC1; p=none; adkim=r; aspf=r"/);
    expect(text).toContain('deploy with --mail-from-domain mail.help.example.com');
    expect(text).toContain('aws ses set-active-receipt-rule-set --region eu-west-1 --rule-set-name sesdesk-prod');
    expect(text).toContain('user pool eu-west-1_Abc');
    expect(text).not.toContain('Created in your Route 53 zone');
  });

  it('separates records created in the hosted zone from the ones still to add', () => {
    const created = (JSON.parse(DNS) as object[]).map((r) => ({ ...r, created: true }));
    const text = afterDeployInstructions({
      domain: 'help.example.com',
      stage: 'prod',
      region: 'eu-west-1',
      outputs: { ...OUTPUTS, DnsRecords: JSON.stringify(created) },
      context: {
        domain: 'help.example.com',
        hostedZoneName: 'example.com',
        mailFromDomain: 'mail.help.example.com',
        receiptRuleSet: 'theirs',
      },
    });

    const [createdPart, toAdd] = text.split('Add to the DNS of help.example.com:');
    expect(createdPart).toMatch(/Created in your Route 53 zone example\.com:\n.*MX.*\n.*CNAME/);
    expect(toAdd!.split('\n').filter((line) => line.startsWith('  _dmarc'))).toHaveLength(1);
    expect(toAdd).not.toContain('inbound-smtp');
    expect(text).toContain('SPF aligns with help.example.com too');
    expect(text).toContain("the desks' rules were added to the rule set theirs");
  });
});

describe('runDeploy', () => {
  /** A fake of everything outside: clients on the mocks, commands recorded, `cdk deploy` writing its outputs file. */
  function fakeIo(cwd: string, exitCodes: Record<string, number> = {}) {
    const runs: { command: string; args: readonly string[]; env: Record<string, string> }[] = [];
    const printed: string[] = [];
    const errors: string[] = [];
    const io: DeployIo = {
      cwd,
      clients: async () => clients(),
      defaultRegion: async () => 'eu-west-1',
      run: async (command, args, env) => {
        runs.push({ command, args, env });
        if (args[1] === 'deploy') {
          const file = args[args.indexOf('--outputs-file') + 1]!;
          await writeFile(file, JSON.stringify({ 'SesDesk-prod': OUTPUTS }));
        }
        return exitCodes[`${command} ${args[0]} ${args[1]}`] ?? 0;
      },
      print: (text) => printed.push(text),
      error: (text) => errors.push(text),
    };
    return { io, runs, printed, errors };
  }

  it('checks the bootstrap, builds the dashboard, runs cdk deploy in the region, then prints the DNS records', async () => {
    bootstrapped();
    const { cwd } = makeWorkspace();
    const { io, runs, printed } = fakeIo(cwd);

    const code = await runDeploy(['--domain', 'help.example.com', '--alarm-email', 'ops@example.com', '--yes'], io);

    expect(code).toBe(0);
    expect(runs.map((r) => `${r.command} ${r.args.slice(0, 3).join(' ')}`)).toEqual(['npm run build:web', 'npx cdk deploy SesDesk-prod']);
    expect(runs[1]!.args).toEqual(
      expect.arrayContaining(['domain=help.example.com', 'alarmEmail=ops@example.com', 'activateRuleSet=false', 'never']),
    );
    expect(runs.every((r) => r.env.AWS_REGION === 'eu-west-1')).toBe(true);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(printed.join('\n')).toContain('Add to the DNS of help.example.com:');
  });

  it('stops before AWS when the options do not fit the configuration, naming the problem', async () => {
    const { cwd } = makeWorkspace();
    const { io, runs, errors } = fakeIo(cwd);

    expect(await runDeploy(['--domain', 'other.example.com', '--no-alarms'], io)).toBe(2);
    expect(errors.join('\n')).toMatch(/Context "domain" is other\.example\.com but .* is for help\.example\.com/);
    expect(runs).toEqual([]);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it('builds and deploys nothing when the account is not bootstrapped, or offline', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('connect ETIMEDOUT 52.94.0.1:443'), { code: 'ETIMEDOUT' }));
    const { cwd } = makeWorkspace();
    const { io, runs, errors } = fakeIo(cwd);

    expect(await runDeploy(['--domain', 'help.example.com', '--no-alarms', '--region', 'eu-west-1'], io)).toBe(1);
    expect(errors.join('\n')).toMatch(/cdk bootstrap aws:\/\/ACCOUNT\/eu-west-1/);
    expect(runs).toEqual([]);
  });

  it('does not run cdk deploy when the dashboard does not build', async () => {
    bootstrapped();
    const { cwd } = makeWorkspace();
    const { io, runs, errors } = fakeIo(cwd, { 'npm run build:web': 1 });

    expect(await runDeploy(['--domain', 'help.example.com', '--no-alarms'], io)).toBe(1);
    expect(runs.map((r) => r.command)).toEqual(['npm']);
    expect(errors.join('\n')).toContain('nothing was deployed');
  });
});
