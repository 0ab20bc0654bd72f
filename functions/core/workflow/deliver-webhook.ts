// core: use case: one stored webhook delivery → signed POSTs with backoff until the receiver takes it, or failed
import { HelpdeskError } from '../errors';
import { newId } from '../ids';
import { SIGNATURE_HEADER, webhookSignature } from './webhook-signature';
import type { WebhookKey, WorkflowDeps } from './workflow-ports';

/** The parts of WorkflowDeps that delivering a webhook uses. */
export type WebhookDeps = Pick<WorkflowDeps, 'repository' | 'sender' | 'config' | 'clock' | 'log' | 'retryDelaysMs' | 'sleep'>;

/** Waits before the 2nd, 3rd and 4th POST; the event is then kept `failed` for an agent (or a retry) to look at. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 4_000, 10_000];

/** `retry`: the delivery is in flight elsewhere; look again after its lease. */
export type WebhookOutcome = 'sent' | 'failed' | 'skipped' | 'retry';

/**
 * POSTs one webhook delivery, exactly once as far as the receiver's 2xx and our record tell: claims it (a `sent` or
 * `failed` one is left alone, so a redelivered stream record posts nothing again), then POSTs the stored body with
 * `X-Sesdesk-Signature`, retrying with backoff (the same body and event id every time) until a 2xx, and records the
 * outcome. A receiver that keeps failing leaves the delivery `failed`, kept for inspection and retry.
 * @example await deliverWebhook(deps, { ticketId, eventId, hookIndex: 0 }, 60_000)
 */
export async function deliverWebhook(deps: WebhookDeps, key: WebhookKey, leaseMs: number): Promise<WebhookOutcome> {
  const now = deps.clock();
  const claimId = newId();
  const claim = await deps.repository.claimWebhook(key, claimId, now.toISOString(), new Date(now.getTime() + leaseMs).toISOString());
  const context = { ticketId: key.ticketId, eventId: key.eventId, hookIndex: key.hookIndex };
  if (claim.kind === 'taken') {
    if (claim.status === 'sending' && claim.leaseUntil !== null && claim.leaseUntil >= now.toISOString()) return 'retry';
    return 'skipped';
  }
  const { delivery } = claim;
  const hook = deps.config.webhooks[delivery.hookIndex];
  const record = (status: 'sent' | 'failed' | 'sending', error: string | null, httpStatus: number | null) =>
    deps.repository.recordWebhookAttempt(key, claimId, { status, at: deps.clock().toISOString(), error, httpStatus });
  if (!hook || hook.url !== delivery.url) {
    await record('failed', 'the webhook is no longer configured', null);
    deps.log.warn('webhook no longer configured', context);
    return 'failed';
  }
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'sesdesk-webhooks',
    [SIGNATURE_HEADER]: webhookSignature(delivery.body, hook.secret),
    'X-Sesdesk-Event': delivery.eventType,
    'X-Sesdesk-Event-Id': delivery.eventId,
  };
  const delays = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt += 1) {
    let error: string;
    let httpStatus: number | null = null;
    try {
      httpStatus = await deps.sender.post(delivery.url, delivery.body, headers);
      if (httpStatus >= 200 && httpStatus < 300) {
        await record('sent', null, httpStatus);
        deps.log.info('webhook delivered', { ...context, type: delivery.eventType, attempts: attempt + 1 });
        return 'sent';
      }
      error = `the receiver answered HTTP ${httpStatus}`;
    } catch (cause) {
      error = cause instanceof HelpdeskError || cause instanceof Error ? cause.message : String(cause);
    }
    if (attempt >= delays.length) {
      await record('failed', `${error} (gave up after ${attempt + 1} attempts)`, httpStatus);
      deps.log.warn('webhook failed', { ...context, type: delivery.eventType, error, attempts: attempt + 1 });
      return 'failed';
    }
    await record('sending', error, httpStatus);
    deps.log.info('webhook attempt failed; retrying', { ...context, error, attempt: attempt + 1 });
    await sleep(delays[attempt]!);
  }
}
