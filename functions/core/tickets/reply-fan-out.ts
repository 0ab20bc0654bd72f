// core: what a participant's emailed reply does beyond the thread: relays to the others, Cc'd people added (pure)
import { isDeskAddress, type DeskConfig } from '../config/desk-config';
import { normalizeMessageId } from '../ids';
import type { NewDelivery } from '../ports';
import type { DeskSettings } from '../settings/desk-settings';
import { untrustedBecause } from '../threading/sender-trust';
import type { Authenticity, Mailbox, ParsedMail, Participant, Ticket, TicketMessage } from '../types';
import { MAX_PARTICIPANTS } from './new-ticket';
import { participantNotice } from './participant-notice';
import { replyRecipients } from './recipients';

export interface ReplyFanOutFacts {
  /** The ticket before the reply. */
  readonly before: Ticket;
  /** The ticket after the reply as threading left it (its thread ids include the reply). */
  readonly after: Ticket;
  readonly mail: Pick<ParsedMail, 'from' | 'replyTo' | 'to' | 'cc' | 'classification'>;
  /** The stored reply (not held: held mail never comes here). */
  readonly message: TicketMessage;
  readonly authenticity: Authenticity;
  readonly settings: Pick<DeskSettings, 'relay' | 'ccOnReplies'>;
  readonly config: DeskConfig;
  /** Delivery ids derived from the stored email, so a redelivered event builds the same items. */
  readonly deliveryId: (purpose: string) => string;
  readonly at: string;
}

export interface ReplyFanOut {
  /** People the reply's To/Cc added to the ticket (role `cc`). */
  readonly added: readonly Participant[];
  /** One relay per other person on the ticket, one notice per person added. */
  readonly deliveries: readonly NewDelivery[];
  /** Why nothing fanned out, for the log; null when the sender was trusted. */
  readonly skipped: string | null;
}

/**
 * Decides what a reply threaded onto a ticket sends and adds. Only a trusted sender fans out: the requester or a
 * participant whose mail SES did not find spoofed (`untrustedBecause`), writing a normal mail (no auto-reply). Then:
 *
 * - with `ccOnReplies: 'add'`, every new address in To/Cc (not a desk address, not on the ticket) becomes a participant,
 *   up to {@link MAX_PARTICIPANTS}, and gets the participant notice;
 * - with `relay` on, everyone else on the ticket who has not unsubscribed gets the reply as a `relay`, except its
 *   author (From and Reply-To) and whoever the mail itself was addressed to (they have it already).
 *
 * A reply token alone does not make its user trusted here: someone the customer forwarded our mail to threads into the
 * ticket, but neither reaches its people nor adds anyone.
 * @example replyFanOut({ before, after, mail, message, authenticity, settings, config, deliveryId, at }).deliveries
 */
export function replyFanOut(facts: ReplyFanOutFacts): ReplyFanOut {
  const { before, mail, config } = facts;
  const untrusted = fanOutBlockedBecause(before, mail, facts.authenticity);
  if (untrusted !== null) return { added: [], deliveries: [], skipped: untrusted };

  const added = facts.settings.ccOnReplies === 'add' ? newParticipants(before, [...mail.to, ...mail.cc], config) : [];
  const notices = added.map((person) =>
    participantNotice({
      ticket: facts.after,
      recipient: { address: person.address, name: person.name },
      messageItemId: facts.message.id,
      authorName: null,
      id: facts.deliveryId(`notice:${person.address}`),
      at: facts.at,
    }),
  );

  const reached = new Set([mail.from, ...mail.replyTo, ...mail.to, ...mail.cc].map((m) => m.address.trim().toLowerCase()));
  const others = facts.settings.relay ? replyRecipients(before, config).filter((r) => !reached.has(r.address)) : [];
  const author = mail.from.name.trim() || mail.from.address;
  const relays = others.map((recipient): NewDelivery => ({
    id: facts.deliveryId(`relay:${recipient.address}`),
    kind: 'relay',
    ticketId: before.id,
    deskId: before.deskId,
    recipient,
    messageItemId: facts.message.id,
    content: {
      ticketNumber: before.number,
      subject: before.subject,
      body: facts.message.reply,
      authorName: author,
      inReplyTo: normalizeMessageId(facts.message.messageId),
      references: facts.after.threadMessageIds,
      // Quarantined parts are never sent on; pasted (inline) images go along as files, since the relay carries the text.
      attachments: facts.message.attachments.filter((a) => a.quarantined !== true),
    },
    createdAt: facts.at,
  }));
  return { added, deliveries: [...relays, ...notices], skipped: null };
}

/** Why a reply may neither relay nor add anyone, or null when its sender is trusted on the ticket and it is a person's mail. */
export function fanOutBlockedBecause(
  ticket: Ticket,
  mail: Pick<ParsedMail, 'from' | 'classification'>,
  authenticity: Authenticity,
): string | null {
  if (mail.classification.kind !== 'normal') return `not a person's reply (${mail.classification.reason})`;
  return untrustedBecause(ticket, mail.from.address, authenticity);
}

/** New people from a reply's To/Cc, in order, never a desk address or someone on the ticket, within the cap. */
function newParticipants(ticket: Ticket, named: readonly Mailbox[], config: DeskConfig): Participant[] {
  const onTicket = new Set([ticket.requester.address, ...ticket.participants.map((p) => p.address)].map((a) => a.toLowerCase()));
  const added: Participant[] = [];
  for (const person of named) {
    const address = person.address.trim().toLowerCase();
    if (!address.includes('@') || onTicket.has(address) || isDeskAddress(config, address)) continue;
    if (ticket.participants.length + added.length >= MAX_PARTICIPANTS) break;
    onTicket.add(address);
    added.push({ address, name: person.name, role: 'cc', unsubscribed: false });
  }
  return added;
}
