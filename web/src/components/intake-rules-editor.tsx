// web: the settings page's intake rules: the desk's rules in order, each with its conditions, actions and the server's refusals
import { useState } from 'preact/hooks';
import type { Desk, IntakeRule, TeamMember, TicketPriority } from '../api/types';
import { AUTHENTICATION_RESULTS, SES_VERDICTS, TICKET_PRIORITIES } from '../../../functions/core/types';
import { parseLabels } from '../lib/format';
import {
  assignMode,
  AUTHENTICATED_LABEL,
  CONDITION_LABELS,
  describeRule,
  moveRule,
  newRule,
  VERDICT_LABELS,
  withAssignMode,
  withAuthenticated,
  withCondition,
  withRotationMember,
  withVerdict,
  type AssignMode,
  type RuleCondition,
  type RuleProblem,
  type VerdictCondition,
} from '../lib/intake-rules';
import { agentName } from '../lib/team';

export interface IntakeRulesEditorProps {
  readonly rules: readonly IntakeRule[];
  /** `reordered`: rules were added, removed or moved, so problems found by index no longer point at the right rule. */
  readonly onChange: (rules: IntakeRule[], reordered: boolean) => void;
  readonly team: readonly TeamMember[];
  readonly desks: readonly Desk[];
  /** What the server refused in each rule at the last save, by index. */
  readonly problems: ReadonlyMap<number, readonly RuleProblem[]>;
}

/** The desk's intake rules, applied in this order to each new ticket; saved with the rest of the settings. */
export function IntakeRulesEditor({ rules, onChange, team, desks, problems }: IntakeRulesEditorProps) {
  const replace = (index: number, rule: IntakeRule) =>
    onChange(
      rules.map((r, i) => (i === index ? rule : r)),
      false,
    );
  return (
    <fieldset class="intake-rules">
      <legend>Intake rules</legend>
      <p class="hint">
        Applied in this order to every new ticket when its first mail arrives (never to spam or to replies). Labels add up; the first
        matching rule that assigns, or sets a priority, decides it.
      </p>
      {rules.length === 0 && <p class="muted">No rules: new tickets arrive without labels, unassigned, at normal priority.</p>}
      <ol class="rules">
        {rules.map((rule, index) => (
          <li key={index}>
            <RuleForm
              rule={rule}
              index={index}
              count={rules.length}
              team={team}
              desks={desks}
              problems={problems.get(index) ?? []}
              onChange={(next) => replace(index, next)}
              onMove={(by) => onChange(moveRule(rules, index, by), true)}
              onRemove={() =>
                onChange(
                  rules.filter((_, i) => i !== index),
                  true,
                )
              }
            />
          </li>
        ))}
      </ol>
      <datalist id="desk-addresses">
        {desks.map((desk) => (
          <option key={desk.id} value={desk.address}>
            {desk.name}
          </option>
        ))}
      </datalist>
      <div>
        <button type="button" class="small" onClick={() => onChange([...rules, newRule(rules)], true)}>
          Add rule
        </button>
      </div>
    </fieldset>
  );
}

interface RuleFormProps {
  readonly rule: IntakeRule;
  readonly index: number;
  readonly count: number;
  readonly team: readonly TeamMember[];
  readonly desks: readonly Desk[];
  readonly problems: readonly RuleProblem[];
  readonly onChange: (rule: IntakeRule) => void;
  readonly onMove: (by: -1 | 1) => void;
  readonly onRemove: () => void;
}

