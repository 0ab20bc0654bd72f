// core: use case: outgoing mail that is stuck (pending, or sending after its lease) goes back to the notify function
import type { Log } from '../ports';

/** A delivery that has not reached an end state, as a scan of the table shows it. */
export interface UnsentDelivery {
  readonly ticketId: string;
  readonly deliveryId: string;
  readonly status: 'pending' | 'sending';
  /** When the item last changed (created, claimed, given back). */
  readonly updatedAt: string;
  /** Until when a `sending` claim holds; null when none. */
  readonly leaseUntil: string | null;
}

/**
 * One stream batch the notify function's event source mapping gave up on (Lambda's on-failure record). It names
 * stream positions only, not the records: the deliveries it concerns are found by their own state.
 */
export interface FailedStreamBatch {
  /** What removes it from where it is kept (an SQS receipt handle, a line of the local file). */
  readonly handle: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  /** Why Lambda gave up, e.g. `RetryAttemptsExhausted`, `RecordAgeExceeded`. */
  readonly condition: string;
}

/** Where the notify function's failed stream batches are kept: the SQS on-failure queue, or the local stack's file. */
export interface FailedBatchStore {
  /** Every batch kept now (each read hides it from other readers for a while, as SQS does). */
  receive(): Promise<FailedStreamBatch[]>;
  /** Deletes batches once what they concern has been re-driven. */
  remove(batches: readonly FailedStreamBatch[]): Promise<void>;
}

/** The deliveries a redrive looks at, and the one write it makes. */
export interface RedriveRepository {
  /** Every delivery item that is `pending` or `sending` (a scan: this is an operator's tool, not a request path). */
  unsent(): AsyncIterable<UnsentDelivery>;
  /**
   * Puts the delivery back to `pending` with a new `retryRequestedAt`, which the notify function's stream filter
   * and handler take as a request to send (as an agent's Retry), if it is still waiting since `cutoff` or still
   * `sending` after its lease at `at`. False when it moved on meanwhile (sent, claimed again, updated).
   */
  requestSend(delivery: UnsentDelivery, at: string, cutoff: string): Promise<boolean>;
}

export interface RedriveDeps {
  readonly deliveries: RedriveRepository;
  readonly failures: FailedBatchStore;
  readonly clock: () => Date;
  readonly log: Log;
}

export interface RedriveInput {
  /** A `pending` delivery younger than this may still be on its way through the stream: left alone. */
  readonly olderThanMs: number;
  /** Only report what would be re-driven; change nothing. */
  readonly dryRun: boolean;
}

export interface RedriveSummary {
  /** Deliveries asked to be sent again (or, in a dry run, that would be). */
  readonly redriven: readonly (UnsentDelivery & { readonly reason: RedriveReason })[];
  /** `pending` deliveries younger than `olderThanMs`, or `sending` ones whose lease still holds. */
  readonly inFlight: number;
  /** Deliveries that moved on between the scan and the write (someone else sent or claimed them). */
  readonly movedOn: number;
  /** Failed stream batches found, and removed (none in a dry run). */
  readonly failedBatches: number;
  readonly removedBatches: number;
}

export type RedriveReason = 'pending' | 'lease-expired';

/**
 * Why a delivery needs sending again at `now`, or null when it should be left alone: a `pending` delivery older
 * than `olderThanMs` (its stream record was discarded, or it was given back and never retried), or a `sending`
 * one whose lease is over (the invocation holding it died).
 */
export function redriveReason(delivery: UnsentDelivery, now: Date, olderThanMs: number): RedriveReason | null {
  if (delivery.status === 'pending') return Date.parse(delivery.updatedAt) <= now.getTime() - olderThanMs ? 'pending' : null;
  return delivery.leaseUntil !== null && Date.parse(delivery.leaseUntil) < now.getTime() ? 'lease-expired' : null;
}

/**
 * Re-drives stuck outgoing mail and empties the notify failure store. Each delivery is one item, and only the
 * notify function sends, after its conditional claim: re-driving a delivery twice (two runs, or a run beside a
 * stream retry) cannot send it twice, since the second claim finds it `sent` or held.
 *
 * The failed batches are read first and removed last: every delivery a batch concerns is either finished or still
 * `pending`/`sending`, where the scan in between finds it. A run that fails midway removes nothing.
 * @example await redriveDeliveries(deps, { olderThanMs: 5 * 60_000, dryRun: false })
 */
export async function redriveDeliveries(deps: RedriveDeps, input: RedriveInput): Promise<RedriveSummary> {
  const batches = await deps.failures.receive();
  const now = deps.clock();
  const at = now.toISOString();
  const cutoff = new Date(now.getTime() - input.olderThanMs).toISOString();
  const redriven: (UnsentDelivery & { reason: RedriveReason })[] = [];
  let inFlight = 0;
  let movedOn = 0;

  for await (const delivery of deps.deliveries.unsent()) {
    const reason = redriveReason(delivery, now, input.olderThanMs);
    if (!reason) {
      inFlight += 1;
      continue;
    }
    if (!input.dryRun && !(await deps.deliveries.requestSend(delivery, at, cutoff))) {
      movedOn += 1;
      continue;
    }
    redriven.push({ ...delivery, reason });
    deps.log.info(input.dryRun ? 'would re-drive delivery' : 'delivery re-driven', {
      ticketId: delivery.ticketId,
      deliveryId: delivery.deliveryId,
      reason,
    });
  }

  if (!input.dryRun && batches.length > 0) await deps.failures.remove(batches);
  return { redriven, inFlight, movedOn, failedBatches: batches.length, removedBatches: input.dryRun ? 0 : batches.length };
}

/**
 * Reads Lambda's on-failure record for a stream event source (`DDBStreamBatchInfo`); null for anything else (an
 * SQS message that is not such a record is left where it is).
 */
export function parseFailedBatch(json: string, handle: string): FailedStreamBatch | null {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return null;
  }
  const value = record as { DDBStreamBatchInfo?: Record<string, unknown>; requestContext?: { condition?: unknown } } | null;
  const info = value?.DDBStreamBatchInfo;
  if (typeof info !== 'object' || info === null) return null;
  const text = (key: string) => (typeof info[key] === 'string' ? info[key] : '');
  return {
    handle,
    shardId: text('shardId'),
    startSequenceNumber: text('startSequenceNumber'),
    endSequenceNumber: text('endSequenceNumber'),
    batchSize: typeof info.batchSize === 'number' ? info.batchSize : 0,
    condition: typeof value?.requestContext?.condition === 'string' ? value.requestContext.condition : 'unknown',
  };
}
