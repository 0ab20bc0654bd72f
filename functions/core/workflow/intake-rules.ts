// core: intake rules: what a desk does with a new ticket (labels, assignee, priority, no acknowledgement), decided at ingest
import * as z from 'zod/mini';
import '../config/zod-messages';
import { findTeamMember, type TeamMember } from '../config/desk-config';
import { InvalidInputError } from '../errors';
import { AUTHENTICATION_RESULTS, SES_VERDICTS, TICKET_PRIORITIES, type Authenticity, type ParsedMail, type TicketPriority } from '../types';

const words = z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200)));

// Either case is taken and stored as ingest reads the header, so `"spf": "PASS"` means what it says.
const authenticationResult = z.optional(z.pipe(z.string().check(z.trim(), z.toLowerCase()), z.enum(AUTHENTICATION_RESULTS)));
const sesVerdict = z.optional(z.pipe(z.string().check(z.trim(), z.toUpperCase()), z.enum(SES_VERDICTS)));

export const intakeRuleSchema = z.strictObject({
  /** Shown in logs and on the settings page. */
  name: z.string().check(z.trim(), z.minLength(1, 'rule name must not be empty'), z.maxLength(100)),
  /** Every condition given must hold; a rule with none matches every new ticket. */
  when: z.strictObject({
    /** A recipient address (To, Cc, or the envelope), e.g. `billing@help.example.com`. */
    to: z.optional(z.string().check(z.trim(), z.toLowerCase(), z.email())),
    /** The sender's address: only when SES authenticated the sender (a From line proves nothing). */
    fromAddress: z.optional(z.string().check(z.trim(), z.toLowerCase(), z.email())),
    /** The sender's domain: only when SES authenticated the sender. */
    fromDomain: z.optional(
      z.string().check(z.trim(), z.toLowerCase(), z.regex(/^[a-z0-9.-]+\.[a-z0-9-]+$/, 'fromDomain: a domain like example.com')),
    ),
    /** Words the subject contains (case-insensitive). */
    subject: words,
    /** Words the body contains (case-insensitive). */
    body: words,
    /** `true`: SES authenticated the sender (`senderAuthenticity` says `pass`); `false`: it did not (spoofed, or no verdicts). */
    authenticated: z.optional(z.boolean()),
    /**
     * SES's verdicts as it wrote them on top of the stored mail, each exactly: `spf`, `dkim`, `dmarc` (`pass`, `fail`,
     * `none`…) and `spam`, `virus` (`PASS`, `GRAY`…). Mail without that verdict (the local stack has no SPF, DKIM or
     * DMARC) does not match. An SPF or DKIM pass alone says nothing about the From address: use `authenticated` for that.
     */
    verdicts: z.optional(
      z.strictObject({
        spf: authenticationResult,
        dkim: authenticationResult,
        dmarc: authenticationResult,
        spam: sesVerdict,
        virus: sesVerdict,
      }),
    ),
  }),
  then: z.strictObject({
    labels: z.optional(z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(50))).check(z.maxLength(20))),
    /** A team member's email. */
    assignee: z.optional(z.string().check(z.trim(), z.toLowerCase(), z.email())),
    /** Assign in turn among these team members' emails (`{}`: the whole team); instead of `assignee`. */
    roundRobin: z.optional(
      z.strictObject({
        agents: z.optional(z.array(z.string().check(z.trim(), z.toLowerCase(), z.email())).check(z.minLength(1), z.maxLength(100))),
      }),
    ),
    priority: z.optional(z.enum(TICKET_PRIORITIES as [TicketPriority, ...TicketPriority[]])),
    /** No acknowledgement for tickets this rule matches. */
    skipAcknowledgement: z.optional(z.boolean()),
  }),
});

export type IntakeRule = z.infer<typeof intakeRuleSchema>;
/** The SES verdicts a rule can require. */
export type VerdictCondition = keyof NonNullable<IntakeRule['when']['verdicts']>;

/** A rule's rotation: its name (which keys its turn counter) and its agents (null: the whole team). */
export interface RoundRobinChoice {
  readonly rule: string;
  readonly agents: readonly string[] | null;
}

/** What the rules decided for one new ticket. */
export interface IntakeDecision {
  readonly labels: string[];
  readonly assignee: string | null;
  /** The rule that assigns in turn, when it is the first match that assigns (the repository counts its turns). */
  readonly roundRobin: RoundRobinChoice | null;
  readonly priority: TicketPriority | null;
  readonly skipAcknowledgement: boolean;
  /** Names of the rules that matched, in order. */
  readonly matched: string[];
}

/**
 * Applies a desk's rules to a new ticket's mail, in order: labels add up; the first matching rule that sets an
 * assignee (or a round-robin) or a priority decides it; any match may skip the acknowledgement. Conditions on the sender hold only when
 * SES authenticated the sender (`authenticity.verdict === 'pass'`), so nobody gets a rule's treatment by writing
 * someone else's address in From. Verdict conditions read `mail.authentication` and `mail.verdicts`, which hold only
 * what SES prepended (a sender's own copies are ignored at parsing); a verdict the mail lacks never matches.
 * @example decideIntake(rules, { mail, authenticity })
 */
