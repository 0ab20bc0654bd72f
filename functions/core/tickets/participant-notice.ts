// core: the "you have been added" email to someone who joined a ticket (pure)
import type { NewDelivery } from '../ports';
import type { Authenticity, Mailbox, Ticket } from '../types';

export interface ParticipantNoticeFacts {
  /** The ticket before the person joined (its thread is what the notice answers). */
  readonly ticket: Ticket;
  readonly recipient: Mailbox;
  /** The message recording how they joined (an agent's note, or the email whose Cc named them). */
  readonly messageItemId: string;
  /** Who added them: an agent's name; null when they came in by Cc (the notice is then from the desk). */
  readonly authorName: string | null;
  readonly id: string;
  readonly at: string;
}

/**
 * The participant notice, the same whether an agent added the person or a participant's reply had them in Cc: it
 * carries a reply token and an unsubscribe link (added by notify), so they can take part or leave.
 */
export function participantNotice(facts: ParticipantNoticeFacts): NewDelivery {
  const { ticket } = facts;
  return {
    id: facts.id,
    kind: 'participant-added',
    ticketId: ticket.id,
    deskId: ticket.deskId,
    recipient: facts.recipient,
    messageItemId: facts.messageItemId,
    content: {
      ticketNumber: ticket.number,
      subject: ticket.subject,
      body: '',
      authorName: facts.authorName,
      inReplyTo: ticket.threadMessageIds.at(-1) ?? null,
      references: ticket.threadMessageIds,
      attachments: [],
    },
    createdAt: facts.at,
  };
}

/**
 * Notices to the people a new ticket's first mail had in To/Cc, who became its participants. Only when SES
 * authenticated the sender: anyone can write a first mail, and without that proof a stranger could make the desk mail
 * ten addresses of their choice with each message (a spam relay). Spam, and a ticket a team member forwarded in
 * (`sendsMail` false), mail nobody.
 */
export function firstMailNotices(facts: {
  readonly ticket: Ticket;
  readonly messageItemId: string;
  readonly authenticity: Authenticity;
  readonly sendsMail: boolean;
  readonly deliveryId: (purpose: string) => string;
  readonly at: string;
}): NewDelivery[] {
  if (!facts.sendsMail || facts.authenticity.verdict !== 'pass') return [];
  return facts.ticket.participants
    .filter((p) => p.role === 'cc')
    .map((person) =>
      participantNotice({
        ticket: facts.ticket,
        recipient: { address: person.address, name: person.name },
        messageItemId: facts.messageItemId,
        authorName: null,
        id: facts.deliveryId(`notice:${person.address}`),
        at: facts.at,
      }),
    );
}
