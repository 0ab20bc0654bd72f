// core: use cases that change a ticket's state: status/assignee/labels, participants, retrying a delivery
import { ConcurrentUpdateError, InvalidInputError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { personTerms } from '../search/search-terms';
import { canRetry } from '../notify/delivery-marks';
import type { Delivery } from '../notify/notify-ports';
import type { Participant, Ticket, TicketPriority, TicketStatus } from '../types';
import { findTeamMember, isDeskAddress } from '../config/desk-config';
import { MAX_PARTICIPANTS } from '../tickets/new-ticket';
import { participantNotice } from '../tickets/participant-notice';
import { ticketAfterMessage } from '../tickets/ticket-activity';
import { agentMessage, deskOf, loadTicket } from './agent-messages';
import type { ApiDeps } from './api-ports';
import type { Agent } from './auth';

export interface TicketPatch {
  readonly status?: TicketStatus;
  /** An email, or null to unassign. */
  readonly assignee?: string | null;
  readonly labels?: readonly string[];
  readonly priority?: TicketPriority;
  readonly version?: number;
}

/**
 * Only a team member owns a ticket: one listed in the desk configuration's team, or the signed-in agent themselves
 * (a Cognito `team` member not listed there can still take a ticket). A stranger's address would leave it unowned.
 */
function assertAssignable(deps: ApiDeps, agent: Agent, assignee: string): void {
  if (assignee === agent.email.toLowerCase() || findTeamMember(deps.config.team, assignee)) return;
  throw new InvalidInputError(
    `assignee: ${assignee} is not a member of the team (${deps.config.team.map((m) => m.email).join(', ')}); add them to the desk configuration's team first`,
  );
}

/**
 * Changes status, assignee, labels and priority. `updatedAt` stays: the inbox orders by conversation activity, and
 * a triage click should not push a ticket above ones with newer mail.
 * @throws NotFoundError, ConcurrentUpdateError, InvalidInputError (an assignee who is not on the team)
 */
export async function patchTicket(deps: ApiDeps, agent: Agent, ticketId: string, patch: TicketPatch): Promise<Ticket> {
  const before = await loadTicket(deps, ticketId, patch.version);
  const assignee = patch.assignee === undefined ? before.assignee : patch.assignee === null ? null : patch.assignee.toLowerCase();
  if (assignee !== null && assignee !== before.assignee) assertAssignable(deps, agent, assignee);
  const after: Ticket = {
    ...before,
    status: patch.status ?? before.status,
    assignee,
    labels: patch.labels === undefined ? before.labels : [...new Set(patch.labels)],
    priority: patch.priority ?? before.priority,
    version: before.version + 1,
    changedBy: agent.email,
  };
  const unchanged =
    after.status === before.status &&
    after.assignee === before.assignee &&
    after.priority === before.priority &&
    sameList(after.labels, before.labels);
  if (unchanged) return before;
  await deps.desk.saveChange({ before, after, message: null, deliveries: [], terms: [] });
  deps.log.info('ticket changed', { ticketId, by: agent.email, status: after.status, assignee: after.assignee, priority: after.priority });
  return after;
}

export interface AddParticipantResult {
  readonly participant: Participant;
  /** False when the address was already on the ticket (nothing was written). */
  readonly created: boolean;
}

/**
 * Adds someone to a ticket (role `added`) and emails them a "you have been added" notice. Adding an address
 * already on the ticket (compared case-insensitively) changes nothing.
 * @throws NotFoundError, ConcurrentUpdateError, InvalidInputError (a desk address, or the ticket is full)
 */
export async function addParticipant(
  deps: ApiDeps,
  agent: Agent,
  ticketId: string,
  person: { address: string; name?: string },
): Promise<AddParticipantResult> {
  const before = await loadTicket(deps, ticketId, undefined);
  const address = person.address.trim().toLowerCase();
  const existing = before.participants.find((p) => p.address.toLowerCase() === address);
  if (existing) return { participant: existing, created: false };
  if (isDeskAddress(deps.config, address)) {
    throw new InvalidInputError(`address: ${address} is a desk address`);
  }
  if (before.participants.length >= MAX_PARTICIPANTS) {
    throw new InvalidInputError(`address: the ticket already has ${MAX_PARTICIPANTS} participants`);
  }
  const participant: Participant = { address, name: person.name?.trim() ?? '', role: 'added', unsubscribed: false };
  const now = deps.clock().toISOString();
  const desk = deskOf(deps.config, before);
  // The change is recorded as a note marked as an event, so the thread shows who added whom (and not as an unsent
  // note: the notice is emailed), and the delivery has a message to point at.
  const message = agentMessage(before, desk, deps.config, agent, {
    direction: 'note',
    event: 'participant-added',
    text: `${agent.name} added ${address} to the ticket.`,
    to: [],
    attachments: [],
    createdAt: now,
  });
  const delivery = participantNotice({
    ticket: before,
    recipient: { address, name: participant.name },
    messageItemId: message.id,
    authorName: agent.name,
    id: newId(),
    at: now,
  });
  const after: Ticket = {
    ...ticketAfterMessage(before, message, { updatesPreview: false }),
    participants: [...before.participants, participant],
  };
  await deps.desk.saveChange({ before, after, message, deliveries: [delivery], terms: personTerms(participant) });
  deps.log.info('participant added', { ticketId, by: agent.email, deliveryId: delivery.id });
  return { participant, created: true };
}

/**
 * Takes someone off a ticket; they get no further replies. The requester cannot be removed.
 * @throws NotFoundError (ticket or participant), InvalidInputError (the requester), ConcurrentUpdateError
 */
export async function removeParticipant(deps: ApiDeps, agent: Agent, ticketId: string, rawAddress: string): Promise<void> {
  const before = await loadTicket(deps, ticketId, undefined);
  const address = rawAddress.trim().toLowerCase();
  const existing = before.participants.find((p) => p.address.toLowerCase() === address);
  if (!existing) throw new NotFoundError(`${address} is not a participant of ticket ${ticketId}`);
  if (existing.role === 'requester' || before.requester.address.toLowerCase() === address) {
    throw new InvalidInputError(`address: ${address} is the requester and cannot be removed`);
  }
  const message = agentMessage(before, deskOf(deps.config, before), deps.config, agent, {
    direction: 'note',
    event: 'participant-removed',
    text: `${agent.name} removed ${address} from the ticket.`,
    to: [],
    attachments: [],
    createdAt: deps.clock().toISOString(),
  });
  const after: Ticket = {
    ...ticketAfterMessage(before, message, { updatesPreview: false }),
    participants: before.participants.filter((p) => p !== existing),
  };
  await deps.desk.saveChange({ before, after, message, deliveries: [], terms: [] });
  deps.log.info('participant removed', { ticketId, by: agent.email });
}

/**
 * Puts a delivery that ended failed, bounced or complained about, was suppressed in a way that marked its ticket, or one left `sending` by an
 * invocation that died (its lease is over), back to `pending`, which the notify function picks up again; its id leaves the
 * ticket's `failedDeliveries`. (An address still undeliverable or complained suppresses the new attempt, which marks the
 * ticket again: clearing the address comes first.)
 * @throws NotFoundError; ConcurrentUpdateError when the delivery is neither (or no longer) ended that way nor stuck.
 */
export async function retryDelivery(deps: ApiDeps, agent: Agent, ticketId: string, deliveryId: string): Promise<Delivery> {
  const delivery = await deps.desk.getDelivery(ticketId, deliveryId);
  if (!delivery) throw new NotFoundError(`delivery ${deliveryId} of ticket ${ticketId} does not exist`);
  const at = deps.clock().toISOString();
  if (!canRetry(delivery, at)) {
    throw new ConcurrentUpdateError(
      `delivery ${deliveryId} is ${delivery.status}; only a failed, bounced, complained, stuck, or undeliverable or rate-limited suppressed delivery can be retried`,
    );
  }
  const retried = await deps.desk.retryDelivery(ticketId, deliveryId, at);
  deps.log.info('delivery retried', { ticketId, deliveryId, by: agent.email });
  return retried;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
