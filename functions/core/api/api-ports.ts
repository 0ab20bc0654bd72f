// core: the ports and dependency bag of the dashboard API use cases
import type { DeskConfig, TeamMember } from '../config/desk-config';
import type { Delivery, DeliveryRepository, SettingsRepository } from '../notify/notify-ports';
import type { Log, NewDelivery, ObjectStore, TicketRepository } from '../ports';
import type { Ticket, TicketMessage, TicketStatus } from '../types';

/** Which inbox partition to read: every ticket of a status, or those of one assignee (null = unassigned). */
export type InboxQuery =
  | { readonly kind: 'status'; readonly status: TicketStatus }
  | { readonly kind: 'assignee'; readonly status: TicketStatus; readonly assignee: string | null };

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

/** An address that stopped receiving mail (from bounces and complaints). */
export interface AddressState {
  readonly state: string;
  readonly reason: string;
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
}

/** Queries and agent writes of the dashboard; the DynamoDB adapter implements it without Scans. */
export interface DeskRepository {
  /** @throws InvalidInputError when the cursor was not made by this query. */
  listTickets(query: InboxQuery, limit: number, cursor: string | null): Promise<TicketPage>;
  countTickets(query: InboxQuery): Promise<number>;
  /** Ids of the tickets numbered `number` in any of the desks. */
  ticketIdsByNumber(deskIds: readonly string[], number: number): Promise<string[]>;
  /** Ids of tickets whose subject has the word, newest first; `complete` is false when `limit` cut the list. */
  ticketIdsByWord(word: string, limit: number): Promise<{ ids: string[]; complete: boolean }>;
  /** A requester's tickets, newest first. */
  ticketsByRequester(address: string, limit: number): Promise<Ticket[]>;
  getThread(ticketId: string): Promise<TicketThread | null>;
  /** States of the addresses that have one; others are absent. */
  getAddressStates(addresses: readonly string[]): Promise<Map<string, AddressState>>;
  getDelivery(ticketId: string, deliveryId: string): Promise<Delivery | null>;
  /** @throws ConcurrentUpdateError when the ticket's version moved since `before` was read. */
  saveChange(change: TicketChange): Promise<void>;
  /** `failed → pending`. @throws ConcurrentUpdateError when the delivery is no longer failed. */
  retryDelivery(ticketId: string, deliveryId: string, at: string): Promise<Delivery>;
}

/** Short-lived presigned URLs to the mail bucket. */
export interface FileUrls {
  /** A PUT URL for exactly this content type and size. */
  uploadUrl(key: string, contentType: string, size: number): Promise<string>;
  /** A GET URL whose answer is a download (`Content-Disposition: attachment`) named `filename`. */
  downloadUrl(key: string, filename: string): Promise<string>;
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
  readonly tickets: Pick<TicketRepository, 'getTicket' | 'getTickets' | 'listIngests'>;
  readonly desk: DeskRepository;
  readonly store: Pick<ObjectStore, 'get' | 'copy'>;
  /** The mail bucket (bodies, attachments, uploads). */
  readonly bucket: string;
  readonly files: FileUrls;
  readonly settings: SettingsRepository;
  readonly unsubscriber: Unsubscriber;
  readonly clock: () => Date;
  readonly log: Log;
  readonly localSignIn?: LocalSignIn;
}
