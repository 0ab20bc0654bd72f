// web: editing a desk's intake rules: pure changes to the rule list, a rule in words, and the server's refusals per rule
import type { IntakeRule, TeamMember } from '../api/types';
import type { VerdictCondition } from '../../../functions/core/workflow/intake-rules';
import { agentName } from './team';

/** The conditions typed as text. */
export type RuleCondition = Exclude<keyof IntakeRule['when'], 'authenticated' | 'verdicts'>;
export type AssignMode = 'nobody' | 'fixed' | 'round-robin';
export type { VerdictCondition };
type Verdicts = NonNullable<IntakeRule['when']['verdicts']>;

/** Each condition as the settings page names it, in the order it shows them. */
export const CONDITION_LABELS: Readonly<Record<RuleCondition, string>> = {
  to: 'Sent to',
  fromAddress: 'Sender address',
  fromDomain: 'Sender domain',
  subject: 'Subject contains',
  body: 'Body contains',
};

/** The condition on whether SES authenticated the sender, as the settings page names it. */
export const AUTHENTICATED_LABEL = 'Sender authenticated';

/** Each SES verdict a rule can require, as the settings page names it, in the order it shows them. */
export const VERDICT_LABELS: Readonly<Record<VerdictCondition, string>> = {
  spf: 'SPF',
  dkim: 'DKIM',
  dmarc: 'DMARC',
  spam: 'Spam verdict',
  virus: 'Virus verdict',
};

/** The fields of a rule the server may name in a refusal (`rules.<i>.<path>`), as the settings page labels them. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  name: 'Name',
  ...Object.fromEntries(Object.entries(CONDITION_LABELS).map(([key, label]) => [`when.${key}`, label])),
  'when.authenticated': AUTHENTICATED_LABEL,
  'when.verdicts': 'SES verdicts',
  ...Object.fromEntries(Object.entries(VERDICT_LABELS).map(([key, label]) => [`when.verdicts.${key}`, label])),
  'then.labels': 'Add labels',
  'then.assignee': 'Assign to',
  'then.roundRobin': 'Assign in turn',
  'then.roundRobin.agents': 'Assign in turn',
  'then.priority': 'Priority',
  'then.skipAcknowledgement': 'Acknowledgement',
  then: 'Assign',
};

/** A new rule that matches every new ticket until the agent adds a condition. */
export function newRule(existing: readonly IntakeRule[]): IntakeRule {
  const names = new Set(existing.map((rule) => rule.name));
  let n = existing.length + 1;
  while (names.has(`Rule ${n}`)) n += 1;
  return { name: `Rule ${n}`, when: {}, then: {} };
}

/** The rule with one condition set, or removed when the text is blank (an empty condition would match nothing). */
export function withCondition(rule: IntakeRule, condition: RuleCondition, text: string): IntakeRule {
  const when = { ...rule.when };
  if (text.trim()) when[condition] = text;
  else delete when[condition];
  return { ...rule, when };
}

/** The rule requiring SES to have authenticated the sender (`true`), not to have (`false`), or either (`undefined`). */
export function withAuthenticated(rule: IntakeRule, authenticated: boolean | undefined): IntakeRule {
  const { authenticated: _authenticated, ...when } = rule.when;
  return { ...rule, when: authenticated === undefined ? when : { ...when, authenticated } };
}

/** The rule requiring one SES verdict, or no longer requiring it (`''`); no verdict left drops `verdicts`. */
export function withVerdict<K extends VerdictCondition>(rule: IntakeRule, name: K, value: Verdicts[K] | ''): IntakeRule {
  const { verdicts: current, ...when } = rule.when;
  const verdicts: Verdicts = { ...current };
  if (value) verdicts[name] = value;
  else delete verdicts[name];
  return { ...rule, when: Object.keys(verdicts).length > 0 ? { ...when, verdicts } : when };
}

/** How the rule assigns: not at all, to one member, or in turn. */
export function assignMode(rule: IntakeRule): AssignMode {
  if (rule.then.roundRobin) return 'round-robin';
  return rule.then.assignee ? 'fixed' : 'nobody';
}

/**
 * The rule switched to another way of assigning: `fixed` starts with the first team member, `round-robin` with the
 * whole team; only one of `assignee` and `roundRobin` is ever set.
 */
export function withAssignMode(rule: IntakeRule, mode: AssignMode, team: readonly TeamMember[]): IntakeRule {
  const { assignee: _assignee, roundRobin: _roundRobin, ...then } = rule.then;
  if (mode === 'fixed') {
    const first = rule.then.assignee ?? team[0]?.email;
    return { ...rule, then: first ? { ...then, assignee: first } : then };
  }
  if (mode === 'round-robin') return { ...rule, then: { ...then, roundRobin: rule.then.roundRobin ?? {} } };
  return { ...rule, then };
}

