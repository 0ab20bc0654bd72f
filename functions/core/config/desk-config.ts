// core: the desk configuration file (`sesdesk.config.json`), shared by the local stack and the CDK app
import * as z from 'zod/mini';
import { WEBHOOK_EVENT_TYPES } from '../workflow/event-types';
import './zod-messages';

const address = z.string().check(z.trim(), z.toLowerCase(), z.email());

const deskSchema = z.object({
  /** Stable id used in keys and URLs, e.g. `support`. */
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'desk id: lowercase letters, digits and dashes, at most 31')),
  /** The address customers write to; replies use `<local>+<token>@<domain>`. */
  address,
  /** Shown to customers: `"<Agent> via <Desk name>" <address>`. */
  name: z.string().check(z.minLength(1), z.maxLength(255)),
});

const teamMemberSchema = z.object({
  email: address,
  name: z.string().check(z.minLength(1), z.maxLength(255)),
});

const webhookSchema = z.object({
  /** Where each event is POSTed (https in production; a Slack incoming-webhook URL with `format: "slack"`). */
  url: z.url({ protocol: /^https?$/, error: 'webhook url: an http(s) URL' }),
  /** Signs each body (`X-Sesdesk-Signature: sha256=<hex HMAC-SHA256>`); long enough not to be guessed. */
  secret: z.string().check(z.minLength(16, 'webhook secret: at least 16 characters')),
  /** The event types to send; all of them when absent. */
  events: z._default(z.array(z.enum(WEBHOOK_EVENT_TYPES)), [...WEBHOOK_EVENT_TYPES]),
  /** `json`: the event itself; `slack`: `{ text }` for a Slack incoming webhook. */
  format: z._default(z.enum(['json', 'slack']), 'json'),
  /** Only events of this desk; every desk when absent. */
  deskId: z.optional(z.string()),
});

export const deskConfigSchema = z
  .object({
    /** The mail domain SES receives for; every desk address must be on it. */
    domain: z.string().check(z.trim(), z.toLowerCase(), z.regex(/^[a-z0-9.-]+\.[a-z0-9-]+$/, 'domain: a DNS name like help.example.com')),
    desks: z.array(deskSchema).check(z.minLength(1, 'at least one desk is needed')),
    /** Team members who may sign in to the dashboard (locally; in AWS, Cognito users). */
    team: z.array(teamMemberSchema).check(z.minLength(1, 'at least one team member is needed')),
    /** Acknowledgements per customer address per day; stops ping-pong with broken auto-responders. */
    ackLimitPerDay: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(100)), 3),
    /**
     * Relayed participant replies per recipient address per day: a mail loop between participants (forwarding rules
     * that do not mark their mail as automatic) stops here instead of flooding everyone on the ticket.
     */
    relayLimitPerDay: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(1000)), 50),
    /** Public URL of the dashboard, used for links in outgoing mail. */
    dashboardUrl: z._default(z.url(), 'http://localhost:3000'),
    /** Endpoints told about every change (see docs/api.md "Webhooks"). */
    webhooks: z._default(z.array(webhookSchema), []),
  })
  .check(
    z.superRefine((config, ctx) => {
      const ids = new Set<string>();
      for (const [i, desk] of config.desks.entries()) {
        if (!desk.address.endsWith(`@${config.domain}`)) {
          ctx.addIssue({ code: 'custom', path: ['desks', i, 'address'], message: `must be on the domain ${config.domain}` });
        }
        if (desk.address.split('@')[0]!.includes('+')) {
          ctx.addIssue({ code: 'custom', path: ['desks', i, 'address'], message: 'must not contain "+" (it separates reply tokens)' });
        }
        if (ids.has(desk.id)) ctx.addIssue({ code: 'custom', path: ['desks', i, 'id'], message: `duplicate desk id ${desk.id}` });
        ids.add(desk.id);
      }
    }),
  );

export type DeskConfig = z.infer<typeof deskConfigSchema>;
export type Desk = DeskConfig['desks'][number];
export type TeamMember = DeskConfig['team'][number];
export type WebhookConfig = DeskConfig['webhooks'][number];

/** The configuration a fresh checkout runs with: one desk at `support@desk.localhost`. */
export const DEFAULT_DESK_CONFIG: DeskConfig = deskConfigSchema.parse({
  domain: 'desk.localhost',
  desks: [{ id: 'support', address: 'support@desk.localhost', name: 'Support' }],
  team: [{ email: 'agent@desk.localhost', name: 'Ada Agent' }],
});

/**
 * Validates a configuration object, failing with one line per problem a person can act on.
 * @throws Error listing every invalid field as `path: message`.
 */
export function parseDeskConfig(input: unknown, source = 'desk configuration'): DeskConfig {
  const result = deskConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`Invalid ${source}:\n${lines.join('\n')}`);
}

/**
 * The team member with this address (any case, surrounding spaces ignored), or undefined for anyone else. The
 * configuration stores addresses lowercased.
 */
export function findTeamMember<M extends { readonly email: string }>(team: readonly M[], address: string): M | undefined {
  const wanted = address.trim().toLowerCase();
  return team.find((m) => m.email === wanted);
}

/**
 * The team member with this address (any case), or the first one when no address is given.
 * @throws Error naming the team when the address is not in it
 */
export function teamMember(config: DeskConfig, email?: string): TeamMember {
  const wanted = email?.trim().toLowerCase();
  const member = wanted ? findTeamMember(config.team, wanted) : config.team[0];
  if (!member) throw new Error(`${wanted} is not in the team (${config.team.map((m) => m.email).join(', ')})`);
  return member;
}

/**
 * Reads a configuration from JSON text (a file's content or `DESK_CONFIG`), naming `source` in every error.
 * @throws Error when the text is not JSON, or listing every invalid field.
 */
export function parseDeskConfigJson(text: string, source: string): DeskConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseDeskConfig(json, source);
}

/** True for a desk's address and its `+anything` sub-addresses: mail from or to them is the desk's own. */
export function isDeskAddress(config: DeskConfig, address: string): boolean {
  return findDesk(config, address) !== undefined;
}

/** Finds the desk an address belongs to, ignoring a `+token` suffix. */
export function findDesk(config: DeskConfig, address: string): Desk | undefined {
  const [local = '', domain = ''] = address.toLowerCase().split('@');
  const base = `${local.split('+')[0]}@${domain}`;
  return config.desks.find((desk) => desk.address === base);
}
