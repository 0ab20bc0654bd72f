import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDeploySettings } from '../../lib/deploy-settings';
import { makeWorkspace, TEST_DESK_CONFIG } from './support/workspace';

const context =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];
const base = { domain: 'help.example.com', activateRuleSet: 'false' };

describe('readDeploySettings', () => {
  it('reads the desk configuration and context into typed settings', () => {
    const { cwd } = makeWorkspace();

    const settings = readDeploySettings(
      context({
        ...base,
        activateRuleSet: true,
        hostedZoneId: 'Z0123456789ABC',
        hostedZoneName: 'example.com.',
        alarmEmail: 'ops@example.com',
      }),
      cwd,
    );

    expect(settings.domain).toBe('help.example.com');
    expect(settings.activateRuleSet).toBe(true);
    expect(settings.hostedZone).toEqual({ id: 'Z0123456789ABC', name: 'example.com' });
    expect(settings.deskConfig.desks.map((d) => d.address)).toEqual(['support@help.example.com', 'billing@help.example.com']);
    expect(settings.notifyConcurrency).toBe(2);
    expect(settings.alarmEmail).toBe('ops@example.com');
  });

  it('defaults to stage prod, optional MFA, the Essentials plan, no CloudWatch dashboard and a 24-hour no-mail alarm', () => {
    const { cwd } = makeWorkspace();

    expect(readDeploySettings(context(base), cwd)).toMatchObject({
      stage: 'prod',
      mfa: 'optional',
      threatProtection: false,
      metricsDashboard: false,
      noMailAlarmHours: 24,
      receiptRuleSet: undefined,
      mailFromDomain: undefined,
    });
  });

  it('reads the stage, MFA, threat protection, dashboard, no-mail hours and MAIL FROM domain', () => {
    const { cwd } = makeWorkspace();

    const settings = readDeploySettings(
      context({
        ...base,
        stage: 'staging-2',
        mfa: 'required',
        threatProtection: 'true',
        metricsDashboard: true,
        noMailAlarmHours: 'off',
        mailFromDomain: 'Mail.Help.Example.com.',
      }),
      cwd,
    );

    expect(settings).toMatchObject({
      stage: 'staging-2',
      mfa: 'required',
      threatProtection: true,
      metricsDashboard: true,
      noMailAlarmHours: null,
      mailFromDomain: 'mail.help.example.com',
    });
  });

  it('adds the rules to an existing rule set without activation, which then needs no activateRuleSet', () => {
    const { cwd } = makeWorkspace();

    const settings = readDeploySettings(context({ domain: 'help.example.com', receiptRuleSet: 'their-inbound' }), cwd);

    expect(settings).toMatchObject({ receiptRuleSet: 'their-inbound', activateRuleSet: false });
  });

  it('reads the configuration file that context "configFile" names', () => {
    const { cwd } = makeWorkspace({
      domain: 'desk.example.org',
      desks: [{ id: 'help', address: 'help@desk.example.org', name: 'Help' }],
      team: TEST_DESK_CONFIG.team,
    });
    writeFileSync(path.join(cwd, 'prod.json'), JSON.stringify({ ...TEST_DESK_CONFIG }));

    expect(readDeploySettings(context({ ...base, configFile: 'prod.json' }), cwd).configFile).toBe(path.join(cwd, 'prod.json'));
  });

  it.each([
    [{ activateRuleSet: 'false' }, /Context "domain" is required/],
    [{ domain: 'help.example.com' }, /Context "activateRuleSet" must be true or false; it is missing/],
    [{ ...base, activateRuleSet: 'yes' }, /"activateRuleSet" must be true or false; got "yes"/],
    [{ ...base, domain: 'other.example.com' }, /is for help\.example\.com.*configFile/],
    [{ ...base, hostedZoneId: 'Z0123456789ABC' }, /"hostedZoneId" and "hostedZoneName" go together/],
    [{ ...base, hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.net' }, /cannot hold records for help\.example\.com/],
    [{ ...base, hostedZoneId: 'not-a-zone', hostedZoneName: 'example.com' }, /does not look like a Route 53 zone id/],
    [{ ...base, alarmEmail: 'ops' }, /"alarmEmail" must be an email address/],
    [{ ...base, notifyConcurrency: '0' }, /"notifyConcurrency" must be a whole number from 1 to 100, or "unreserved"/],
    [{ ...base, rawMailTransitionDays: '7' }, /"rawMailTransitionDays" must be a whole number of days \(30 or more\)/],
    [{ ...base, configFile: 'missing.json' }, /missing\.json not found/],
    [{ ...base, stage: 'Prod' }, /"stage" "Prod" must start with a lower-case letter/],
    [{ ...base, stage: 'a-stage-name-far-too-long' }, /at most 20/],
    [{ ...base, mfa: 'sometimes' }, /"mfa" must be one of optional, required; got "sometimes"/],
    [{ ...base, noMailAlarmHours: '48' }, /"noMailAlarmHours" must be a whole number of hours from 1 to 24, or "off"/],
    [{ ...base, threatProtection: 'maybe' }, /"threatProtection" must be true or false/],
    [{ ...base, mailFromDomain: 'mail.example.org' }, /"mailFromDomain" mail\.example\.org must be a subdomain of help\.example\.com/],
    [{ ...base, activateRuleSet: 'true', receiptRuleSet: 'theirs' }, /leave "activateRuleSet" out/],
    [{ ...base, receiptRuleSet: 'bad name!' }, /"receiptRuleSet" "bad name!" is not a receipt rule set name/],
  ])('rejects %j with a message naming what to fix', (values, message) => {
    const { cwd } = makeWorkspace();

    expect(() => readDeploySettings(context(values), cwd)).toThrow(message);
  });

  it('rejects an invalid desk configuration with one line per problem', () => {
    const { cwd } = makeWorkspace({
      domain: 'help.example.com',
      desks: [{ id: 'Bad Id', address: 'x@elsewhere.com', name: 'X' }],
      team: [],
    });

    expect(() => readDeploySettings(context(base), cwd)).toThrow(
      /desks\.0\.id[\s\S]*desks\.0\.address: must be on the domain help\.example\.com/,
    );
  });

  it("refuses the local stack's .localhost domain", () => {
    const { cwd } = makeWorkspace({
      ...TEST_DESK_CONFIG,
      domain: 'desk.localhost',
      desks: [{ id: 'support', address: 'support@desk.localhost', name: 'S' }],
    });

    expect(() => readDeploySettings(context({ ...base, domain: 'desk.localhost' }), cwd)).toThrow(/local stack's domain/);
  });

  it('accepts "unreserved" notify concurrency for accounts with the initial quota of 10', () => {
    const { cwd } = makeWorkspace();

    expect(readDeploySettings(context({ ...base, notifyConcurrency: 'unreserved' }), cwd).notifyConcurrency).toBe('unreserved');
  });
});