function RuleForm({ rule, index, count, team, desks, problems, onChange, onMove, onRemove }: RuleFormProps) {
  const id = (field: string) => `rule-${index}-${field}`;
  const invalid = (label: string) => (problems.some((p) => p.field === label) ? true : undefined);
  const mode = assignMode(rule);
  const condition = (key: RuleCondition, props: { list?: string; placeholder: string }) => (
    <div class="rule-field">
      <label for={id(key)}>{CONDITION_LABELS[key]}</label>
      <input
        id={id(key)}
        list={props.list}
        placeholder={props.placeholder}
        aria-invalid={invalid(CONDITION_LABELS[key])}
        value={rule.when[key] ?? ''}
        onInput={(event) => onChange(withCondition(rule, key, event.currentTarget.value))}
      />
    </div>
  );
  const verdict = (name: VerdictCondition) => (
    <div class="rule-field">
      <label for={id(name)}>{VERDICT_LABELS[name]}</label>
      <select
        id={id(name)}
        value={rule.when.verdicts?.[name] ?? ''}
        aria-invalid={invalid(VERDICT_LABELS[name])}
        onChange={(event) =>
          onChange(withVerdict(rule, name, event.currentTarget.value as NonNullable<IntakeRule['when']['verdicts']>[typeof name]))
        }
      >
        <option value="">any</option>
        {(name === 'spam' || name === 'virus' ? SES_VERDICTS.filter((v) => v !== 'FAIL') : AUTHENTICATION_RESULTS).map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
    </div>
  );
  // Someone the rule names who is no longer on the team still shows, so the agent sees why the save is refused.
  const members = (extra: readonly string[]) => [
    ...team.map((m) => m.email),
    ...extra.filter((email) => !team.some((m) => m.email === email)),
  ];
  return (
    <fieldset class={`rule${problems.length > 0 ? ' invalid' : ''}`} aria-label={`Rule ${index + 1}: ${rule.name}`}>
      <div class="rule-head">
        <span class="rule-number" aria-hidden="true">
          {index + 1}
        </span>
        <label for={id('name')} class="visually-hidden">
          Rule name
        </label>
        <input
          id={id('name')}
          class="rule-name"
          aria-invalid={invalid('Name')}
          value={rule.name}
          onInput={(event) => onChange({ ...rule, name: event.currentTarget.value })}
        />
        <button type="button" class="small" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move ${rule.name} up`}>
          ↑
        </button>
        <button type="button" class="small" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={`Move ${rule.name} down`}>
          ↓
        </button>
        <button type="button" class="small" onClick={onRemove}>
          Remove
        </button>
      </div>
      <p class="rule-summary">{describeRule(rule, team)}</p>
      {problems.length > 0 && (
        <ul class="callout warn rule-problems" role="alert" aria-label={`Problems with ${rule.name}`}>
          {problems.map((problem) => (
            <li key={`${problem.field}: ${problem.message}`}>
              <strong>{problem.field}</strong>: {problem.message}
            </li>
          ))}
        </ul>
      )}
      <div class="rule-columns">
        <div class="rule-when" role="group" aria-labelledby={id('when')}>
          <h3 id={id('when')}>When (every condition given must hold)</h3>
          {condition('to', { list: 'desk-addresses', placeholder: desks[0]?.address ?? 'support@example.com' })}
          {condition('subject', { placeholder: 'words, e.g. invoice' })}
          {condition('body', { placeholder: 'words, e.g. refund' })}
          {condition('fromAddress', { placeholder: 'ann@customer.example' })}
          {condition('fromDomain', { placeholder: 'customer.example' })}
          <div class="rule-field">
            <label for={id('authenticated')}>{AUTHENTICATED_LABEL}</label>
            <select
              id={id('authenticated')}
              value={rule.when.authenticated === undefined ? '' : String(rule.when.authenticated)}
              aria-invalid={invalid(AUTHENTICATED_LABEL)}
              onChange={(event) => {
                const value = event.currentTarget.value;
                onChange(withAuthenticated(rule, value === '' ? undefined : value === 'true'));
              }}
            >
              <option value="">either</option>
              <option value="true">yes: SES authenticated the sender</option>
              <option value="false">no: spoofed, or no SES verdicts</option>
            </select>
          </div>
          <p class="hint">
            Sender conditions match only mail whose sender SES authenticated (DMARC passed): anyone can write any address in From. Mail
            without SES verdicts (the local stack) never matches them.
          </p>
          <div class="rule-verdicts" role="group" aria-labelledby={id('verdicts')} aria-invalid={invalid('SES verdicts')}>
            <span id={id('verdicts')} class="label">
              SES verdicts
            </span>
            {verdict('spf')}
            {verdict('dkim')}
            {verdict('dmarc')}
            {verdict('spam')}
            {verdict('virus')}
          </div>
          <p class="hint">
            Each verdict must be exactly as SES wrote it on top of the mail; mail without it never matches. An SPF or DKIM pass may be for
            another domain than the one in From: to trust a sender, use the sender conditions or “{AUTHENTICATED_LABEL}”. Mail SES calls
            spam or a virus goes to spam, where no rule applies.
          </p>
        </div>
        <div class="rule-then" role="group" aria-labelledby={id('then')}>
          <h3 id={id('then')}>Then</h3>
          <LabelsInput
            id={id('labels')}
            labels={rule.then.labels ?? []}
            invalid={invalid('Add labels')}
            onChange={(labels) => {
              const { labels: _labels, ...then } = rule.then;
              onChange({ ...rule, then: labels.length > 0 ? { ...then, labels } : then });
            }}
          />
          <div class="rule-field">
            <label for={id('assign')}>Assign</label>
            <select
              id={id('assign')}
              value={mode}
              aria-invalid={invalid('Assign')}
              onChange={(event) => onChange(withAssignMode(rule, event.currentTarget.value as AssignMode, team))}
            >
              <option value="nobody">nobody</option>
              <option value="fixed">to a team member</option>
              <option value="round-robin">in turn (round-robin)</option>
            </select>
          </div>
          {mode === 'fixed' && (
            <div class="rule-field">
              <label for={id('assignee')}>Assign to</label>
              <select
                id={id('assignee')}
                value={rule.then.assignee ?? ''}
                aria-invalid={invalid('Assign to')}
                onChange={(event) => onChange({ ...rule, then: { ...rule.then, assignee: event.currentTarget.value } })}
              >
                {members(rule.then.assignee ? [rule.then.assignee] : []).map((email) => (
                  <option key={email} value={email}>
                    {agentName(team, email)}
                  </option>
                ))}
              </select>
            </div>
          )}
          {mode === 'round-robin' && (
            <div class="rule-field" role="group" aria-labelledby={id('rotation')} aria-invalid={invalid('Assign in turn')}>
              <span id={id('rotation')} class="label">
                Assign in turn among
              </span>
              {members(rule.then.roundRobin?.agents ?? []).map((email) => (
                <label key={email} class="toggle">
                  <input
                    type="checkbox"
                    checked={rule.then.roundRobin?.agents?.includes(email) ?? false}
                    onChange={(event) => onChange(withRotationMember(rule, email, event.currentTarget.checked, team))}
                  />
                  {agentName(team, email)}
                </label>
              ))}
              <p class="hint">Nobody ticked: the whole team, as it is when each ticket arrives.</p>
            </div>
          )}
          <div class="rule-field">
            <label for={id('priority')}>Priority</label>
            <select
              id={id('priority')}
              value={rule.then.priority ?? ''}
              aria-invalid={invalid('Priority')}
              onChange={(event) => {
                const { priority: _priority, ...then } = rule.then;
                const value = event.currentTarget.value as TicketPriority | '';
                onChange({ ...rule, then: value ? { ...then, priority: value } : then });
              }}
            >
              <option value="">leave as it is</option>
              {TICKET_PRIORITIES.map((priority) => (
                <option key={priority} value={priority}>
                  {priority}
                </option>
              ))}
            </select>
          </div>
          <label class="toggle">
            <input
              type="checkbox"
              checked={rule.then.skipAcknowledgement === true}
              onChange={(event) => {
                const { skipAcknowledgement: _skip, ...then } = rule.then;
                onChange({ ...rule, then: event.currentTarget.checked ? { ...then, skipAcknowledgement: true } : then });
              }}
            />
            Send the customer no acknowledgement
          </label>
        </div>
      </div>
    </fieldset>
  );
}

/** Comma-separated labels; the text stays as typed (a trailing comma included) while the rule gets the parsed list. */
function LabelsInput(props: { id: string; labels: readonly string[]; invalid: true | undefined; onChange: (labels: string[]) => void }) {
  const [text, setText] = useState(props.labels.join(', '));
  const shown = parseLabels(text).join('\n') === props.labels.join('\n') ? text : props.labels.join(', ');
  return (
    <div class="rule-field">
      <label for={props.id}>Add labels</label>
      <input
        id={props.id}
        placeholder="billing, vip"
        aria-invalid={props.invalid}
        value={shown}
        onInput={(event) => {
          setText(event.currentTarget.value);
          props.onChange(parseLabels(event.currentTarget.value));
        }}
      />
    </div>
  );
}
