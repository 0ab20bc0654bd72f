// core: the ports and dependency bag of the dashboard API use cases
import type { DeskConfig, TeamMember } from '../config/desk-config';
import type { Delivery, DeliveryRepository, SettingsRepository } from '../notify/notify-ports';
import type { ClearedState } from '../feedback/address-clearing';
import type { IngestDeps } from '../ingest/ingest-step';
import type { MergeWrite } from './merge-tickets';
import type { Log, NewDelivery, ObjectStore, TicketRepository } from '../ports';
import type { HeldResolution, MessageSplit, Ticket, TicketMessage, TicketStatus } from '../types';
import type { ApiWorkflowRepository } from '../workflow/workflow-ports';

/** Which inbox partition to read: every ticket of a status, or those of one assignee (null = unassigned). */
export type InboxQuery =
  | { readonly kind: 'status'; readonly status: TicketStatus }
  | { readonly kind: 'assignee'; readonly status: TicketStatus; readonly assignee: string | null };

/** An index a list walks in order: tickets of a status by last activity or by creation, or of an assignee by activity. */
export type IndexWalk =
  | { readonly kind: 'status' | 'created'; readonly status: TicketStatus; readonly ascending: boolean }
  | { readonly kind: 'assignee'; readonly status: TicketStatus; readonly assignee: string | null; readonly ascending: boolean };

/** One page of an index walk: each ticket with the cursor that continues after it. */
export interface IndexPage {
  readonly entries: readonly { readonly ticket: Ticket; readonly cursor: string }[];
  /** Continues after the last entry; null at the end of the index. */
  readonly next: string | null;
}

/** One page of an inbox view; `cursor` is opaque to everyone but the repository that made it. */
export interface TicketPage {
  readonly tickets: Ticket[];
  readonly cursor: string | null;
}

/** Everything stored under one ticket. */
export interface TicketThread {
  readonly ticket: Ticket;
  /** Oldest first. */
  readonly messages: TicketMessage[];
  readonly deliveries: Delivery[];
}

/** An address that stopped receiving mail (from bounces and complaints), with the states agents cleared before. */
export interface AddressState {
  readonly state: string;
  readonly reason: string;
  readonly history?: readonly ClearedState[];
}

/**
 * One agent change to a ticket, written atomically: the ticket (guarded by `before.version`), and optionally
 * a new message and the deliveries that email it.
 */
export interface TicketChange {
  readonly before: Ticket;
  readonly after: Ticket;
  readonly message: TicketMessage | null;
  readonly deliveries: readonly NewDelivery[];
  /** A held message of the ticket this change settles (written only while it is still held). */
  readonly settles?: { readonly message: TicketMessage; readonly resolution: HeldResolution } | null;
  /** An inbound message of the ticket this change splits off (written only while it was never split off). */
  readonly splits?: { readonly message: TicketMessage; readonly split: MessageSplit } | null;
  /** Search terms the change adds to the ticket (see core/search/search-terms.ts). */
  readonly terms: readonly string[];
}

/** Ticket ids from an index; `complete` is false when a limit cut the list. */
export interface IdList {
  readonly ids: string[];
  readonly complete: boolean;
}

/** A held message moved, or an inbound message split off, into a ticket of its own, written atomically with the old ticket's change. */
export interface MoveWrite {
  /** The old ticket (with the agent's note) and the held message settled as moved, or the message marked as split off. */
  readonly from: TicketChange;
  readonly ticket: Ticket;
  readonly message: TicketMessage;
  /** Search terms of the new ticket (its subject, requester and the moved message). */
  readonly terms: readonly string[];
  /** Point the message's Message-ID at the new ticket (false when the id belongs to another email). */
  readonly reindexMessageId: boolean;
  /** The new ticket's note and the acknowledgement when the agent asked for one (absent: none). */
  readonly note?: TicketMessage;
  readonly deliveries?: readonly NewDelivery[];
}

/** A ticket the desk opens, written atomically with its first message and the deliveries that email it. */
export interface NewDeskTicketWrite {
  readonly ticket: Ticket;
  readonly message: TicketMessage;
  readonly deliveries: readonly NewDelivery[];
  /** Search terms of the ticket (its subject, people and first message). */
  readonly terms: readonly string[];
}

