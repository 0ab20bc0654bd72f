// core: the shapes every layer shares (parsed mail, tickets, messages, deliveries)

/** An email address with its display name, both already decoded. */
export interface Mailbox {
  readonly address: string;
  readonly name: string;
}

/** What kind of mail this is, for loop protection (see DESIGN.md "Loop and noise protection"). */
export type ClassificationKind = 'normal' | 'auto-reply' | 'bounce' | 'complaint';

export interface Classification {
  readonly kind: ClassificationKind;
  /** A short, human-readable reason, e.g. `Auto-Submitted: auto-replied`. */
  readonly reason: string;
  /** Addresses a bounce or complaint reports as failed; empty otherwise. */
  readonly failedRecipients: string[];
  /** True when a bounce is permanent (5.x.x); false for transient (4.x.x). Absent when not a bounce. */
  readonly permanent?: boolean;
  /**
   * For reports (bounces, complaints, SES notifications): the Message-IDs, `<id>` form, of the original message the
   * report refers to, as far as it says (the returned headers; an SES notification's `mail.commonHeaders.messageId`,
   * `mail.headers` and the SES-rewritten id when its region is known). A report only acts on mail we sent, so these
   * are what it is matched by; absent when the report names none.
   */
  readonly originalMessageIds?: string[];
  /** For an SES notification that arrived as mail: its `mail.messageId` (SES's id of the message we sent). */
  readonly sesMessageId?: string;
}

/** SES's spam and virus verdicts (`X-SES-Spam-Verdict`, `X-SES-Virus-Verdict`), upper-cased as ingest reads them. */
export const SES_VERDICTS = ['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED'] as const;
/** SPF, DKIM and DMARC results as SES writes them in `Authentication-Results` (RFC 8601), lower-cased as ingest reads them. */
export const AUTHENTICATION_RESULTS = ['pass', 'fail', 'softfail', 'neutral', 'none', 'policy', 'temperror', 'permerror'] as const;

/** Verdicts that SES itself prepended to the stored message (never the sender's copies). */
export interface SesVerdicts {
  readonly spam: string | null;
  readonly virus: string | null;
}

/**
 * SES's SPF, DKIM and DMARC results for the mail as it wrote them in the block it prepended (`pass`, `fail`, `none`,
 * `softfail`, `temperror`…, lower-cased), each null when SES wrote none: locally, with no DNS, all three are null,
 * which means "not known", never "failed". Contract 5 of DESIGN.md.
 */
export interface SenderAuthentication {
  readonly spf: string | null;
  readonly dkim: string | null;
  readonly dmarc: string | null;
}

/** What the verdicts prove about the From address: decided by `senderAuthenticity` (core/threading/sender-trust.ts). */
export interface Authenticity {
  /** `pass`: SES authenticated the sender; `fail`: spoofed (trusted as nobody); `unknown`: no verdict says either. */
  readonly verdict: 'pass' | 'fail' | 'unknown';
  readonly reason: string;
}

/**
 * How sure the reply extractor is that `reply` is only the new text: `high` (cut at a recognised quote header,
 * quote, separator or signature, or nothing looked quoted), `low` (a line that looks like a quote header stayed in
 * the reply: show the full text close at hand), `none` (nothing new could be told apart: show the full text).
 */
export type ReplyConfidence = 'high' | 'low' | 'none';

export interface AttachmentInfo {
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  /** True for parts referenced from the HTML by `cid:` (inline images), false for real attachments. */
  readonly inline: boolean;
  readonly cid: string | null;
}

/**
 * The message as the ingest function sees it: contract 3 of DESIGN.md, printed by `sesdesk parse`.
 * Keep these fields stable; outside checks read them.
 */
export interface ParsedEmail {
  readonly messageId: string;
  readonly inReplyTo: string | null;
  readonly references: string[];
  readonly from: Mailbox;
  readonly replyTo: Mailbox[];
  readonly to: Mailbox[];
  readonly cc: Mailbox[];
  readonly subject: string;
  /** ISO 8601; null when the Date header is missing or unreadable (never silently "now"). */
  readonly date: string | null;
  readonly text: string;
  readonly reply: string;
  /** How sure `reply` is only the new text; the dashboard shows the full text folded when it is not `high`. */
  readonly replyConfidence: ReplyConfidence;
  readonly html: string | null;
  readonly attachments: AttachmentInfo[];
  readonly classification: Classification;
  /** Contract 5: SES's verdicts from the topmost block only (a copy further down is the sender's and ignored). */
  readonly authentication: SenderAuthentication;
}

/** An attachment with its bytes, kept out of the JSON contract. */
export interface AttachmentContent extends AttachmentInfo {
  readonly content: Uint8Array;
}

/** Everything ingest needs beyond the contract fields. */
export interface ParsedMail extends ParsedEmail {
  /** Every address the message was delivered to: To, Cc, Delivered-To, X-Original-To, Envelope-To, Received "for". */
  readonly envelopeRecipients: string[];
  readonly verdicts: SesVerdicts;
  /** True when the Message-ID header was missing and `messageId` was derived from the content. */
  readonly messageIdDerived: boolean;
  /** Problems met while parsing (malformed MIME, unknown charset); empty for clean mail. */
  readonly warnings: string[];
  /** What a parser limit or damage left out, in words for the ticket (e.g. parts past the 1,000th); empty when nothing was. */
  readonly dropped: string[];
  readonly attachmentContents: AttachmentContent[];
}

