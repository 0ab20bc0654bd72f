// web unit: the intake rule editor's pure changes, a rule in words, the server's refusals sorted per rule, agent names
import { describe, expect, it } from 'vitest';
import type { IntakeRule } from '../../web/src/api/types';
import { InvalidInputError } from '../../functions/core/errors';
import { checkIntakeRules } from '../../functions/core/workflow/intake-rules';
import {
  assignMode,
  describeRule,
  moveRule,
  newRule,
  ruleProblems,
  withAssignMode,
  withCondition,
  withAuthenticated,
  withRotationMember,
  withVerdict,
} from '../../web/src/lib/intake-rules';
import { agentName } from '../../web/src/lib/team';

const team = [
  { email: 'ada@desk.example', name: 'Ada Agent' },
  { email: 'bo@desk.example', name: 'Bo Builder' },
];
const rule = (overrides: Partial<IntakeRule> = {}): IntakeRule => ({ name: 'billing', when: {}, then: {}, ...overrides });

/** The message core's check throws for these rules. */
function refusal(rules: IntakeRule[]): string {
  try {
    checkIntakeRules(rules, team);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
  throw new Error('the rules were accepted');
}

describe('agent names', () => {
  it('name a team member by any case of their address, and anyone else (or a member without a name) by the address', () => {
    expect(agentName(team, 'ADA@desk.example')).toBe('Ada Agent');
    expect(agentName(team, 'gone@desk.example')).toBe('gone@desk.example');
    expect(agentName([{ email: 'cy@desk.example', name: ' ' }], 'cy@desk.example')).toBe('cy@desk.example');
    expect(agentName([], 'ada@desk.example')).toBe('ada@desk.example');
  });
});

describe('editing intake rules', () => {
  it('adds a rule with a name no other rule has', () => {
    expect(newRule([])).toEqual({ name: 'Rule 1', when: {}, then: {} });
    expect(newRule([rule({ name: 'Rule 2' })]).name).toBe('Rule 3');
  });

  it('drops a condition whose text is blank, so no rule is saved with an empty condition', () => {
    const withSubject = withCondition(rule(), 'subject', 'invoice');
    expect(withSubject.when).toEqual({ subject: 'invoice' });
    expect(withCondition(withSubject, 'subject', '  ').when).toEqual({});
  });

  it('keeps only one way of assigning: a fixed member, a rotation, or none', () => {
    const fixed = withAssignMode(rule({ then: { labels: ['x'] } }), 'fixed', team);
    expect(fixed.then).toEqual({ labels: ['x'], assignee: 'ada@desk.example' });
    expect(assignMode(fixed)).toBe('fixed');
    const rotating = withAssignMode(fixed, 'round-robin', team);
    expect(rotating.then).toEqual({ labels: ['x'], roundRobin: {} });
    expect(assignMode(rotating)).toBe('round-robin');
    expect(withAssignMode(rotating, 'nobody', team).then).toEqual({ labels: ['x'] });
  });

  it('ticks members in and out of a rotation in the team’s order; nobody ticked is the whole team', () => {
    const one = withRotationMember(rule({ then: { roundRobin: { agents: ['gone@desk.example'] } } }), 'bo@desk.example', true, team);
    expect(one.then.roundRobin).toEqual({ agents: ['bo@desk.example', 'gone@desk.example'] });
    const two = withRotationMember(one, 'ada@desk.example', true, team);
    expect(two.then.roundRobin).toEqual({ agents: ['ada@desk.example', 'bo@desk.example', 'gone@desk.example'] });
    const gone = withRotationMember(two, 'gone@desk.example', false, team);
    expect(
      withRotationMember(withRotationMember(gone, 'bo@desk.example', false, team), 'ada@desk.example', false, team).then.roundRobin,
    ).toEqual({});
  });

  it('sets and clears SES verdict conditions, dropping `verdicts` once none is left', () => {
    const signed = withVerdict(withVerdict(rule(), 'dkim', 'pass'), 'spam', 'GRAY');
    expect(signed.when).toEqual({ verdicts: { dkim: 'pass', spam: 'GRAY' } });
    expect(withVerdict(withVerdict(signed, 'dkim', ''), 'spam', '').when).toEqual({});
    const verified = withAuthenticated(signed, true);
    expect(verified.when).toEqual({ verdicts: { dkim: 'pass', spam: 'GRAY' }, authenticated: true });
    expect(withAuthenticated(verified, false).when.authenticated).toBe(false);
    expect(withAuthenticated(verified, undefined).when).toEqual(signed.when);
  });

  it('moves a rule up or down, and nowhere past either end', () => {
    const [a, b, c] = [rule({ name: 'a' }), rule({ name: 'b' }), rule({ name: 'c' })];
    expect(moveRule([a, b, c], 2, -1).map((r) => r.name)).toEqual(['a', 'c', 'b']);
    expect(moveRule([a, b, c], 0, 1).map((r) => r.name)).toEqual(['b', 'a', 'c']);
    expect(moveRule([a, b, c], 0, -1).map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(moveRule([a, b, c], 2, 1).map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('says what a rule does, naming agents by name', () => {
    expect(
      describeRule(
        rule({
          when: { subject: 'outage', fromDomain: 'bigcorp.example' },
          then: { labels: ['outage', 'vip'], assignee: 'bo@desk.example', priority: 'urgent', skipAcknowledgement: true },
        }),
        team,
      ),
    ).toBe(
      'When from anyone at bigcorp.example (authenticated) and the subject contains “outage”: add outage, vip, assign to Bo Builder, set priority urgent, send no acknowledgement.',
    );
    expect(describeRule(rule({ then: { roundRobin: {} } }), team)).toBe('Every new ticket: assign in turn to the whole team.');
    expect(describeRule(rule({ then: { roundRobin: { agents: ['ada@desk.example', 'x@y.example'] } } }), team)).toBe(
      'Every new ticket: assign in turn to Ada Agent, x@y.example.',
    );
    expect(describeRule(rule(), team)).toBe('Every new ticket: nothing yet.');
    expect(
      describeRule(
        rule({
          when: { to: 'vip@desk.example', authenticated: true, verdicts: { spam: 'PASS', dkim: 'pass' } },
          then: { labels: ['vip'] },
        }),
        team,
      ),
    ).toBe('When sent to vip@desk.example and SES authenticated the sender and SES’s verdicts are DKIM pass, spam PASS: add vip.');
    expect(describeRule(rule({ when: { authenticated: false } }), team)).toBe('When SES did not authenticate the sender: nothing yet.');
  });
});

describe('the server’s refusal of a save', () => {
  it('puts each problem core names beside the rule it is about', () => {
    const message = refusal([rule(), rule({ name: 'vip', then: { assignee: 'stranger@example.com' } })]);
    const { rules, other } = ruleProblems(message);
    expect(other).toEqual([]);
    expect([...rules.keys()]).toEqual([1]);
    expect(rules.get(1)).toEqual([{ field: 'Assign to', message: 'stranger@example.com is not a member of the team (rule "vip")' }]);
    expect(ruleProblems(refusal([rule({ then: { roundRobin: { agents: ['zed@example.com'] } } })])).rules.get(0)?.[0]?.field).toBe(
      'Assign in turn',
    );
  });

  it('sorts several schema problems by rule and leaves the rest to show as they are', () => {
    const { rules, other } = ruleProblems(
      'rules.0.when.fromDomain: fromDomain: a domain like example.com; templates.ack.subject: subject must not be empty; rules.2.then.labels.1: Too small: expected string to have >=1 characters; rules.2.name: rule name must not be empty',
    );
    expect(rules.get(0)).toEqual([{ field: 'Sender domain', message: 'a domain like example.com' }]);
    expect(rules.get(2)).toEqual([
      { field: 'Add labels', message: 'Too small: expected string to have >=1 characters' },
      { field: 'Name', message: 'rule name must not be empty' },
    ]);
    expect(other).toEqual(['templates.ack.subject: subject must not be empty']);
    const verdicts = ruleProblems(
      `rules.0.when.verdicts.spf: Invalid option: expected one of "pass"|"fail"; rules.0.when.verdicts: Unrecognized key: "arc"; ${refusal([
        rule({ when: { verdicts: { virus: 'FAIL' } } }),
      ])}`,
    );
    expect(verdicts.rules.get(0)?.map((p) => p.field)).toEqual(['SPF', 'SES verdicts', 'Virus verdict']);
    expect(ruleProblems('templates.reply.body: unknown placeholder {{ticket.numbr}}')).toEqual({
      rules: new Map(),
      other: ['templates.reply.body: unknown placeholder {{ticket.numbr}}'],
    });
  });
});
