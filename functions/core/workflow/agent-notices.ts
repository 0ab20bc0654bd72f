// core: which team members are mailed about a change, and the delivery items that mail them (pure)
import { findTeamMember, type TeamMember } from '../config/desk-config';
import { idFor } from '../ids';
import { escapeMarkdown } from '../notify/templates';
import type { NewDelivery } from '../ports';
import type { DeskSettings } from '../settings/desk-settings';
import type { TokenKeys } from '../threading/reply-token';
import type { Ticket } from '../types';
import { DEFAULT_AGENT_PREFERENCES, type AgentPreferences } from './agent-preferences';
import type { NoticeKind } from './event-types';
import type { TableChange } from './table-change';

/** How much of a customer's words a notification quotes; the rest is on the ticket. */
const MAX_QUOTE_CHARS = 2_000;

export interface NoticeContext {
  /** The ticket as it is now (for a ticket change: after it). */
  readonly ticket: Ticket;
  readonly team: readonly TeamMember[];
  readonly notifyTeam: DeskSettings['notifyTeam'];
  /** Stored preferences by lowercased email; a member without any gets every notification. */
  readonly preferences: ReadonlyMap<string, AgentPreferences>;
}

/** One team member to mail about one change; `markdown` says what happened (customer text escaped). */
export interface AgentNotice {
  readonly kind: NoticeKind;
  readonly recipient: TeamMember;
  readonly markdown: string;
  /**
   * What the notice counts against for the rate limit (rate-limit.ts): `sender:<address>` for a customer's mail,
   * `held:<ticket id>` for held mail (its sender is unproven); null for an agent's action or a failed delivery.
   */
  readonly limitKey: string | null;
}

/**
 * Decides who on the team hears about a change, and what they are told.
 *
 * - A customer's new ticket: the team as the desk's `notifyTeam` says (everyone; nobody; everyone while it is
 *   unassigned), and its assignee when a rule assigned it.
 * - A customer's or participant's reply: the assignee.
 * - A held message: the assignee (or the team, as for a new ticket), told only that one awaits review: nothing of
 *   a message from an unproven sender is mailed on.
 * - An assignment: the new assignee, unless they made it themselves.
 * - A customer delivery that failed for good: the assignee.
 *
 * Never for spam tickets, bounces, complaints, auto-replies, agents' own messages, or anyone outside the team
 * (an assignee that is not a team member is not mailed), and never to someone who turned that kind off. Notices about
 * inbound mail carry a limit key (the sender, or the ticket for held mail): at send time each member gets at most a few an
 * hour per key (rate-limit.ts).
 * @example decideAgentNotices({ kind: 'message-added', source, message }, { ticket, team, notifyTeam: 'everyone', preferences: new Map() })
 */
