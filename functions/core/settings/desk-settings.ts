// core: per-desk settings (email templates and options), stored in the desk's SETTINGS item and edited through the API
import * as z from 'zod/mini';
import '../config/zod-messages';
import type { Desk } from '../config/desk-config';
import { intakeRuleSchema } from '../workflow/intake-rules';
import { withoutReplyMarks } from '../notify/subject-line';

/** Keeps a template small enough for the settings item and readable in an email. */
const MAX_SUBJECT = 500;
const MAX_BODY = 20_000;
/**
 * 2: subjects are sent as written. Settings saved before (without a version) had `Re: ` put in front of their
 * subjects and the ticket tag after them; they are read with both written in, so they keep sending what they sent.
 */
export const TEMPLATE_VERSION = 2;
/** The reply subject every default template uses: the customer's subject as a reply, tagged with the ticket. */
const REPLY_SUBJECT = 'Re: {{ticket.subject}} [#{{ticket.number}}]';

const templateSchema = z.object({
  /** Markdown-free subject line with placeholders, e.g. `{{ticket.subject}}`. */
  subject: z.string().check(z.trim(), z.minLength(1, 'subject must not be empty'), z.maxLength(MAX_SUBJECT)),
  /** Markdown body with placeholders (`{{note.text}}`, `{{unsubscribe.url}}`, …). */
  body: z.string().check(z.minLength(1, 'body must not be empty'), z.maxLength(MAX_BODY)),
});

/** Validates settings coming from the API or the table; unknown fields are dropped. */
export const deskSettingsSchema = z.object({
  deskId: z.string().check(z.minLength(1)),
  templates: z.object({
    /** Sent to the requester when a ticket is opened. */
    ack: templateSchema,
    /** Sent to each participant when an agent replies publicly. */
    reply: templateSchema,
    /** Sent to someone an agent adds to the ticket. */
    participantAdded: templateSchema,
    /** Sent to the other people on a ticket when the requester or a participant replies by email. */
    relay: templateSchema,
  }),
  /** False turns acknowledgements off for the desk (they are then recorded as suppressed). */
  ackEnabled: z._default(z.boolean(), true),
  templateVersion: z._default(z.number().check(z.int()), TEMPLATE_VERSION),
  /**
   * Mail that matches a ticket only by Message-ID or subject tag from someone not on it (or spoofed): `hold` it on that
   * ticket for an agent to accept or move, or open a `new-ticket` for it.
   */
  strangers: z._default(z.enum(['hold', 'new-ticket']), 'hold'),
  /** Whom a new ticket is mailed to: the whole team, nobody, or the whole team only while it is unassigned. */
  notifyTeam: z._default(z.enum(['everyone', 'nobody', 'unassigned']), 'everyone'),
  /** Intake rules applied, in order, to each new ticket at ingest (see core/workflow/intake-rules.ts). */
  rules: z._default(z.array(intakeRuleSchema).check(z.maxLength(50)), []),
  /** True relays a trusted participant's emailed reply to everyone else on the ticket (GitLab relays every public comment). */
  relay: z._default(z.boolean(), true),
  /** New addresses in To/Cc of a trusted participant's reply: `add` them as participants (with a notice), or `ignore` them. */
  ccOnReplies: z._default(z.enum(['add', 'ignore']), 'add'),
  updatedAt: z._default(z.nullable(z.string()), null),
});

export type DeskSettings = z.infer<typeof deskSettingsSchema>;
export type DeskTemplate = DeskSettings['templates']['ack'];
export type TemplateName = keyof DeskSettings['templates'];

/** Placeholders templates can use (the acknowledgement all but `unsubscribe.url`); saving refuses any other. */
export const TEMPLATE_PLACEHOLDERS = [
  'ticket.number',
  'ticket.subject',
  'note.text',
  'agent.name',
  'desk.name',
  'customer.name',
  'customer.firstName',
  'unsubscribe.url',
  'ticket.url',
  'author.name',
] as const;

