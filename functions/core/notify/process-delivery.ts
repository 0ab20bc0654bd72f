// core: use case: one delivery item → at most one email through SES, its outcome recorded on the item
import { LOGGED_METRICS, METRIC_LOG_FIELD } from '../../contracts';
import { isDeskAddress, type DeskConfig } from '../config/desk-config';
import { HelpdeskError, NotFoundError } from '../errors';
import { newId, normalizeMessageId } from '../ids';
import type { Log, ObjectStore } from '../ports';
import type { DeskSettings } from '../settings/desk-settings';
import { createAgentReplyToken, createReplyToken, replyAddress, type TokenKeys } from '../threading/reply-token';
import type { StoredAttachment } from '../types';
import { composeEmail, type AttachmentPart } from './compose-email';
import { marksTicket } from './delivery-marks';
import {
  MailRejectedError,
  type ClaimRequest,
  type ClaimResult,
  type Delivery,
  type DeliveryRepository,
  type Mailer,
} from './notify-ports';
import { deliveryRate } from './rate-limit';
import { sesHeaderMessageId } from './ses-message-id';
import { unsubscribeUrl } from './unsubscribe';
import type { WorkflowDeps } from '../workflow/workflow-ports';

/** SES v1 SendRawEmail refuses messages over 10 MB (after base64); keep headroom for headers and bodies. */
export const RAW_MESSAGE_LIMIT = 10 * 1024 * 1024;
const ATTACHMENT_BUDGET = Math.floor((RAW_MESSAGE_LIMIT - 256 * 1024) * 0.74);
/** After this many claims a delivery is `failed` for an agent to look at instead of retried again. */
export const MAX_ATTEMPTS = 5;
/** A delivery that failed for good always marks its ticket. */
const FAILED = { marksTicket: marksTicket({ status: 'failed' }) };

export interface NotifyDeps {
  readonly deliveries: DeliveryRepository;
  /** The desk's settings; callers cache this (see cachedSettings) so a send costs no read. */
  readonly settings: (deskId: string) => Promise<DeskSettings>;
  readonly mailer: Mailer;
  readonly store: ObjectStore;
  /** The bucket attachment keys refer to. */
  readonly bucket: string;
  readonly config: DeskConfig;
  readonly tokenKeys: TokenKeys;
  readonly clock: () => Date;
  /** The SES region: it decides the Message-ID form SES writes. */
  readonly region: string;
  readonly log: Log;
  /** Team notifications and webhooks from the table's other changes; without it those records are skipped. */
  readonly workflow?: WorkflowDeps;
}

export interface ProcessDeliveryInput {
  /** The delivery as the stream record showed it (its status may have moved on since). */
  readonly delivery: Delivery;
  /** How long the claim holds before another invocation may take over (the function's remaining time). */
  readonly leaseMs: number;
}

/** `retry`: not done, the event should be delivered again (a transient error, or a claim still in flight). */
export type ProcessOutcome = 'sent' | 'suppressed' | 'failed' | 'skipped' | 'retry';

/**
 * Sends the email a delivery item describes, exactly once as far as the table can tell.
 *
 * 1. Claim (one transaction): `pending → sending` with a lease, or take over a `sending` claim whose lease
 *    expired (a crash mid-send), checking the address is not undeliverable, the recipient has not
 *    unsubscribed and, for acknowledgements and team notices about inbound mail, their rate limit. A failed check makes the delivery
 *    `suppressed` with the reason; a claim held elsewhere or a finished delivery is left alone.
 * 2. Compose and send through SES.
 * 3. Record `sent` with SES's Message-ID and the Message-ID items replies thread by (one transaction).
 *
 * SES throttling or outages give the claim back (`pending`) and return `retry`; a rejected message, or the
 * fifth failed attempt, ends `failed` with the reason. A crash after SES accepted the message and before
 * step 3 is the one case that sends twice: the lease expires and a redelivered record sends again.
 *
 * @example const outcome = await processDelivery(deps, { delivery, leaseMs: 60_000 });
 */
