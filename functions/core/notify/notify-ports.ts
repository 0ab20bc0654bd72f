// core: the ports the notify and bounce use cases need (delivery storage, the mail sender, settings)
import { HelpdeskError } from '../errors';
import type { AddressFeedback } from '../feedback/address-feedback';
import type { NewDelivery } from '../ports';
import type { DeskSettings } from '../settings/desk-settings';
import type { LateEnd } from './delivery-marks';

/**
 * Where an outgoing email stands; `failed`, `bounced`, `complained` and `suppressed` are shown to agents with `lastError`.
 * `bounced` and `complained` are set after `sent`, by a bounce for good or a complaint SES or a mail server reports later.
 */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'bounced' | 'complained' | 'suppressed';

/** Why a delivery was not sent; stored as its `lastError`. */
export type SuppressionReason = 'undeliverable' | 'unsubscribed' | 'rate-limited' | 'acknowledgements-disabled' | 'desk-address';

/** Whether a delivery that ends unsent marks its ticket (decided by core/notify/delivery-marks.ts). */
export interface TicketMark {
  readonly marksTicket: boolean;
}

/**
 * A sent delivery that a later report ends (decided by `lateEnd` in core/notify/delivery-marks.ts). Written only while the
 * delivery is still `sent`, the state core read; with `marksTicket`, the ticket keeps the delivery's id in
 * `failedDeliveries` and gets the failed-delivery term in the same transaction.
 */
export interface LateEndWrite extends TicketMark {
  readonly ticketId: string;
  readonly deliveryId: string;
  readonly deskId: string;
  readonly status: LateEnd;
}

/** A delivery item as stored: the email to send plus its progress. */
export interface Delivery extends NewDelivery {
  readonly status: DeliveryStatus;
  /** Claims so far (each claim is one attempt to send). */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly updatedAt: string;
  /** While `sending`: when the claim expires and another invocation may take over (ISO). */
  readonly leaseUntil?: string | null;
  readonly sesMessageId?: string | null;
  readonly sentAt?: string | null;
}

export interface ClaimRequest {
  readonly delivery: Delivery;
  /** Identifies this claim, so later writes change the item only while the claim is still ours. */
  readonly claimId: string;
  readonly now: string;
  readonly leaseUntil: string;
  /** The recipient's counter for a window to take one from (acknowledgements, relays, team notices; see rate-limit.ts). */
  readonly rate: { readonly window: string; readonly limit: number; readonly expiresAt: number } | null;
}

/** The outcome of a claim: ours to send, blocked by a check, or not ours (sent already, or in flight elsewhere). */
export type ClaimResult =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'blocked'; readonly reason: SuppressionReason }
  | { readonly kind: 'taken'; readonly status: DeliveryStatus | null; readonly leaseUntil: string | null };

export interface SentRecord {
  readonly ticketId: string;
  readonly deliveryId: string;
  readonly claimId: string;
  readonly at: string;
  /** The id SES answered with (its API form). */
  readonly sesMessageId: string;
  /** Normalised Message-IDs that must point back to the ticket: SES's header form and our own. */
  readonly messageIds: readonly string[];
  /** Whom the email went to: kept on the Message-ID items, so a bounce proves it is about this recipient. */
  readonly recipient: string;
}

/** Delivery storage for the notify and bounces functions; every write is conditional on the claim it follows. */
export interface DeliveryRepository {
  /**
   * Takes a delivery for sending in one transaction: `pending → sending` (or a `sending` claim whose lease
   * expired), checking that the address is deliverable, the recipient has not unsubscribed from the ticket
   * and, for rate-limited kinds, taking one from the recipient's counter (`rate`).
   */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** True when the delivery is `sending` under this claim (a consistent read), e.g. after a claim's answer was lost. */
  isClaimedBy(ticketId: string, deliveryId: string, claimId: string): Promise<boolean>;
  /** Records the sent email and its Message-IDs together; false when the claim was lost meanwhile. */
  markSent(record: SentRecord): Promise<boolean>;
  /**
   * Gives the claim back (`sending → pending`) after an error a retry can cure, while fewer than `maxAttempts`
   * claims were made; false when it was not given back (the attempts are used up, or the claim was lost).
   */
  release(delivery: Delivery, claimId: string, error: string, at: string, maxAttempts: number): Promise<boolean>;
  /**
   * Ends a claimed delivery as `failed` with the reason agents see; with `marksTicket`, its ticket keeps the delivery's id
   * in `failedDeliveries` (and the inbox's failed-delivery view finds it) in the same write.
   */
  markFailed(delivery: Delivery, claimId: string, error: string, at: string, mark: TicketMark): Promise<void>;
  /** Ends an unclaimed delivery as `suppressed` (marking its ticket as {@link markFailed} does); false when it was no longer waiting. */
  markSuppressed(delivery: Delivery, reason: SuppressionReason, at: string, mark: TicketMark): Promise<boolean>;
  /** The ticket and delivery a stored (normalised) Message-ID belongs to. */
  findByMessageId(normalizedId: string): Promise<{ ticketId: string; deliveryId: string | null } | null>;
  /** One delivery (a consistent read); null when it does not exist. */
  getDelivery(ticketId: string, deliveryId: string): Promise<Delivery | null>;
  /**
   * Marks addresses and, when a report ends it, the delivery (and its ticket, see {@link LateEndWrite}), in one
   * transaction. @throws ConcurrentUpdateError when the delivery is no longer `sent` (another report or a retry came first).
   */
  recordFeedback(feedback: readonly AddressFeedback[], end: LateEndWrite | null, at: string, reason: string): Promise<void>;
  /** Adds the address to the ticket's `unsubscribed` set. @throws NotFoundError when the ticket does not exist. */
  unsubscribeParticipant(ticketId: string, address: string): Promise<void>;
}

/** Per-desk settings storage. */
export interface SettingsRepository {
  /** The desk's settings, or the defaults when none were saved. */
  getSettings(deskId: string): Promise<DeskSettings>;
  saveSettings(settings: DeskSettings): Promise<void>;
}

export interface SendOptions {
  /** Where the envelope goes (SES `Destinations`); the headers name the same address. */
  readonly to: string;
  readonly from: string;
}

/** Sends one raw MIME message; returns the id the sending service gave it. */
export interface Mailer {
  /** @throws MailRejectedError (do not retry) or MailTemporaryError (retry later) */
  send(raw: Uint8Array, options: SendOptions): Promise<string>;
}

/** The sending service refused this message for good (rejected content, invalid address, unverified sender). */
export class MailRejectedError extends HelpdeskError {
  constructor(message: string, options?: ErrorOptions) {
    super('MAIL_REJECTED', message, options);
    this.name = 'MailRejectedError';
  }
}

/** The sending service could not take the message now (throttling, outage); the same message can be retried. */
export class MailTemporaryError extends HelpdeskError {
  constructor(message: string, options?: ErrorOptions) {
    super('MAIL_TEMPORARY', message, options);
    this.name = 'MailTemporaryError';
  }
}