export type TicketStatus = 'open' | 'pending' | 'closed' | 'spam';
export const TICKET_STATUSES: readonly TicketStatus[] = ['open', 'pending', 'closed', 'spam'];

/** How urgent a ticket is; every ticket starts `normal`. */
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export const TICKET_PRIORITIES: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

/** Which threading rule put a message on its ticket (DESIGN.md "Threading"). */
export type ThreadedBy = 'reply-token' | 'message-id' | 'subject-tag' | 'new-ticket' | 'agent';

export interface Participant {
  readonly address: string;
  readonly name: string;
  /** How they joined: the requester, a Cc on inbound mail, or added by an agent. */
  readonly role: 'requester' | 'cc' | 'added';
  readonly unsubscribed: boolean;
}

export interface Ticket {
  readonly id: string;
  readonly deskId: string;
  readonly number: number;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly requester: Mailbox;
  readonly participants: Participant[];
  readonly assignee: string | null;
  readonly labels: string[];
  readonly priority: TicketPriority;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly messageCount: number;
  /** Message-IDs of the thread in order, so outgoing mail can chain References. */
  readonly threadMessageIds: string[];
  /** Short text of the latest message, for the inbox. */
  readonly preview: string;
  /** Optimistic lock: every write to the ticket item checks and bumps it. */
  readonly version: number;
  /** Set when the ticket was merged into another: threading, search and the API follow it there. */
  readonly mergedInto?: string;
  /** The agent who made the latest dashboard change (status, assignee, labels, priority); absent before any. */
  readonly changedBy?: string | null;
  /**
   * Ids of the ticket's deliveries that ended unsent in a way an agent must see (see core/notify/delivery-marks.ts);
   * an agent's retry takes its id out again. Absent when there are none.
   */
  readonly failedDeliveries?: readonly string[];
}

export type MessageDirection = 'inbound' | 'outbound' | 'note';

/** What a thread entry records when the desk wrote it about a change rather than an agent typing it. */
export type TicketEvent = 'participant-added' | 'participant-removed';

export interface StoredAttachment extends AttachmentInfo {
  /** S3 key under the attachments prefix (never under the inbound prefix, which triggers ingest), or under quarantine. */
  readonly key: string;
  /** True when SES found a virus in the mail: the part sits under the quarantine prefix and an agent must confirm to download it. */
  readonly quarantined?: boolean;
}

/** How an agent settled a held message. */
export interface HeldResolution {
  readonly action: 'accepted' | 'moved';
  /** The agent's email. */
  readonly by: string;
  readonly at: string;
  /** For `moved`: the ticket the message now opens. */
  readonly ticketId?: string;
  readonly number?: number;
}

/** Where an agent split an inbound message off to: the new ticket it opens. */
export interface MessageSplit {
  readonly ticketId: string;
  readonly number: number;
  /** The agent's email. */
  readonly by: string;
  readonly at: string;
}

export interface TicketMessage {
  readonly id: string;
  readonly ticketId: string;
  readonly direction: MessageDirection;
  readonly from: Mailbox;
  readonly to: Mailbox[];
  readonly cc: Mailbox[];
  readonly subject: string;
  readonly text: string;
  readonly reply: string;
  /** For inbound mail: how sure `reply` is only the new text (see {@link ReplyConfidence}); absent for agent messages. */
  readonly replyConfidence?: ReplyConfidence;
  readonly html: string | null;
  /** When the bodies were too large for the item: the S3 key of `{text, reply, html}` JSON; text/reply hold a preview. */
  readonly bodyKey: string | null;
  readonly messageId: string;
  readonly threadedBy: ThreadedBy;
  readonly classification: Classification | null;
  readonly attachments: StoredAttachment[];
  readonly createdAt: string;
  /** For inbound mail: the raw object in S3. */
  readonly rawKey: string | null;
  /** For agent messages: who wrote it. */
  readonly author: string | null;
  /** Set on the entries the desk writes about a change (stored as notes): which change. Absent on everything else. */
  readonly event?: TicketEvent;
  /**
   * True while an inbound message waits for an agent: it matched this ticket only by Message-ID or subject tag, from a
   * sender who is not on the ticket or failed authentication. A held message reopens nothing and is never relayed or
   * notified: the one field later steps check. Absent on older items (= false).
   */
  readonly held?: boolean;
  /** Why the message was held (kept after it is settled). */
  readonly heldReason?: string;
  readonly heldResolution?: HeldResolution;
  /** Inbound mail: SES's verdicts and what they prove about the sender. */
  readonly authentication?: SenderAuthentication;
  readonly authenticity?: Authenticity;
  /** Inbound mail: what agents should know about how it was stored (parts a limit dropped, a reused Message-ID). */
  readonly notices?: string[];
  /** True when another email already held this Message-ID: the index keeps pointing at that one, not at this message. */
  readonly messageIdTaken?: boolean;
  /** Inbound mail an agent split off into a new ticket (the ticket's first message is a copy). */
  readonly splitInto?: MessageSplit;
  /** For a message an agent moved out of a held state, or split off, into a new ticket: where it came from. */
  readonly movedFrom?: { readonly ticketId: string; readonly number: number };
  /** Inbound mail a team member forwarded to the desk for its original sender: who forwarded it. */
  readonly forwardedBy?: Mailbox;
}