export async function processDelivery(deps: NotifyDeps, input: ProcessDeliveryInput): Promise<ProcessOutcome> {
  const { delivery } = input;
  const context = { ticketId: delivery.ticketId, deliveryId: delivery.id, kind: delivery.kind };
  const log = {
    info: (message: string, extra: Record<string, unknown> = {}) => deps.log.info(message, { ...context, ...extra }),
    warn: (message: string, extra: Record<string, unknown> = {}) => deps.log.warn(message, { ...context, ...extra }),
  };
  const desk = deps.config.desks.find((d) => d.id === delivery.deskId) ?? deps.config.desks[0]!;
  const settings = await deps.settings(desk.id);
  const now = deps.clock();
  const at = now.toISOString();

  // The desk never mails itself (any +sub-address included): that is how loops start.
  if (isDeskAddress(deps.config, delivery.recipient.address)) {
    if (
      await deps.deliveries.markSuppressed(delivery, 'desk-address', at, {
        marksTicket: marksTicket({ status: 'suppressed', reason: 'desk-address' }),
      })
    )
      log.info('delivery suppressed', { reason: 'desk-address' });
    return 'suppressed';
  }
  const rate = deliveryRate(delivery, now, deps.config);
  if ((delivery.kind === 'ack' && !settings.ackEnabled) || rate?.limit === 0) {
    const reason = delivery.kind === 'ack' && !settings.ackEnabled ? 'acknowledgements-disabled' : 'rate-limited';
    if (await deps.deliveries.markSuppressed(delivery, reason, at, { marksTicket: marksTicket({ status: 'suppressed', reason: reason }) }))
      log.info('delivery suppressed', { reason });
    return 'suppressed';
  }

  const claimId = newId();
  const claim = await claimOrConfirm(deps, delivery, {
    delivery,
    claimId,
    now: at,
    leaseUntil: new Date(now.getTime() + input.leaseMs).toISOString(),
    rate,
  });
  if (claim.kind === 'blocked') {
    if (
      await deps.deliveries.markSuppressed(delivery, claim.reason, at, {
        marksTicket: marksTicket({ status: 'suppressed', reason: claim.reason }),
      })
    )
      log.info('delivery suppressed', { reason: claim.reason });
    return 'suppressed';
  }
  if (claim.kind === 'taken') {
    // Another invocation holds a live claim (or crashed holding it): look again after the lease.
    if (claim.status === 'sending' && claim.leaseUntil !== null && claim.leaseUntil >= at) {
      log.info('delivery is being sent elsewhere; retrying later', { leaseUntil: claim.leaseUntil });
      return 'retry';
    }
    log.info('delivery already handled', { status: claim.status });
    return 'skipped';
  }

  const ourMessageId = `<${delivery.id}@${deps.config.domain}>`;
  let sesMessageId: string;
  try {
    const { attachments, linked } = await fetchAttachments(deps, delivery.content.attachments);
    const compose = (parts: readonly AttachmentPart[], links: readonly StoredAttachment[]) =>
      composeEmail({
        delivery,
        desk,
        settings,
        messageId: ourMessageId,
        // A team notice's token names its member: their emailed answer becomes an internal note (ingest-agent-note.ts).
        replyTo: replyAddress(
          desk.address,
          delivery.kind === 'agent-notice'
            ? createAgentReplyToken(deps.tokenKeys, delivery.ticketId, delivery.recipient.address)
            : createReplyToken(deps.tokenKeys, delivery.ticketId),
        ),
        // Acknowledgements and team notifications are not a conversation one unsubscribes from.
        unsubscribeUrl:
          delivery.kind === 'ack' || delivery.kind === 'agent-notice'
            ? null
            : unsubscribeUrl(deps.config.dashboardUrl, deps.tokenKeys, delivery.ticketId, delivery.recipient.address),
        ticketUrl: ticketUrl(deps.config.dashboardUrl, delivery.ticketId),
        attachments: parts,
        linkedAttachments: links,
        date: now,
      });
    let email = await compose(attachments, linked);
    // The size estimate missed (many small parts, long bodies): send every attachment as a link instead.
    if (email.raw.byteLength > RAW_MESSAGE_LIMIT && attachments.length > 0) email = await compose([], delivery.content.attachments);
    if (email.raw.byteLength > RAW_MESSAGE_LIMIT)
      throw new MailRejectedError(`message is ${email.raw.byteLength} bytes, over the SES limit`);
    sesMessageId = await deps.mailer.send(email.raw, { to: delivery.recipient.address, from: email.from });
  } catch (error) {
    const reason = describe(error);
    // Both failures carry the metric field: the stack counts them and alarms, as nothing retries them.
    const failedForGood = { [METRIC_LOG_FIELD]: LOGGED_METRICS.deliveryFailed };
    if (error instanceof MailRejectedError || error instanceof NotFoundError) {
      await deps.deliveries.markFailed(delivery, claimId, reason, at, FAILED);
      log.warn('delivery failed for good', { reason, ...failedForGood });
      return 'failed';
    }
    // Given back for another try while attempts remain; after the last one the delivery ends failed for an agent.
    if (!(await deps.deliveries.release(delivery, claimId, reason, at, MAX_ATTEMPTS))) {
      await deps.deliveries.markFailed(delivery, claimId, `${reason} (gave up after ${MAX_ATTEMPTS} attempts)`, at, FAILED);
      log.warn('delivery failed after the last attempt', { reason, attempts: MAX_ATTEMPTS, ...failedForGood });
      return 'failed';
    }
    log.warn('sending failed; will retry', { reason });
    return 'retry';
  }

  const sent = {
    ticketId: delivery.ticketId,
    deliveryId: delivery.id,
    claimId,
    at: deps.clock().toISOString(),
    sesMessageId,
    messageIds: [sesHeaderMessageId(sesMessageId, deps.region), ourMessageId].map(normalizeMessageId),
    recipient: delivery.recipient.address.toLowerCase(),
  };
  // The email is out: giving up here would leave the delivery `sending` (and replies unthreaded) long after
  // the stream stops retrying, so the record is retried in place. It is conditional on our claim: safe to repeat.
  const recorded = await withRetries(() => deps.deliveries.markSent(sent));
  if (!recorded) log.warn('sent, but the claim had expired and was taken over: the email may go out twice', { sesMessageId });
  else log.info('delivery sent', { sesMessageId, recipient: delivery.recipient.address });
  return 'sent';
}

