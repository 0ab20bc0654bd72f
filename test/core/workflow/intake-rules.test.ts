import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../../functions/core/email/parse-email';
import { InvalidInputError } from '../../../functions/core/errors';
import type { Authenticity } from '../../../functions/core/types';
import { checkIntakeRules, decideIntake, intakeRuleSchema, type IntakeRule } from '../../../functions/core/workflow/intake-rules';
import { plainMail } from '../../support/mail';
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
      priority: 'urgent',
      skipAcknowledgement: true,
      matched: ['billing', 'vip', 'outage'],
    });
  });

  it('matches on the sender only when SES proved who sent it', async () => {
    const forged = decideIntake(rules, { mail: await mail('ceo@bigcorp.example', 'Hello'), authenticity: unknown });
    expect(forged).toEqual({ labels: [], assignee: null, priority: null, skipAcknowledgement: false, matched: [] });
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
