// core: use case: an agent answers a ticket publicly (emailed to its people) or writes an internal note
import type { Desk, DeskConfig } from '../config/desk-config';
import { ConcurrentUpdateError, NotFoundError } from '../errors';
import { newId } from '../ids';
import type { DeliveryContent, NewDelivery } from '../ports';
import { replyRecipients } from '../tickets/recipients';
import { ticketAfterMessage } from '../tickets/ticket-activity';
import type { Mailbox, StoredAttachment, Ticket, TicketMessage, TicketStatus } from '../types';
import type { ApiDeps } from './api-ports';
import type { Agent } from './auth';
import { attachUploads } from './files';

/** A file the dashboard uploaded first (presigned PUT), referenced by its key. */
export interface UploadedAttachment {
  readonly key: string;
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
}

export interface PostMessageInput {
  readonly ticketId: string;
  /** Markdown. */
  readonly body: string;
  /** True for a note the team sees and nobody is emailed. */
  readonly internal: boolean;
  readonly attachments: readonly UploadedAttachment[];
  /** The status after the message; a public reply defaults to `pending` (waiting for the customer). */
  readonly status?: TicketStatus;
  /** The version the agent saw; a different stored version is a conflict (409). */
  readonly version?: number;
}

export interface PostMessageResult {
  readonly message: TicketMessage;
  readonly ticket: Ticket;
  readonly deliveries: readonly NewDelivery[];
}

/**
 * Stores an agent's message. A public reply creates one delivery per recipient (requester and participants,
 * minus the unsubscribed and the desk itself) in the same transaction as the message and the ticket update.
 * @throws NotFoundError for an unknown ticket; ConcurrentUpdateError when the ticket changed meanwhile.
 * @example await postMessage(deps, agent, { ticketId, body: 'Fixed, thanks!', internal: false, attachments: [] })
 */
export async function postMessage(deps: ApiDeps, agent: Agent, input: PostMessageInput): Promise<PostMessageResult> {
  const ticket = await loadTicket(deps, input.ticketId, input.version);
  const desk = deskOf(deps.config, ticket);
  const now = deps.clock().toISOString();
  const recipients = input.internal ? [] : replyRecipients(ticket, deps.config);
  const draft = agentMessage(ticket, desk, deps.config, agent, {
    direction: input.internal ? 'note' : 'outbound',
    text: input.body,
    to: recipients,
    attachments: [],
    createdAt: now,
  });
  // Staged uploads expire; the message keeps its own copies, where ingest keeps a mail's attachments.
  const attachments: StoredAttachment[] = await attachUploads(deps, ticket.id, draft.id, input.attachments);
  const message: TicketMessage = { ...draft, attachments };
  const content: DeliveryContent = {
    ticketNumber: ticket.number,
    subject: ticket.subject,
    body: input.body,
    authorName: agent.name,
    inReplyTo: ticket.threadMessageIds.at(-1) ?? null,
    references: ticket.threadMessageIds,
    attachments,
  };
  const deliveries: NewDelivery[] = recipients.map((recipient) => ({
    id: newId(),
    kind: 'reply',
    ticketId: ticket.id,
    deskId: ticket.deskId,
    recipient,
    messageItemId: message.id,
    content,
    createdAt: now,
  }));
  const status = input.status ?? (input.internal ? ticket.status : 'pending');
  const after = ticketAfterMessage(ticket, message, { status });
  await deps.desk.saveChange({ before: ticket, after, message, deliveries });
  deps.log.info(input.internal ? 'note added' : 'reply added', {
    ticketId: ticket.id,
    messageId: message.id,
    deliveries: deliveries.length,
  });
  return { message, ticket: after, deliveries };
}

/** Reads the ticket an agent acts on, checking the version they saw when they sent one. */
export async function loadTicket(deps: ApiDeps, ticketId: string, version: number | undefined): Promise<Ticket> {
  const ticket = await deps.tickets.getTicket(ticketId);
  if (!ticket) throw new NotFoundError(`ticket ${ticketId} does not exist`);
  if (version !== undefined && version !== ticket.version) {
    throw new ConcurrentUpdateError(`ticket ${ticketId} is at version ${ticket.version}, not ${version}: reload it`);
  }
  return ticket;
}

/** The desk a ticket belongs to; a desk removed from the configuration falls back to the first one. */
export function deskOf(config: DeskConfig, ticket: Ticket): Desk {
  return config.desks.find((d) => d.id === ticket.deskId) ?? config.desks[0]!;
}

/** A message written by an agent: a note is from them; a reply is from the desk, in their name. */
export function agentMessage(
  ticket: Pick<Ticket, 'id' | 'subject'>,
  desk: Desk,
  config: DeskConfig,
  agent: Agent,
  fields: Pick<TicketMessage, 'direction' | 'text' | 'to' | 'attachments' | 'createdAt' | 'event'>,
): TicketMessage {
  const id = newId();
  const from: Mailbox =
    fields.direction === 'outbound' ? { address: desk.address, name: agent.name } : { address: agent.email, name: agent.name };
  return {
    id,
    ticketId: ticket.id,
    direction: fields.direction,
    from,
    to: fields.to,
    cc: [],
    subject: ticket.subject,
    text: fields.text,
    reply: fields.text,
    html: null,
    bodyKey: null,
    // Each emailed copy gets its own Message-ID from the notify function; this one names the thread entry.
    messageId: `<${id}@${config.domain}>`,
    threadedBy: 'agent',
    classification: null,
    attachments: fields.attachments,
    createdAt: fields.createdAt,
    rawKey: null,
    author: agent.email,
    ...(fields.event ? { event: fields.event } : {}),
  };
}
