// core: a ticket opened by an inbound email, and its acknowledgement (pure)
import { isDeskAddress, type Desk, type DeskConfig } from '../config/desk-config';
import { newId, normalizeMessageId } from '../ids';
import type { NewDelivery } from '../ports';
import type { Mailbox, ParsedMail, Participant, Ticket, TicketMessage, TicketStatus } from '../types';
import { previewOf } from './preview';

/** GitLab's limit, for the same reason: a Cc list is not a mailing list. */
export const MAX_PARTICIPANTS = 10;
/** References of an acknowledgement: the customer's chain, newest last, within a header's reach. */
const ACK_REFERENCES = 10;

export interface NewTicketFacts {
  readonly mail: ParsedMail;
  readonly desk: Desk;
  readonly config: DeskConfig;
  readonly id: string;
  readonly number: number;
  readonly status: TicketStatus;
  readonly at: string;
  readonly message: TicketMessage;
}

/**
 * The ticket an inbound email opens: the requester (Reply-To when set, else From) and the other people in
 * To/Cc as participants, never a desk address, at most {@link MAX_PARTICIPANTS}.
 */
export function newTicketFromMail(facts: NewTicketFacts): Ticket {
  const { mail, desk, config } = facts;
  const requester = requesterOf(mail, config);
  const participants: Participant[] = [{ ...requester, role: 'requester', unsubscribed: false }];
  for (const cc of [...mail.cc, ...mail.to]) {
    const address = cc.address.toLowerCase();
    if (!address || isDeskAddress(config, address) || participants.some((p) => p.address === address)) continue;
    if (participants.length >= MAX_PARTICIPANTS) break;
    participants.push({ address, name: cc.name, role: 'cc', unsubscribed: false });
  }
  return openedTicket({ ...facts, deskId: desk.id, subject: mail.subject, requester, participants });
}

/**
 * A ticket as it is opened by its first message: nobody assigned, no labels, normal priority, the message's
 * Message-ID the start of its thread. Shared by mail that opens a ticket and a held message an agent moves.
 */
export function openedTicket(
  facts: Pick<Ticket, 'id' | 'deskId' | 'number' | 'subject' | 'status' | 'requester' | 'participants'> & {
    readonly at: string;
    readonly message: TicketMessage;
  },
): Ticket {
  return {
    id: facts.id,
    deskId: facts.deskId,
    number: facts.number,
    subject: facts.subject.trim() || '(no subject)',
    status: facts.status,
    requester: facts.requester,
    participants: facts.participants,
    assignee: null,
    labels: [],
    priority: 'normal',
    createdAt: facts.at,
    updatedAt: facts.at,
    messageCount: 1,
    threadMessageIds: [normalizeMessageId(facts.message.messageId)],
    preview: previewOf(facts.message),
    version: 0,
  };
}

/**
 * Who the desk answers: Reply-To when the sender set one (lists, web forms), else From. A Reply-To naming the desk
 * itself (any `+sub-address` of it) is passed over: the desk must never become its own customer.
 */
export function requesterOf(mail: ParsedMail, config: DeskConfig): Mailbox {
  const replyTo = mail.replyTo.find((m) => m.address.includes('@') && !isDeskAddress(config, m.address));
  const who = replyTo ?? mail.from;
  return { address: who.address.toLowerCase(), name: who.name || mail.from.name };
}

/** The acknowledgement of a new ticket, answering the customer's mail in its own thread; null when there is nobody to answer. */
export function acknowledgement(
  ticket: Ticket,
  message: TicketMessage,
  mail: Pick<ParsedMail, 'messageId' | 'references'>,
  at: string,
): NewDelivery | null {
  if (!ticket.requester.address.includes('@')) return null;
  return {
    id: newId(),
    kind: 'ack',
    ticketId: ticket.id,
    deskId: ticket.deskId,
    recipient: ticket.requester,
    messageItemId: message.id,
    content: {
      ticketNumber: ticket.number,
      subject: ticket.subject,
      body: message.reply,
      authorName: null,
      inReplyTo: normalizeMessageId(mail.messageId),
      references: [...mail.references.map(normalizeMessageId), normalizeMessageId(mail.messageId)].slice(-ACK_REFERENCES),
      attachments: [],
    },
    createdAt: at,
  };
}
