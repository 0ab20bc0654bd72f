import { describe, expect, it } from 'vitest';
import { parseSubmittedDeskSettings } from '../../../functions/core/settings/desk-settings';
import { senderAuthenticity } from '../../../functions/core/threading/sender-trust';
import { parseEmail } from '../../../functions/core/email/parse-email';
import { InvalidInputError } from '../../../functions/core/errors';
import type { Authenticity } from '../../../functions/core/types';
import {
  checkIntakeRules,
  decideIntake,
  intakeRuleSchema,
  roundRobinAgents,
  roundRobinAssignee,
  type IntakeRule,
} from '../../../functions/core/workflow/intake-rules';
import { plainMail, sesStoredMail, type SesVerdictHeaders } from '../../support/mail';
import { TEAM_CONFIG } from './workflow-fixtures';

const rules: IntakeRule[] = [
  intakeRuleSchema.parse({
    name: 'billing',
    when: { to: 'billing@help.example.com' },
    then: { labels: ['billing'], assignee: 'bob@help.example.com' },
  }),
  intakeRuleSchema.parse({ name: 'vip', when: { fromDomain: 'bigcorp.example' }, then: { priority: 'urgent', labels: ['vip'] } }),
  intakeRuleSchema.parse({ name: 'outage', when: { subject: 'DOWN' }, then: { priority: 'high', skipAcknowledgement: true } }),
];
const pass: Authenticity = { verdict: 'pass', reason: 'dmarc=pass' };
const unknown: Authenticity = { verdict: 'unknown', reason: 'no verdicts' };
const mail = (from: string, subject: string, to = 'support@help.example.com') => parseEmail(Buffer.from(plainMail({ from, subject, to })));

describe('decideIntake', () => {
  it('adds labels from every match; the first match sets assignee and priority', async () => {
    const decision = decideIntake(rules, {
      mail: await mail('ceo@bigcorp.example', 'Site is down', 'billing@help.example.com'),
      authenticity: pass,
    });
    expect(decision).toEqual({
      labels: ['billing', 'vip'],
      assignee: 'bob@help.example.com',
      roundRobin: null,
      priority: 'urgent',
      skipAcknowledgement: true,
      matched: ['billing', 'vip', 'outage'],
    });
  });

  it('matches on the sender only when SES proved who sent it', async () => {
    const forged = decideIntake(rules, { mail: await mail('ceo@bigcorp.example', 'Hello'), authenticity: unknown });
    expect(forged).toEqual({ labels: [], assignee: null, roundRobin: null, priority: null, skipAcknowledgement: false, matched: [] });
  });

  it('refuses a rule assigning to someone outside the team, by name', () => {
    const stranger = intakeRuleSchema.parse({ name: 'oops', when: {}, then: { assignee: 'stranger@example.com' } });
    expect(() => checkIntakeRules([stranger], TEAM_CONFIG.team)).toThrow(InvalidInputError);
    expect(() => checkIntakeRules([stranger], TEAM_CONFIG.team)).toThrow(
      'rules.0.then.assignee: stranger@example.com is not a member of the team (rule "oops")',
    );
    expect(() => checkIntakeRules(rules, TEAM_CONFIG.team)).not.toThrow();
  });
});