/** An address's blocking state cleared by an agent, with the note on the ticket, atomically. */
export interface ClearAddressWrite {
  readonly change: TicketChange;
  readonly address: string;
  /** Written only while the address is still in this state. */
  readonly cleared: ClearedState;
}

/** Queries and agent writes of the dashboard; the DynamoDB adapter implements it without Scans. */
export interface DeskRepository {
  /** Up to `limit` index entries after the cursor, with their tickets. @throws InvalidInputError for a cursor of another walk. */
  walkIndex(walk: IndexWalk, limit: number, cursor: string | null): Promise<IndexPage>;
  countTickets(query: InboxQuery): Promise<number>;
  /** Ids of the tickets numbered `number` in any of the desks. */
  ticketIdsByNumber(deskIds: readonly string[], number: number): Promise<string[]>;
  /** Ids of the tickets of these desks that hold the search term; `complete` is false when `limit` cut the list. */
  ticketIdsByTerm(deskIds: readonly string[], term: string, limit: number): Promise<IdList>;
  /** Which of these tickets hold the search term. */
  ticketsHoldingTerm(term: string, tickets: readonly Ticket[]): Promise<Set<string>>;
  /** Ids of a requester's tickets, newest first. */
  ticketIdsByRequester(address: string, limit: number): Promise<IdList>;
  getThread(ticketId: string): Promise<TicketThread | null>;
  /** States of the addresses that have one; others are absent. */
  getAddressStates(addresses: readonly string[]): Promise<Map<string, AddressState>>;
  getDelivery(ticketId: string, deliveryId: string): Promise<Delivery | null>;
  /** @throws ConcurrentUpdateError when the ticket's version moved since `before` was read. */
  saveChange(change: TicketChange): Promise<void>;
  /** Writes a merge core decided: moved messages and terms first, then both tickets and their notes at once. @throws ConcurrentUpdateError */
  mergeTickets(write: MergeWrite): Promise<void>;
  /** `failed → pending`. @throws ConcurrentUpdateError when the delivery is no longer failed. */
  retryDelivery(ticketId: string, deliveryId: string, at: string): Promise<Delivery>;
  /** @throws ConcurrentUpdateError when the old ticket changed or the message is no longer held. */
  moveMessage(write: MoveWrite): Promise<void>;
  /** @throws ConcurrentUpdateError when the ticket changed or the address is no longer in that state. */
  clearAddressState(write: ClearAddressWrite): Promise<void>;
  /** Creates a ticket the desk opens (its number item, search terms, message and deliveries) in one transaction. */
  createTicket(write: NewDeskTicketWrite): Promise<void>;
}

/** Short-lived presigned URLs to the mail bucket. */
export interface FileUrls {
  /** A PUT URL for exactly this content type and size. */
  uploadUrl(key: string, contentType: string, size: number): Promise<string>;
  /**
   * A GET URL whose answer is a download (`Content-Disposition: attachment`) named `filename`, served with
   * `contentType` (core passes `application/octet-stream` for anything a browser could run).
   */
  downloadUrl(key: string, filename: string, contentType: string): Promise<string>;
}

/** Unsubscribe links: checks their signature and records the opt-out. */
export interface Unsubscriber {
  verify(ticketId: string, address: string, signature: string): Promise<boolean>;
  unsubscribe: DeliveryRepository['unsubscribeParticipant'];
}

/** The local stack's sign-in: a code printed at start-up, exchanged for a token. Absent in AWS. */
export interface LocalSignIn {
  readonly code: string;
  issueToken(member: TeamMember): Promise<string>;
}

export interface ApiDeps {
  readonly config: DeskConfig;
  readonly tickets: Pick<TicketRepository, 'getTicket' | 'getTickets' | 'listMailLog' | 'getIngest' | 'nextTicketNumber'>;
  /** The ingest use case's dependencies, built on first use: replaying mail runs ingest in the API. */
  readonly ingest: () => Promise<IngestDeps>;
  readonly desk: DeskRepository;
  readonly store: Pick<ObjectStore, 'get' | 'copy'>;
  /** The mail bucket (bodies, attachments, uploads). */
  readonly bucket: string;
  readonly files: FileUrls;
  readonly settings: SettingsRepository;
  readonly unsubscriber: Unsubscriber;
  /** Notification preferences, failed webhooks (and saved replies). */
  readonly workflow: ApiWorkflowRepository;
  readonly clock: () => Date;
  readonly log: Log;
  readonly localSignIn?: LocalSignIn;
}