const IN_PLACE_ATTEMPTS = 4;

/** Runs a write again after an error, with a short backoff; the last error is thrown. */
async function withRetries<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= IN_PLACE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/**
 * Claims the delivery. When the claim call fails (a timeout may hide a committed claim whose answer was lost),
 * a consistent read tells whether it is ours; otherwise the delivery would sit claimed by nobody until its lease
 * ended, after the stream had given up on it.
 */
async function claimOrConfirm(deps: NotifyDeps, delivery: Delivery, request: ClaimRequest): Promise<ClaimResult> {
  try {
    return await deps.deliveries.claim(request);
  } catch (error) {
    const ours = await withRetries(() => deps.deliveries.isClaimedBy(delivery.ticketId, delivery.id, request.claimId)).catch(() => false);
    if (ours) return { kind: 'claimed' };
    throw error;
  }
}

/** The dashboard's page for a ticket. */
export function ticketUrl(dashboardUrl: string, ticketId: string): string {
  return `${dashboardUrl.replace(/\/+$/, '')}/#/tickets/${ticketId}`;
}

/** Attachments within the size budget are fetched; if together they would break the SES limit, none are. */
async function fetchAttachments(
  deps: NotifyDeps,
  stored: readonly StoredAttachment[],
): Promise<{ attachments: AttachmentPart[]; linked: readonly StoredAttachment[] }> {
  const total = stored.reduce((sum, a) => sum + a.size, 0);
  if (total > ATTACHMENT_BUDGET) return { attachments: [], linked: stored };
  const attachments: AttachmentPart[] = [];
  for (const a of stored) {
    attachments.push({
      filename: a.filename,
      contentType: a.contentType,
      content: await deps.store.get(deps.bucket, a.key),
      cid: a.inline ? a.cid : null,
    });
  }
  return { attachments, linked: [] };
}

/** The reason agents see: our own errors already say what failed; others keep their class name. */
function describe(error: unknown): string {
  const text = error instanceof HelpdeskError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 500);
}