export function decideAgentNotices(change: TableChange, context: NoticeContext): AgentNotice[] {
  const { ticket } = context;
  if (ticket.status === 'spam') return [];
  const number = `#${ticket.number}`;
  const candidates = ((): { kind: NoticeKind; emails: string[]; markdown: string; except?: string; limitKey?: string } | null => {
    switch (change.kind) {
      case 'message-added': {
        const { message } = change;
        if (message.direction !== 'inbound') return null;
        if (message.held) {
          const emails = ticket.assignee ? [ticket.assignee] : teamFor(context);
          return {
            kind: 'held-message',
            emails,
            markdown: `A held message awaits review on ticket ${number}.`,
            limitKey: `held:${ticket.id}`,
          };
        }
        if (message.classification && message.classification.kind !== 'normal') return null;
        const sender = escapeMarkdown(message.from.name ? `${message.from.name} <${message.from.address}>` : message.from.address);
        const words = quote(message.reply.trim() || message.text);
        // A ticket an agent moved out of a held message is the agent's doing, not a customer's new ticket.
        if (message.threadedBy === 'new-ticket' && !message.movedFrom) {
          return {
            kind: 'new-ticket',
            emails: teamFor(context),
            markdown: `New ticket ${number} from ${sender}: **${escapeMarkdown(ticket.subject)}**\n\n${words}`,
            // A team member who forwarded the customer's mail in knows of it already.
            except: message.forwardedBy?.address ?? message.from.address,
            limitKey: `sender:${message.from.address.toLowerCase()}`,
          };
        }
        if (message.threadedBy === 'new-ticket') return null;
        return {
          kind: 'customer-reply',
          emails: ticket.assignee ? [ticket.assignee] : [],
          markdown: `${sender} replied on ticket ${number}:\n\n${words}`,
          except: message.from.address,
          limitKey: `sender:${message.from.address.toLowerCase()}`,
        };
      }
      case 'ticket-changed': {
        const { before, after } = change;
        if (!after.assignee || after.assignee === before.assignee) return null;
        const by = (after.changedBy ? findTeamMember(context.team, after.changedBy)?.name : undefined) ?? after.changedBy ?? 'Someone';
        return {
          kind: 'assigned',
          emails: [after.assignee],
          markdown: `${escapeMarkdown(by)} assigned ticket ${number} to you.`,
          except: after.changedBy ?? undefined,
        };
      }
      case 'delivery-failed': {
        const { delivery } = change;
        // A notification that failed must not start a chain of notifications about itself.
        if (delivery.kind === 'agent-notice' || !ticket.assignee) return null;
        return {
          kind: 'delivery-failed',
          emails: [ticket.assignee],
          markdown: `Mail to ${escapeMarkdown(delivery.recipient.address)} on ticket ${number} could not be delivered: ${escapeMarkdown(delivery.lastError ?? 'unknown error')}`,
        };
      }
      case 'ticket-created':
        return null;
    }
  })();
  if (!candidates) return [];
  const except = candidates.except?.toLowerCase();
  const notices: AgentNotice[] = [];
  for (const email of new Set(candidates.emails.map((e) => e.toLowerCase()))) {
    const member = findTeamMember(context.team, email);
    if (!member || email === except) continue;
    const preferences = context.preferences.get(email) ?? DEFAULT_AGENT_PREFERENCES;
    if (!preferences[candidates.kind]) continue;
    notices.push({ kind: candidates.kind, recipient: member, markdown: candidates.markdown, limitKey: candidates.limitKey ?? null });
  }
  return notices;
}

/** The team members a ticket-wide notice goes to, by the desk's setting; always its assignee when there is one. */
function teamFor(context: NoticeContext): string[] {
  const { ticket, notifyTeam } = context;
  const everyone = notifyTeam === 'everyone' || (notifyTeam === 'unassigned' && !ticket.assignee);
  return everyone ? context.team.map((m) => m.email) : ticket.assignee ? [ticket.assignee] : [];
}

function quote(text: string): string {
  const chars = [...text.trim()];
  const cut = chars.length > MAX_QUOTE_CHARS ? `${chars.slice(0, MAX_QUOTE_CHARS).join('')}…` : chars.join('');
  return cut ? `> ${escapeMarkdown(cut).split('\n').join('\n> ')}` : '';
}

/**
 * The delivery items that mail the notices. Ids are derived from the change and the recipient, so a redelivered stream
 * record yields the same items (written only if new). Every notice of a ticket names one thread root in References, so
 * an agent's mail client keeps them in one conversation.
 */
export function noticeDeliveries(
  notices: readonly AgentNotice[],
  change: TableChange,
  ticket: Ticket,
  options: { readonly keys: TokenKeys; readonly domain: string; readonly now: string },
): NewDelivery[] {
  const root = noticeThreadId(ticket.id, options.domain);
  return notices.map((notice) => ({
    id: idFor(options.keys, `notice:${change.source}:${notice.kind}:${notice.recipient.email}`),
    kind: 'agent-notice',
    ticketId: ticket.id,
    deskId: ticket.deskId,
    recipient: { address: notice.recipient.email, name: notice.recipient.name },
    messageItemId: change.kind === 'message-added' ? change.message.id : '',
    content: {
      ticketNumber: ticket.number,
      subject: ticket.subject,
      body: notice.markdown,
      authorName: null,
      inReplyTo: root,
      references: [root],
      attachments: [],
    },
    createdAt: options.now,
    ...(notice.limitKey ? { noticeLimitKey: notice.limitKey } : {}),
  }));
}

/** The Message-ID every team notification of a ticket refers to: one thread per ticket in the agent's mail client. */
export function noticeThreadId(ticketId: string, domain: string): string {
  return `<agents.${ticketId}@${domain}>`;
}