export function decideIntake(
  rules: readonly IntakeRule[],
  facts: { readonly mail: ParsedMail; readonly authenticity: Authenticity },
): IntakeDecision {
  const { mail } = facts;
  const sender = mail.from.address.toLowerCase();
  const proven = facts.authenticity.verdict === 'pass';
  const recipients = new Set(
    [...mail.to, ...mail.cc].map((m) => m.address.toLowerCase()).concat(mail.envelopeRecipients.map((a) => a.toLowerCase())),
  );
  const labels: string[] = [];
  let assignee: string | null = null;
  let roundRobin: RoundRobinChoice | null = null;
  let priority: TicketPriority | null = null;
  let skipAcknowledgement = false;
  const matched: string[] = [];
  for (const rule of rules) {
    const { when } = rule;
    const holds =
      (!when.to || recipients.has(when.to)) &&
      (!when.fromAddress || (proven && sender === when.fromAddress)) &&
      (!when.fromDomain || (proven && (sender.endsWith(`@${when.fromDomain}`) || sender.endsWith(`.${when.fromDomain}`)))) &&
      (!when.subject || mail.subject.toLowerCase().includes(when.subject.toLowerCase())) &&
      (!when.body || mail.text.toLowerCase().includes(when.body.toLowerCase())) &&
      (when.authenticated === undefined || when.authenticated === proven) &&
      verdictsHold(when.verdicts, mail);
    if (!holds) continue;
    matched.push(rule.name);
    for (const label of rule.then.labels ?? []) if (!labels.includes(label)) labels.push(label);
    if (assignee === null && roundRobin === null) {
      assignee = rule.then.assignee ?? null;
      if (!assignee && rule.then.roundRobin) roundRobin = { rule: rule.name, agents: rule.then.roundRobin.agents ?? null };
    }
    priority ??= rule.then.priority ?? null;
    skipAcknowledgement ||= rule.then.skipAcknowledgement === true;
  }
  return { labels, assignee, roundRobin, priority, skipAcknowledgement, matched };
}

/** True when the mail carries every verdict the rule names, each as the rule names it. */
function verdictsHold(wanted: IntakeRule['when']['verdicts'], mail: ParsedMail): boolean {
  if (!wanted) return true;
  const { spf, dkim, dmarc } = mail.authentication;
  const { spam, virus } = mail.verdicts;
  const actual: Record<VerdictCondition, string | null> = { spf, dkim, dmarc, spam, virus };
  return Object.entries(wanted).every(([name, value]) => value === undefined || actual[name as VerdictCondition] === value);
}

/** The agents a rotation takes turns among: those it names that are still on the team, or the whole team. */
export function roundRobinAgents(choice: RoundRobinChoice, team: readonly TeamMember[]): string[] {
  const members = team.map((m) => m.email.toLowerCase());
  return choice.agents ? choice.agents.filter((a) => members.includes(a)) : members;
}

/**
 * The agent whose turn `turn` is (turns count from 1, as the repository's counter does): agent 1, 2, …, n, 1, ….
 * @example roundRobinAssignee(['a@x', 'b@x'], 3) // → 'a@x'
 */
export function roundRobinAssignee(agents: readonly string[], turn: number): string | null {
  if (agents.length === 0 || !Number.isSafeInteger(turn) || turn < 1) return null;
  return agents[(turn - 1) % agents.length] ?? null;
}

/**
 * Refuses rules that assign to someone outside the team (nobody would own the ticket), rules that both assign and
 * rotate, two rotating rules of one name (the name keys the rotation's counter), and conditions that can never hold
 * (a spam or virus `FAIL`: such mail goes to spam untreated; an unauthenticated sender named by address or domain).
 * @throws InvalidInputError naming the rule and the field.
 */
export function checkIntakeRules(rules: readonly IntakeRule[], team: readonly TeamMember[]): void {
  const notMember = (email: string) => !findTeamMember(team, email);
  const rotating = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    const { when } = rule;
    for (const name of ['spam', 'virus'] as const) {
      if (when.verdicts?.[name] === 'FAIL') {
        throw new InvalidInputError(
          `rules.${i}.when.verdicts.${name}: FAIL never reaches the rules: such mail goes to spam, untreated (rule "${rule.name}")`,
        );
      }
    }
    if (when.authenticated === false && (when.fromAddress || when.fromDomain)) {
      throw new InvalidInputError(
        `rules.${i}.when.authenticated: false never holds with a sender address or domain, which match only authenticated senders (rule "${rule.name}")`,
      );
    }
    const { assignee, roundRobin } = rule.then;
    if (assignee && notMember(assignee)) {
      throw new InvalidInputError(`rules.${i}.then.assignee: ${assignee} is not a member of the team (rule "${rule.name}")`);
    }
    if (!roundRobin) continue;
    if (assignee) throw new InvalidInputError(`rules.${i}.then: give assignee or roundRobin, not both (rule "${rule.name}")`);
    const outsider = roundRobin.agents?.find(notMember);
    if (outsider) {
      throw new InvalidInputError(`rules.${i}.then.roundRobin.agents: ${outsider} is not a member of the team (rule "${rule.name}")`);
    }
    if (rotating.has(rule.name)) throw new InvalidInputError(`rules.${i}.name: two round-robin rules are named "${rule.name}"`);
    rotating.add(rule.name);
  }
}