describe('round-robin assignment', () => {
  const ADA = 'ada@help.example.com';
  const BOB = 'bob@help.example.com';
  const rotate = (name: string, when: IntakeRule['when'], agents?: string[]) =>
    intakeRuleSchema.parse({ name, when, then: { roundRobin: agents ? { agents } : {} } });

  it('is chosen by the first matching rule that assigns, and not after a rule that names an assignee', async () => {
    const rotating = [rotate('billing', { subject: 'invoice' }, [BOB.toUpperCase(), ADA]), rotate('all', {})];
    const invoice = decideIntake(rotating, { mail: await mail('a@customer.example', 'My invoice'), authenticity: unknown });
    expect(invoice).toMatchObject({ assignee: null, roundRobin: { rule: 'billing', agents: [BOB, ADA] }, matched: ['billing', 'all'] });
    const other = decideIntake(rotating, { mail: await mail('a@customer.example', 'Hello'), authenticity: unknown });
    expect(other.roundRobin).toEqual({ rule: 'all', agents: null });
    const named = decideIntake([rules[0]!, ...rotating], {
      mail: await mail('a@customer.example', 'My invoice', 'billing@help.example.com'),
      authenticity: unknown,
    });
    expect(named).toMatchObject({ assignee: BOB, roundRobin: null });
  });

  it('takes turns 1, 2, 3, … as agent 1, 2, …, n, 1, … and assigns nobody without agents or a turn', () => {
    const agents = ['a@x.example', 'b@x.example', 'c@x.example'];
    expect([1, 2, 3, 4, 5, 6, 7].map((turn) => roundRobinAssignee(agents, turn))).toEqual([...agents, ...agents, agents[0]]);
    const counts = new Map<string, number>();
    for (let turn = 1; turn <= 30; turn++) {
      const agent = roundRobinAssignee(agents, turn)!;
      counts.set(agent, (counts.get(agent) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([10, 10, 10]);
    expect(roundRobinAssignee([], 1)).toBeNull();
    expect(roundRobinAssignee(agents, 0)).toBeNull();
  });

  it('rotates among the named agents still on the team, or the whole team by default', () => {
    expect(roundRobinAgents({ rule: 'r', agents: null }, TEAM_CONFIG.team)).toEqual([ADA, BOB]);
    expect(roundRobinAgents({ rule: 'r', agents: [BOB, 'gone@help.example.com'] }, TEAM_CONFIG.team)).toEqual([BOB]);
  });

  it('refuses an agent outside the team by name, a rule that also names an assignee, and two rotations of one name', () => {
    expect(() => checkIntakeRules([rotate('rr', {}, [ADA, 'stranger@example.com'])], TEAM_CONFIG.team)).toThrow(
      'rules.0.then.roundRobin.agents: stranger@example.com is not a member of the team (rule "rr")',
    );
    const both = intakeRuleSchema.parse({ name: 'both', when: {}, then: { assignee: ADA, roundRobin: {} } });
    expect(() => checkIntakeRules([both], TEAM_CONFIG.team)).toThrow('rules.0.then: give assignee or roundRobin, not both (rule "both")');
    expect(() => checkIntakeRules([rotate('rr', {}), rotate('rr', { subject: 'x' })], TEAM_CONFIG.team)).toThrow(
      'rules.1.name: two round-robin rules are named "rr"',
    );
    expect(() => checkIntakeRules([rotate('rr', {}, [BOB]), rotate('rr2', {})], TEAM_CONFIG.team)).not.toThrow();
    expect(() => intakeRuleSchema.parse({ name: 'empty', when: {}, then: { roundRobin: { agents: [] } } })).toThrow();
  });
});

describe('SES verdict conditions', () => {
  const trusted = intakeRuleSchema.parse({
    name: 'trusted',
    when: { verdicts: { dkim: 'PASS', dmarc: 'pass', spam: 'pass' } },
    then: { labels: ['trusted'] },
  });
  const verified = intakeRuleSchema.parse({ name: 'verified', when: { authenticated: true }, then: { labels: ['verified'] } });
  const unverified = intakeRuleSchema.parse({ name: 'unverified', when: { authenticated: false }, then: { labels: ['unverified'] } });
  const gray = intakeRuleSchema.parse({ name: 'gray', when: { verdicts: { spam: 'gray' } }, then: { labels: ['maybe-spam'] } });
  const all = [trusted, verified, unverified, gray];
  /** The rules' labels for a mail SES stored with these verdicts on top, its authenticity decided as ingest does. */
  const labelsFor = async (verdicts: SesVerdictHeaders | null, headers: string[] = []) => {
    const raw = plainMail({ from: 'ann@bigcorp.example', subject: 'Hello', headers });
    const parsed = await parseEmail(verdicts ? sesStoredMail(raw, verdicts) : Buffer.from(raw));
    return decideIntake(all, { mail: parsed, authenticity: senderAuthenticity(parsed.authentication) }).labels;
  };

  it('takes verdicts in either case, stored as ingest reads them', () => {
    expect(trusted.when.verdicts).toEqual({ dkim: 'pass', dmarc: 'pass', spam: 'PASS' });
  });

  it('matches the verdicts SES wrote, and not other verdicts, missing ones, or a copy the sender wrote below SES’s', async () => {
    expect(await labelsFor({ spam: 'PASS', virus: 'PASS', spf: 'pass', dkim: 'pass', dmarc: 'pass' })).toEqual(['trusted', 'verified']);
    expect(await labelsFor({ spam: 'PASS', virus: 'PASS', spf: 'pass', dkim: 'fail', dmarc: 'fail' })).toEqual(['unverified']);
    expect(await labelsFor({ spam: 'GRAY', virus: 'PASS', dkim: 'pass', dmarc: 'pass' })).toEqual(['verified', 'maybe-spam']);
    // No SES block at all (the local stack's SPF/DKIM/DMARC): no verdict matches, and the sender is not authenticated.
    expect(await labelsFor(null)).toEqual(['unverified']);
    const forged = ['Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass', 'X-SES-Spam-Verdict: PASS'];
    expect(await labelsFor({ spam: 'GRAY', virus: 'PASS', spf: 'fail', dkim: 'fail', dmarc: 'fail' }, forged)).toEqual([
      'unverified',
      'maybe-spam',
    ]);
  });

  it('never lets the forwarder’s verdicts vouch for the customer of a forward', async () => {
    const parsed = await parseEmail(
      sesStoredMail(plainMail({ from: 'ann@bigcorp.example', subject: 'Hi' }), { dkim: 'pass', dmarc: 'pass', spam: 'PASS' }),
    );
    const unchecked: Authenticity = { verdict: 'unknown', reason: 'forwarded' };
    const forward = decideIntake(all, {
      mail: { ...parsed, authentication: { spf: null, dkim: null, dmarc: null } },
      authenticity: unchecked,
    });
    expect(forward.labels).toEqual(['unverified']);
  });

  it('refuses unknown verdicts and values by field, and conditions that can never hold, by rule', () => {
    const refusal = (when: unknown) => {
      try {
        parseSubmittedDeskSettings({ id: 'support' }, { rules: [{ name: 'r', when, then: {} }] });
      } catch (error) {
        return (error as { issues: { path: PropertyKey[]; message: string }[] }).issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      }
      return [];
    };
    expect(refusal({ verdicts: { spf: 'maybe' } })).toEqual([expect.stringMatching(/^rules\.0\.when\.verdicts\.spf: .*"pass"/)]);
    expect(refusal({ verdicts: { spam: 'ok' } })).toEqual([expect.stringMatching(/^rules\.0\.when\.verdicts\.spam: .*"GRAY"/)]);
    expect(refusal({ verdicts: { arc: 'pass' } })).toEqual([expect.stringMatching(/^rules\.0\.when\.verdicts: .*"arc"/)]);
    expect(refusal({ authenticated: 'yes' })).toEqual([expect.stringMatching(/^rules\.0\.when\.authenticated: /)]);
    expect(refusal({ authenticated: true, verdicts: { spf: 'Pass' } })).toEqual([]);

    const never = (when: IntakeRule['when']) => () => checkIntakeRules([{ name: 'never', when, then: {} }], TEAM_CONFIG.team);
    expect(never({ verdicts: { spam: 'FAIL' } })).toThrow(
      'rules.0.when.verdicts.spam: FAIL never reaches the rules: such mail goes to spam, untreated (rule "never")',
    );
    expect(never({ verdicts: { virus: 'FAIL' } })).toThrow('rules.0.when.verdicts.virus: FAIL never reaches the rules');
    expect(never({ authenticated: false, fromDomain: 'bigcorp.example' })).toThrow(
      'rules.0.when.authenticated: false never holds with a sender',
    );
    expect(never({ authenticated: true, fromDomain: 'bigcorp.example', verdicts: { spam: 'GRAY', virus: 'PASS' } })).not.toThrow();
  });
});
