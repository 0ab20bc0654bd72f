// core: the ports the use cases need; adapters in functions/adapters implement them
import type { AddressFeedback } from './feedback/address-feedback';
import type { Delivery, LateEndWrite } from './notify/notify-ports';
import type { Mailbox, Participant, StoredAttachment, Ticket, TicketMessage } from './types';

/** Structured logging; Powertools' Logger satisfies it. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Object storage for raw mail, attachments and large bodies (S3). */
export interface ObjectStore {
  /** @throws NotFoundError when the object does not exist. */
  get(bucket: string, key: string): Promise<Uint8Array>;
  put(bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /** Copies an object within the bucket. @throws NotFoundError when `fromKey` does not exist. */
  copy(bucket: string, fromKey: string, toKey: string): Promise<void>;
  /** Keys under a prefix, oldest listing order as S3 gives it. */
  list(bucket: string, prefix: string): AsyncIterable<string>;
}

export type IngestOutcomeKind = 'ticket-created' | 'reply-added' | 'held' | 'bounce' | 'complaint' | 'ignored' | 'duplicate' | 'failed';

/**
 * Outcomes of mail that did not become a normal message: what the mail log lists. Every other outcome is a ticket's
 * (a new ticket, a reply); a held message waits on its ticket for an agent, so it is listed too.
 */
export const MAIL_LOG_OUTCOMES = [
  'held',
  'ignored',
  'failed',
  'duplicate',
  'bounce',
  'complaint',
] as const satisfies readonly IngestOutcomeKind[];
export type MailLogOutcome = (typeof MAIL_LOG_OUTCOMES)[number];

/** One page of the mail log, newest first. */
export interface MailLogPage {
  readonly records: IngestRecord[];
  readonly cursor: string | null;
}

/** What happened to one stored email; kept so every email has a recorded outcome and failures can be replayed. */
export interface IngestRecord {
  readonly key: string;
  readonly bucket: string;
  readonly outcome: IngestOutcomeKind;
  readonly reason: string;
  readonly ticketId: string | null;
  readonly messageId: string | null;
  readonly at: string;
  readonly attempts: number;
  /** The sender and subject, for the mail log; null when the mail could not be read that far. */
  readonly from: string | null;
  readonly subject: string | null;
}

/** Where a stored Message-ID points. */
export interface MessageIdTarget {
  readonly ticketId: string;
  /** For our own outgoing mail: the delivery item it came from (so a bounce can mark it). */
  readonly deliveryId: string | null;
  /** For our own outgoing mail: whom the delivery went to (absent on items written before it was recorded). */
  readonly recipient: string | null;
}

/** An email content already stored (see contentFingerprint): the object it came in, and its ticket. */
export interface StoredContent {
  readonly key: string;
  readonly ticketId: string | null;
}

/** Everything ingest reads before deciding, fetched in one round trip. */
export interface IngestLookup {
  readonly ingest: IngestRecord | null;
  readonly tickets: ReadonlyMap<string, Ticket>;
  /** Keyed by normalised Message-ID. */
  readonly messageIds: ReadonlyMap<string, MessageIdTarget>;
  /** Keyed by `<deskId>#<number>`. */
  readonly numbers: ReadonlyMap<string, string>;
  /** The same content stored before, when the request gave a fingerprint. */
  readonly content: StoredContent | null;
}

export interface IngestLookupRequest {
  readonly ingestKey: string;
  /** The email's content fingerprint; null reads no content item. */
  readonly fingerprint: string | null;
  readonly messageIds: readonly string[];
  readonly ticketIds: readonly string[];
  readonly numbers: readonly { deskId: string; number: number }[];
}

/**
 * What an outgoing email says, copied into its delivery item when the item is created, so the notify
 * function composes it without reading anything else (two DynamoDB requests per sent email).
 */
export interface DeliveryContent {
  readonly ticketNumber: number;
  /** The ticket's subject (the customer's original wording). */
  readonly subject: string;
  /** The agent's Markdown for a reply; the customer's text for an acknowledgement; empty otherwise. */
  readonly body: string;
  /** Who wrote it (agent name); null for automatic mail. */
  readonly authorName: string | null;
  /** Message-ID the email answers (the latest inbound mail). */
  readonly inReplyTo: string | null;
  /** The thread so far, oldest first, for References. */
  readonly references: readonly string[];
  readonly attachments: readonly StoredAttachment[];
}

/** An outgoing email waiting for the notify function (one per recipient). */
export interface NewDelivery {
  readonly id: string;
  /** `relay`: a participant's emailed reply passed on to the other people on the ticket; `agent-notice`: a team notification (new ticket, reply, assignment…), never to a customer. */
  readonly kind: 'ack' | 'reply' | 'participant-added' | 'relay' | 'agent-notice';
  readonly ticketId: string;
  readonly deskId: string;
  readonly recipient: Mailbox;
  /** The ticket message this email carries (the customer's first mail for an acknowledgement). */
  readonly messageItemId: string;
  readonly content: DeliveryContent;
  readonly createdAt: string;
  /** On a team notice about inbound mail: what its rate limit counts against (`sender:<address>` or `held:<ticket id>`). */
  readonly noticeLimitKey?: string;
}

/**
 * What one email's write claims besides its ingest record: its content (so the same mail stored again is a duplicate)
 * and its Message-ID (so replies find the ticket), each only when given.
 */
export interface EmailClaims {
  /** The content fingerprint; the write fails as a duplicate when it is taken. */
  readonly fingerprint: string | null;
  /** The Message-ID to index for the ticket; null when another email already holds it (it keeps pointing there). */
  readonly messageId: string | null;
}

export interface NewTicketWrite {
  readonly ingest: IngestRecord;
  readonly claims: EmailClaims;
  readonly ticket: Ticket;
  readonly message: TicketMessage;
  /** Delivery items created with the ticket (the acknowledgement, when one is due). */
  readonly deliveries: readonly NewDelivery[];
  /** Search terms of the ticket's first message (see core/search/search-terms.ts). */
  readonly terms: readonly string[];
}

/** A ticket before and after a change decided in core; the write is conditional on `before.version`. */
export interface TicketTransition {
  readonly before: Ticket;
  readonly after: Ticket;
}

export interface InboundReplyWrite extends TicketTransition {
  readonly ingest: IngestRecord;
  readonly claims: EmailClaims;
  readonly message: TicketMessage;
  /** Emails the message causes (relays to the other participants, notices to people its Cc added), written with it. */
  readonly deliveries?: readonly NewDelivery[];
  /** Search terms the message adds to the ticket (none for a held message). */
  readonly terms: readonly string[];
}

/** What a bounce or complaint changes, as decided by `decideFeedback`. */
export interface ReportWrite {
  readonly ingest: IngestRecord;
  readonly fingerprint: string | null;
  readonly addresses: readonly AddressFeedback[];
  /**
   * Our deliveries the report ends (`bounced` for good, `complained`; decided by `lateEnd` in core/notify/delivery-marks.ts),
   * each written only while still `sent`, with its ticket's mark when it marks one.
   */
  readonly endedDeliveries: readonly LateEndWrite[];
  /** The reason agents see on the ended deliveries. */
  readonly reason: string;
  /** The ticket the report refers to, with the message recording it there. */
  readonly onTicket: (TicketTransition & { readonly message: TicketMessage }) | null;
}

/** Ticket storage, as ingest needs it. The API and notify extend it with their own ports. */
export interface TicketRepository {
  lookupForIngest(request: IngestLookupRequest): Promise<IngestLookup>;
  getTicket(ticketId: string): Promise<Ticket | null>;
  /** Several tickets in one round trip; missing ids are absent from the map. */
  getTickets(ticketIds: readonly string[]): Promise<Map<string, Ticket>>;
  /** Atomically takes the next number of a desk (numbers may skip after a crash; never repeat). */
  nextTicketNumber(deskId: string): Promise<number>;
  /** Atomically takes the next turn (from 1) of a desk's round-robin rule; like ticket numbers, a crash skips a turn. */
  nextRoundRobinTurn(deskId: string, rule: string): Promise<number>;
  /** @throws DuplicateIngestError, DuplicateContentError, ConcurrentUpdateError (the Message-ID was taken meanwhile) */
  createTicket(write: NewTicketWrite): Promise<void>;
  /** @throws DuplicateIngestError, DuplicateContentError, ConcurrentUpdateError */
  addInboundMessage(write: InboundReplyWrite): Promise<void>;
  /** Records a bounce or complaint: marks addresses and deliveries, notes it on the ticket. @throws DuplicateIngestError, DuplicateContentError, ConcurrentUpdateError */
  recordReport(write: ReportWrite): Promise<void>;
  /** Our deliveries as they stand (a consistent read), by delivery id; missing ones are absent from the map. */
  getDeliveries(deliveries: readonly { ticketId: string; deliveryId: string }[]): Promise<Map<string, Delivery>>;
  /** Records an outcome without other changes (ignored, duplicate, failed). A failed record can be overwritten. */
  recordIngest(record: IngestRecord): Promise<void>;
  /** The mail log, newest first: records of one outcome, or of every mail-log outcome. @throws InvalidInputError for a foreign cursor. */
  listMailLog(outcome: MailLogOutcome | null, limit: number, cursor: string | null): Promise<MailLogPage>;
  /** One ingest record by its S3 key; null when the mail was never ingested. */
  getIngest(key: string): Promise<IngestRecord | null>;
}

export type { Participant, StoredAttachment };