/**
 * The rotation with one member taken in or out, in the team's order (the order turns go round, as the page lists them);
 * nobody ticked means the whole team (`{}`).
 */
export function withRotationMember(rule: IntakeRule, email: string, included: boolean, team: readonly TeamMember[]): IntakeRule {
  const current = rule.then.roundRobin?.agents ?? [];
  const ticked = new Set(included ? [...current, email] : current.filter((agent) => agent !== email));
  const members = team.map((member) => member.email);
  const agents = [...members.filter((agent) => ticked.has(agent)), ...[...ticked].filter((agent) => !members.includes(agent))];
  return { ...rule, then: { ...rule.then, roundRobin: agents.length > 0 ? { agents } : {} } };
}

/** The list with the rule at `index` moved one place up (-1) or down (+1); unchanged at either end. */
export function moveRule(rules: readonly IntakeRule[], index: number, by: -1 | 1): IntakeRule[] {
  const to = index + by;
  const moved = [...rules];
  if (to < 0 || to >= rules.length || index < 0 || index >= rules.length) return moved;
  [moved[index], moved[to]] = [moved[to]!, moved[index]!];
  return moved;
}

/** "When the subject contains “outage”: add outage, assign to Ada Agent, set priority urgent, send no acknowledgement." */
export function describeRule(rule: IntakeRule, team: readonly TeamMember[]): string {
  const { when, then } = rule;
  const verdicts = (Object.keys(VERDICT_LABELS) as VerdictCondition[]).flatMap((name) => {
    const value = when.verdicts?.[name];
    // "spam GRAY" reads better than the field's label "Spam verdict GRAY".
    return value ? [`${name === 'spam' || name === 'virus' ? name : VERDICT_LABELS[name]} ${value}`] : [];
  });
  const conditions = [
    when.to && `sent to ${when.to}`,
    when.fromAddress && `from ${when.fromAddress} (authenticated)`,
    when.fromDomain && `from anyone at ${when.fromDomain} (authenticated)`,
    when.subject && `the subject contains “${when.subject}”`,
    when.body && `the body contains “${when.body}”`,
    when.authenticated === true && 'SES authenticated the sender',
    when.authenticated === false && 'SES did not authenticate the sender',
    verdicts.length > 0 && `SES’s verdicts are ${verdicts.join(', ')}`,
  ].filter(Boolean);
  const rotation = then.roundRobin?.agents?.map((agent) => agentName(team, agent)).join(', ');
  const actions = [
    then.labels?.length && `add ${then.labels.join(', ')}`,
    then.assignee && `assign to ${agentName(team, then.assignee)}`,
    then.roundRobin && `assign in turn to ${rotation ?? 'the whole team'}`,
    then.priority && `set priority ${then.priority}`,
    then.skipAcknowledgement && 'send no acknowledgement',
  ].filter(Boolean);
  const whenText = conditions.length > 0 ? `When ${conditions.join(' and ')}` : 'Every new ticket';
  return `${whenText}: ${actions.length > 0 ? actions.join(', ') : 'nothing yet'}.`;
}

/** One problem the server found with a rule, with the field to fix as the settings page labels it. */
export interface RuleProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * Sorts the server's refusal of a settings save (`path: message` parts joined by `; `, see the API's error mapping) into
 * the problems of each rule, by index, and the rest; the server decides what is wrong, this only says where.
 * @example ruleProblems('rules.1.when.fromDomain: a domain like example.com').rules.get(1)
 */
export function ruleProblems(message: string): { rules: Map<number, RuleProblem[]>; other: string[] } {
  const rules = new Map<number, RuleProblem[]>();
  const other: string[] = [];
  for (const part of message.split(/; (?=[\w.]+: )/)) {
    const match = /^rules\.(\d+)(?:\.([\w.]+))?: (.*)$/s.exec(part);
    if (!match) {
      other.push(part);
      continue;
    }
    const index = Number(match[1]);
    const path = match[2] ?? '';
    const field = FIELD_LABELS[path] ?? FIELD_LABELS[path.replace(/\.\d+$/, '')] ?? (path || 'Rule');
    // zod repeats the field's own name in some messages ("fromDomain: a domain like …"); the label says it already.
    const last = path
      .split('.')
      .filter((segment) => !/^\d+$/.test(segment))
      .pop();
    const text = last && match[3]!.startsWith(`${last}: `) ? match[3]!.slice(last.length + 2) : match[3]!;
    rules.set(index, [...(rules.get(index) ?? []), { field, message: text }]);
  }
  return { rules, other };
}
