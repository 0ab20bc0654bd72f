// core: use case: an agent opens a ticket to a customer (the desk starts the conversation)
import { InvalidInputError } from '../errors';
import { newId } from '../ids';
import type { NewDelivery } from '../ports';
import { MAX_PARTICIPANTS, openedTicket } from '../tickets/new-ticket';
import { deskTicketTerms } from '../search/search-terms';
import { replyRecipients } from '../tickets/recipients';
import type { Mailbox, Participant, StoredAttachment, Ticket } from '../types';
import { isDeskAddress } from '../config/desk-config';
import { agentMessage, type UploadedAttachment } from './agent-messages';
import type { ApiDeps } from './api-ports';
import type { Agent } from './auth';
import { attachUploads } from './files';

export interface NewDeskTicketInput {
  readonly deskId: string;
  /** The customer: the ticket's requester. */
  readonly to: Mailbox;
  /** Further people on the conversation (participants, role `cc`). */
  readonly cc: readonly Mailbox[];
  readonly subject: string;
  /** Markdown: the first message, emailed as an answer. */
  readonly body: string;
  readonly attachments: readonly UploadedAttachment[];
}

/**
 * Opens a ticket the desk starts (GitLab's `/convert_to_ticket`): the customer is the requester, the Cc'd people
 * participants, the agent's Markdown the first message, emailed to each of them as an answer with its own reply token
 * (a customer's reply threads by it). The ticket is `pending` (waiting for the customer) and assigned to the agent.
 * @throws InvalidInputError for an unknown desk, a desk address as a recipient, more people than a ticket takes, or an
 *   uploaded file that is gone.
 * @example await openTicketFromDesk(deps, agent, { deskId: 'support', to: { address: 'ann@x.example', name: '' }, cc: [], subject: 'Your order', body: 'Hi Ann', attachments: [] })
 */
export async function openTicketFromDesk(deps: ApiDeps, agent: Agent, input: NewDeskTicketInput): Promise<Ticket> {
  const desk = deps.config.desks.find((d) => d.id === input.deskId) ?? null;
  if (!desk) throw new InvalidInputError(`deskId: no desk ${input.deskId}`);
  const people = [input.to, ...input.cc].map((m) => ({ address: m.address.trim().toLowerCase(), name: m.name.trim() }));
  const desky = people.find((m) => isDeskAddress(deps.config, m.address));
  if (desky) throw new InvalidInputError(`to: ${desky.address} is a desk address`);
  const unique = people.filter((m, i) => people.findIndex((o) => o.address === m.address) === i);
  if (unique.length > MAX_PARTICIPANTS) throw new InvalidInputError(`cc: a ticket takes at most ${MAX_PARTICIPANTS} people`);
  const [requester, ...cc] = unique as [Mailbox, ...Mailbox[]];
  const participants: Participant[] = [
    { ...requester, role: 'requester', unsubscribed: false },
    ...cc.map((m): Participant => ({ ...m, role: 'cc', unsubscribed: false })),
  ];

  const number = await deps.tickets.nextTicketNumber(desk.id);
  const at = deps.clock().toISOString();
  const id = newId();
  const draft = agentMessage({ id, subject: input.subject }, desk, deps.config, agent, {
    direction: 'outbound',
    text: input.body,
    to: unique,
    attachments: [],
    createdAt: at,
  });
  // As for a reply: staged uploads expire, so the message keeps its own copies (and a vanished upload is a 400).
  const attachments: StoredAttachment[] = await attachUploads(deps, id, draft.id, input.attachments);
  const message = { ...draft, attachments };
  const ticket: Ticket = {
    ...openedTicket({ id, deskId: desk.id, number, subject: input.subject, status: 'pending', requester, participants, at, message }),
    assignee: agent.email.toLowerCase(),
  };
  // The first email answers nothing: no In-Reply-To, and its subject carries no "Re:".
  const deliveries: NewDelivery[] = replyRecipients(ticket, deps.config).map((recipient) => ({
    id: newId(),
    kind: 'reply',
    ticketId: id,
    deskId: desk.id,
    recipient,
    messageItemId: message.id,
    content: {
      ticketNumber: number,
      subject: ticket.subject,
      body: input.body,
      authorName: agent.name,
      inReplyTo: null,
      references: [],
      attachments,
    },
    createdAt: at,
  }));
  await deps.desk.createTicket({ ticket, message, deliveries, terms: deskTicketTerms(ticket, input.body) });
  deps.log.info('ticket opened by the desk', { ticketId: id, number, by: agent.email, deliveries: deliveries.length });
  return ticket;
}