/**
 * The settings a desk has until someone edits them: a short acknowledgement that repeats nothing the
 * customer wrote, replies that carry the agent's text, and a participant notice with its unsubscribe link.
 * @example defaultDeskSettings({ id: 'support', address: 'support@x.example', name: 'Support' }).templates.ack.subject
 */
export function defaultDeskSettings(desk: Pick<Desk, 'id'>): DeskSettings {
  return {
    deskId: desk.id,
    templates: {
      ack: {
        subject: REPLY_SUBJECT,
        body: [
          'Hello,',
          '',
          'Thank you for contacting {{desk.name}}. We received your request and are tracking it as **ticket #{{ticket.number}}**.',
          '',
          'We will reply as soon as we can. To add anything, just reply to this email and keep `[#{{ticket.number}}]` in the subject.',
          '',
          '{{desk.name}}',
        ].join('\n'),
      },
      reply: {
        subject: REPLY_SUBJECT,
        body: ['{{note.text}}', '', '---', '', 'Reply to this email to answer. [Unsubscribe from this ticket]({{unsubscribe.url}})'].join(
          '\n',
        ),
      },
      participantAdded: {
        subject: REPLY_SUBJECT,
        body: [
          'Hello,',
          '',
          'You have been added to ticket #{{ticket.number}} at {{desk.name}}.',
          '',
          'Reply to this email to take part in the conversation; everyone on the ticket will see your reply.',
          '',
          'Not for you? [Unsubscribe from this ticket]({{unsubscribe.url}}). Someone would have to add you again.',
        ].join('\n'),
      },
      relay: {
        subject: REPLY_SUBJECT,
        body: [
          '{{author.name}} wrote:',
          '',
          '{{note.text}}',
          '',
          '---',
          '',
          'Reply to this email to answer; everyone on the ticket will see your reply. [Unsubscribe from this ticket]({{unsubscribe.url}})',
        ].join('\n'),
      },
    },
    ackEnabled: true,
    templateVersion: TEMPLATE_VERSION,
    strangers: 'hold',
    notifyTeam: 'everyone',
    rules: [],
    relay: true,
    ccOnReplies: 'add',
    updatedAt: null,
  };
}

/** A subject saved before {@link TEMPLATE_VERSION} 2, with the `Re: ` and ticket tag the desk used to add written in. */
function asWrittenSubject(legacy: unknown): unknown {
  if (typeof legacy !== 'string') return legacy;
  const bare = withoutReplyMarks(legacy, '[#{{ticket.number}}]');
  return bare ? `Re: ${bare} [#{{ticket.number}}]` : 'Re: [#{{ticket.number}}]';
}

/**
 * Reads a stored settings object, falling back to the defaults for anything missing, so a settings item written
 * by an older version still works (and one saved before {@link TEMPLATE_VERSION} 2 keeps its subjects' wording).
 * @throws zod's `$ZodError` when a present field is invalid.
 */
export function parseDeskSettings(desk: Pick<Desk, 'id'>, input: unknown): DeskSettings {
  const defaults = defaultDeskSettings(desk);
  const given = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  let templates = (typeof given.templates === 'object' && given.templates !== null ? given.templates : {}) as Record<string, unknown>;
  if (typeof given.templateVersion !== 'number' || given.templateVersion < TEMPLATE_VERSION) {
    templates = Object.fromEntries(
      Object.entries(templates).map(([name, template]) => [
        name,
        typeof template === 'object' && template !== null
          ? { ...template, subject: asWrittenSubject((template as { subject?: unknown }).subject) }
          : template,
      ]),
    );
  }
  return deskSettingsSchema.parse({
    ...defaults,
    ...given,
    deskId: desk.id,
    templates: { ...defaults.templates, ...templates },
    templateVersion: TEMPLATE_VERSION,
  });
}

/**
 * Reads settings a person submitted: their subjects are taken as written, whatever version the request names.
 * @throws zod's `$ZodError` when a present field is invalid.
 */
export function parseSubmittedDeskSettings(desk: Pick<Desk, 'id'>, input: unknown): DeskSettings {
  const given = typeof input === 'object' && input !== null ? input : {};
  return parseDeskSettings(desk, { ...given, templateVersion: TEMPLATE_VERSION });
}
