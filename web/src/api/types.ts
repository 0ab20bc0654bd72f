// web: the shapes the dashboard API returns (docs/api.md), narrowed from the core's types
import type {
  Mailbox,
  Participant,
  StoredAttachment,
  Ticket as CoreTicket,
  TicketMessage,
  TicketPriority,
  TicketStatus,
} from '../../../functions/core/types';
import type { SavedViewQuery } from '../../../functions/core/workflow/saved-views';
import type { IntakeRule } from '../../../functions/core/workflow/intake-rules';

export type { Mailbox, Participant, StoredAttachment, TicketPriority, TicketStatus };

/** An agent's saved inbox view (`/api/views`); see functions/core/workflow/saved-views.ts. */
export type { SavedView, SavedViewQuery } from '../../../functions/core/workflow/saved-views';

/** A ticket as list and detail routes return it. */
export type Ticket = Pick<
  CoreTicket,
  | 'id'
  | 'number'
  | 'deskId'
  | 'subject'
  | 'status'
  | 'requester'
  | 'participants'
  | 'assignee'
  | 'labels'
  | 'priority'
  | 'createdAt'
  | 'updatedAt'
  | 'messageCount'
  | 'preview'
  | 'mergedInto'
  | 'failedDeliveries'
  | 'version'
>;

/** One message of a ticket's thread; `held` is always present in API answers. */
export type Message = Pick<
  TicketMessage,
  | 'heldReason'
  | 'heldResolution'
  | 'authentication'
  | 'authenticity'
  | 'notices'
  | 'movedFrom'
  | 'splitInto'
  | 'forwardedBy'
  | 'id'
  | 'direction'
  | 'from'
  | 'to'
  | 'cc'
  | 'subject'
  | 'text'
  | 'reply'
  | 'html'
  | 'threadedBy'
  | 'classification'
  | 'attachments'
  | 'createdAt'
  | 'author'
  | 'event'
> & { readonly held: boolean };

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'bounced' | 'complained' | 'suppressed';

/** One outgoing email to one recipient. */
export interface Delivery {
  readonly id: string;
  readonly kind: 'ack' | 'reply' | 'participant-added' | 'relay' | 'agent-notice';
  /** A mailbox; tolerated as a bare address too. */
  readonly recipient: Mailbox | string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  /** While `sending`: when the claim ends; after that a stuck delivery can be retried. */
  readonly leaseUntil?: string | null;
  readonly messageItemId: string;
  readonly updatedAt: string;
}

export interface AddressState {
  readonly state: string;
  readonly reason: string;
  /** States agents cleared before, oldest first. */
  readonly history?: readonly { state: string; reason: string; clearedBy: string; clearedAt: string; why: string }[];
}

/** `GET /api/tickets/{id}`. */
export type TicketDetail = Ticket & {
  readonly messages: Message[];
  readonly deliveries: Delivery[];
  readonly addressStates: Record<string, AddressState>;
};

export interface Page<T> {
  readonly items: T[];
  readonly cursor: string | null;
}

export interface Counts {
  readonly open: number;
  readonly pending: number;
  readonly closed: number;
  readonly spam: number;
  readonly mine: number;
  readonly unassigned: number;
}

export interface Desk {
  readonly id: string;
  readonly address: string;
  readonly name: string;
}

/** A team member as `GET /api/team` lists them. */
export interface TeamMember {
  readonly email: string;
  readonly name: string;
}

export interface User {
  readonly email: string;
  readonly name: string;
}

export interface Template {
  subject: string;
  body: string;
}

/** `GET/PUT /api/settings/{deskId}` (the core's `DeskSettings`). */
export interface DeskSettings {
  deskId: string;
  templates: { ack: Template; reply: Template; participantAdded: Template; relay: Template };
  ackEnabled: boolean;
  /** Mail that matches a ticket only by Message-ID or subject tag from someone not on it: hold it, or open a new ticket. */
  strangers: 'hold' | 'new-ticket';
  /** Whom a new ticket is mailed to: the whole team, nobody, or the team while it is unassigned. */
  notifyTeam?: 'everyone' | 'nobody' | 'unassigned';
  /** Intake rules, applied in order to each new ticket (see functions/core/workflow/intake-rules.ts). */
  rules: IntakeRule[];
  /** Relay a participant's emailed reply to the others on the ticket. */
  relay: boolean;
  /** New addresses in To/Cc of a participant's reply: added as participants, or ignored. */
  ccOnReplies: 'add' | 'ignore';
  updatedAt: string | null;
}

export interface UploadedFile {
  readonly key: string;
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
}

export interface TicketPatch {
  status?: TicketStatus;
  assignee?: string | null;
  labels?: string[];
  priority?: TicketPriority;
  /** The version the change was based on: the API answers 409 when someone changed the ticket since. */
  version?: number;
}

/** `status` plus the two assignee views the inbox offers. */
export type InboxView = TicketStatus | 'mine' | 'unassigned';

/**
 * Narrowing and order of an inbox list (`GET /api/tickets`): what a saved view holds but the search text. `assignee` is
 * an address or `none` (the Mine and Unassigned views set it themselves); `status` narrows search results only (an inbox
 * view is one status already); `delivery: 'failed'` keeps tickets with a delivery that failed or was held back.
 */
export type ListFilters = Omit<SavedViewQuery, 'q'>;

/** The mail log (`GET /api/mail`) and what a replay did (`POST /api/mail/{key}/replay`); see functions/core/api/mail-log.ts. */
export type { MailLogEntry, ReplayReport } from '../../../functions/core/api/mail-log';

/** An intake rule of a desk's settings; the core's schema (functions/core/workflow/intake-rules.ts) validates it. */
export type { IntakeRule };

/** A team-shared saved reply (`/api/replies`); see functions/core/workflow/saved-replies.ts. */
export type { SavedReply, SavedReplyInput } from '../../../functions/core/workflow/saved-replies';
