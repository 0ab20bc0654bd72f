// local stack: fault injection for the reliability suite and the tests: throttled, timed-out or rejected AWS calls and crashes at named points
import { MAIL_PREFIXES } from '../../functions/contracts';
import type { FinalizeRequestMiddleware, InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import type { DeliveryRepository } from '../../functions/core/notify/notify-ports';
import type { NotifyDeps } from '../../functions/core/notify/process-delivery';
import type { ObjectStore, TicketRepository } from '../../functions/core/ports';
import type { IngestDeps } from '../../functions/core/ingest/ingest-email';

/** The AWS services whose clients the handlers use. */
export type FaultService = 'dynamodb' | 's3' | 'ses';

/**
 * What an injected fault does to one request attempt: `throttle` fails it before it is sent (the service's
 * throttling error), `timeout-before` fails it as a timeout before it is sent, `timeout-after` sends it and
 * then loses the response (the service did the work; the caller sees a timeout): the nasty one.
 */
export type FaultKind = 'throttle' | 'timeout-before' | 'timeout-after';

/**
 * Where a handler can be made to die: `after-s3-read` (ingest read the raw mail), `between-writes` (ingest
 * took a ticket number, before its transaction), `after-ses-accepted` (notify: SES accepted the email,
 * before `sent` was recorded).
 */
export type CrashPoint = 'after-s3-read' | 'between-writes' | 'after-ses-accepted';

export const CRASH_POINTS: readonly CrashPoint[] = ['after-s3-read', 'between-writes', 'after-ses-accepted'];
const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'timeout-before', 'timeout-after'];

/**
 * A fault a test arms for the next calls of one operation: the kinds above, or `reject` (the service refuses
 * the request for good: SES `MessageRejected`, DynamoDB `ValidationException`, S3 `AccessDenied`).
 */
export interface ScriptedFault {
  readonly service: FaultService;
  /** The API operation, as AWS names it: `TransactWriteItems`, `SendRawEmail`. Any operation when absent. */
  readonly operation?: string;
  readonly kind: FaultKind | 'reject';
  /** How many calls fail, one after the other. @default 1 */
  readonly times?: number;
}

export interface FaultOptions {
  /** Share (0..1) of request attempts to each service that fail. @default 0 */
  readonly dynamodb?: number;
  readonly s3?: number;
  readonly ses?: number;
  /** Seed of the PRNG that picks the faults. @default 1 */
  readonly seed?: number;
  /** Kinds of fault to pick from, uniformly. @default all three */
  readonly kinds?: readonly FaultKind[];
  /** How many times each crash point fires (the first N times the point is reached). */
  readonly crashes?: Partial<Record<CrashPoint, number>>;
}

/** Thrown at a crash point: stands for the process dying there (nothing after it runs). */
export class SimulatedCrash extends Error {
  constructor(readonly point: CrashPoint) {
    super(`simulated crash at ${point}`);
    this.name = 'SimulatedCrash';
  }
}

/** What was injected so far, for reports and for tests that bound their effects. */
export interface FaultStats {
  /** Faults by `<service>:<kind>`, e.g. `ses:timeout-after`. */
  readonly injected: Map<string, number>;
  /** Request attempts seen, by service. */
  readonly attempts: Map<FaultService, number>;
  readonly crashes: Map<CrashPoint, number>;
}

export interface FaultInjector {
  readonly options: FaultOptions;
  readonly stats: FaultStats;
  /** Adds the fault middleware to a client of `service` (inside the SDK's retry loop, so its retries see the faults). */
  instrument<I extends object, O extends object>(service: FaultService, client: { readonly middlewareStack: MiddlewareStack<I, O> }): void;
  /** Wraps the ports of ingest and notify with the configured crash points. */
  wrapDeps<R extends { readonly ingest: IngestDeps; readonly notify: NotifyDeps }>(runtime: R): R;
  /**
   * Arms a scripted fault. It acts on whole calls, outside the SDK's retry loop: the caller gets exactly the
   * scripted error, as when every retry failed, and a `timeout-after` call did all its work before it.
   * @example faults.failNext({ service: 'dynamodb', operation: 'TransactWriteItems', kind: 'timeout-after' });
   */
  failNext(fault: ScriptedFault): void;
  /** Arms a crash point for its next `times` arrivals (as `crashes` does at creation). @default times 1 */
  crashNext(point: CrashPoint, times?: number): void;
  /** Disarms every scripted fault and crash that has not fired yet. */
  disarm(): void;
  /** One line for logs: `dynamodb=0.2 ses=0.2 seed=7 crash=after-s3-read:1`. */
  describe(): string;
}

/** mulberry32: a small, fast, seedable PRNG; the same seed gives the same sequence of decisions. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, 32 bits: a fixed number per service name. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}

/** Name, message and HTTP status of each service's error for a throttled and for a refused request. */
const SERVICE_ERRORS: Record<'throttle' | 'reject', Record<FaultService, readonly [string, string, number]>> = {
  throttle: {
    dynamodb: ['ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.', 400],
    ses: ['Throttling', 'Maximum sending rate exceeded.', 400],
    s3: ['SlowDown', 'Please reduce your request rate.', 503],
  },
  reject: {
    dynamodb: ['ValidationException', 'One or more parameter values were invalid.', 400],
    ses: ['MessageRejected', 'Email address is not verified.', 400],
    s3: ['AccessDenied', 'Access Denied', 403],
  },
};

/** A service error shaped like the SDK's own, so its retry strategy and our adapters classify it as they would the real one. */
function serviceError(kind: 'throttle' | 'reject', service: FaultService): Error {
  const [name, message, status] = SERVICE_ERRORS[kind][service];
  return Object.assign(new Error(`${message} (injected)`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
    ...(kind === 'throttle' ? { $retryable: { throttling: true } } : {}),
  });
}

/** The error a service returns when it throttles (retried by the SDK as throttling). */
export function throttlingError(service: FaultService): Error {
  return serviceError('throttle', service);
}

/** The error a service returns when it refuses a request for good (not retried). */
export function rejectionError(service: FaultService): Error {
  return serviceError('reject', service);
}

/** A request timeout as the SDK's HTTP handler raises it (retried by the SDK as a transient error). */
export function timeoutError(): Error {
  return Object.assign(new Error('Request timed out (injected)'), { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: {} });
}

/**
 * Parses `SESDESK_FAULTS`: comma-separated `service=share`, `seed=n`, `kinds=throttle+timeout-after` and
 * `crash=<point>[:times]`, e.g. `dynamodb=0.2,ses=0.2,seed=7,crash=after-s3-read:2`.
 * @throws Error naming the first part it does not understand.
 */
export function parseFaultSpec(spec: string): FaultOptions {
  const options: { -readonly [K in keyof FaultOptions]: FaultOptions[K] } = {};
  const crashes: Partial<Record<CrashPoint, number>> = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name = '', value = ''] = part.split('=', 2).map((s) => s.trim());
    if (name === 'dynamodb' || name === 's3' || name === 'ses') {
      const share = Number(value);
      if (!(share >= 0 && share <= 1)) throw new Error(`SESDESK_FAULTS: ${part}: the share must be between 0 and 1`);
      options[name] = share;
    } else if (name === 'seed') {
      if (!/^\d+$/.test(value)) throw new Error(`SESDESK_FAULTS: ${part}: the seed must be a whole number`);
      options.seed = Number(value);
    } else if (name === 'kinds') {
      const kinds = value.split('+');
      const unknown = kinds.find((k) => !FAULT_KINDS.includes(k as FaultKind));
      if (unknown !== undefined) throw new Error(`SESDESK_FAULTS: unknown fault kind ${unknown} (known: ${FAULT_KINDS.join(', ')})`);
      options.kinds = kinds as FaultKind[];
    } else if (name === 'crash') {
      const [point = '', times = '1'] = value.split(':');
      if (!CRASH_POINTS.includes(point as CrashPoint))
        throw new Error(`SESDESK_FAULTS: unknown crash point ${point} (known: ${CRASH_POINTS.join(', ')})`);
      if (!/^\d+$/.test(times)) throw new Error(`SESDESK_FAULTS: ${part}: the count must be a whole number`);
      crashes[point as CrashPoint] = Number(times);
    } else {
      throw new Error(`SESDESK_FAULTS: cannot read "${part}" (expected dynamodb=, s3=, ses=, seed=, kinds= or crash=)`);
    }
  }
  if (Object.keys(crashes).length > 0) options.crashes = crashes;
  return options;
}

/** A fault injector from `SESDESK_FAULTS`, or undefined when it is unset or empty (the default: no faults). */
export function faultInjectorFromEnv(env: NodeJS.ProcessEnv = process.env): FaultInjector | undefined {
  const spec = env.SESDESK_FAULTS?.trim();
  return spec ? createFaultInjector(parseFaultSpec(spec)) : undefined;
}

/**
 * Creates the injector. Each service draws from its own seeded PRNG, so the n-th attempt on a service gets the
 * same decision whatever the other services did in between; with concurrent handlers the order of attempts
 * varies, so a seed reproduces each service's sequence of decisions, not which request gets which.
 *
 * @example
 * const faults = createFaultInjector({ dynamodb: 0.2, ses: 0.2, seed: 7 });
 * const runtime = createLocalRuntime({ ...options, faults });
 */
export function createFaultInjector(options: FaultOptions): FaultInjector {
  const seed = options.seed ?? 1;
  const streams = new Map<FaultService, () => number>();
  const randomFor = (service: FaultService) => {
    let stream = streams.get(service);
    if (!stream) {
      // The seed spread (golden-ratio multiply) and mixed with the service name's FNV-1a hash: one independent,
      // reproducible stream per service.
      stream = seededRandom((Math.imul(seed, 0x9e3779b9) ^ fnv1a(service)) >>> 0);
      streams.set(service, stream);
    }
    return stream;
  };
  const kinds = options.kinds && options.kinds.length > 0 ? options.kinds : FAULT_KINDS;
  const stats: FaultStats = { injected: new Map(), attempts: new Map(), crashes: new Map() };
  const left = new Map<CrashPoint, number>(Object.entries(options.crashes ?? {}) as [CrashPoint, number][]);
  const scripted: { fault: ScriptedFault; left: number }[] = [];
  const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

  /** Throws at `point` while it has crashes left. */
  const crashAt = (point: CrashPoint): void => {
    const remaining = left.get(point) ?? 0;
    if (remaining <= 0) return;
    left.set(point, remaining - 1);
    bump(stats.crashes, point);
    throw new SimulatedCrash(point);
  };

  const middleware =
    <I extends object, O extends object>(service: FaultService): FinalizeRequestMiddleware<I, O> =>
    (next) =>
    async (args) => {
      bump(stats.attempts, service);
      const share = options[service] ?? 0;
      const random = randomFor(service);
      if (share <= 0 || random() >= share) return next(args);
      const kind = kinds[Math.floor(random() * kinds.length)]!;
      bump(stats.injected, `${service}:${kind}`);
      if (kind === 'throttle') throw throttlingError(service);
      if (kind === 'timeout-before') throw timeoutError();
      await next(args);
      throw timeoutError();
    };

  /** The first armed fault for this call, used up by one; undefined when none applies. */
  const takeScripted = (service: FaultService, commandName: string | undefined): ScriptedFault | undefined => {
    const index = scripted.findIndex(
      ({ fault }) => fault.service === service && (fault.operation === undefined || `${fault.operation}Command` === commandName),
    );
    if (index < 0) return undefined;
    const entry = scripted[index]!;
    entry.left -= 1;
    if (entry.left <= 0) scripted.splice(index, 1);
    return entry.fault;
  };

  const scriptedMiddleware =
    <I extends object, O extends object>(service: FaultService): InitializeMiddleware<I, O> =>
    (next, context) =>
    async (args) => {
      const fault = takeScripted(service, context.commandName);
      if (!fault) return next(args);
      bump(stats.injected, `${service}:${fault.kind}`);
      if (fault.kind === 'throttle') throw throttlingError(service);
      if (fault.kind === 'reject') throw rejectionError(service);
      if (fault.kind === 'timeout-before') throw timeoutError();
      await next(args);
      throw timeoutError();
    };

  return {
    options,
    stats,
    instrument(service, client) {
      // Low priority in finalizeRequest runs inside the retry middleware: every attempt is a fresh draw.
      client.middlewareStack.add(middleware(service), { step: 'finalizeRequest', priority: 'low', name: `sesdeskFaults-${service}` });
      // Scripted faults act on the call as its caller sees it, so they go before the SDK's retries.
      client.middlewareStack.add(scriptedMiddleware(service), { step: 'initialize', name: `sesdeskScriptedFaults-${service}` });
    },
    failNext(fault) {
      scripted.push({ fault, left: fault.times ?? 1 });
    },
    crashNext(point, times = 1) {
      left.set(point, (left.get(point) ?? 0) + times);
    },
    disarm() {
      scripted.length = 0;
      left.clear();
    },
    wrapDeps(runtime) {
      const store = crashingStore(runtime.ingest.store, () => crashAt('after-s3-read'));
      const tickets = crashingTickets(runtime.ingest.tickets, () => crashAt('between-writes'));
      const deliveries = crashingDeliveries(runtime.notify.deliveries, () => crashAt('after-ses-accepted'));
      return { ...runtime, ingest: { ...runtime.ingest, store, tickets }, notify: { ...runtime.notify, deliveries } };
    },
    describe() {
      const parts = (['dynamodb', 's3', 'ses'] as const).filter((s) => (options[s] ?? 0) > 0).map((s) => `${s}=${options[s]}`);
      parts.push(`seed=${options.seed ?? 1}`);
      if (options.kinds) parts.push(`kinds=${options.kinds.join('+')}`);
      for (const [point, times] of Object.entries(options.crashes ?? {})) parts.push(`crash=${point}:${times}`);
      return parts.join(' ');
    },
  };
}

/** `after-s3-read`: the raw mail was read (inbound/ keys only, as ingest reads them), then the handler dies. */
export function crashingStore(store: ObjectStore, crash: () => void): ObjectStore {
  return {
    get: async (bucket, key) => {
      const body = await store.get(bucket, key);
      if (key.startsWith(MAIL_PREFIXES.inbound)) crash();
      return body;
    },
    put: (bucket, key, body, contentType) => store.put(bucket, key, body, contentType),
    copy: (bucket, fromKey, toKey) => store.copy(bucket, fromKey, toKey),
    list: (bucket, prefix) => store.list(bucket, prefix),
  };
}

/** `between-writes`: the ticket number was taken (the counter moved), then the handler dies before its transaction. */
export function crashingTickets<T extends TicketRepository>(tickets: T, crash: () => void): T {
  return new Proxy(tickets, {
    get(target, property, receiver) {
      if (property === 'nextTicketNumber') {
        return async (deskId: string) => {
          const number = await target.nextTicketNumber(deskId);
          crash();
          return number;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
}

/**
 * `after-ses-accepted`: SES accepted the email, then the handler dies before recording `sent`. The crash is
 * at `markSent`, not inside `Mailer.send`: an error thrown by the mailer is caught by the use case and
 * treated as a failed send (the claim is released at once), which is not what a dying process does.
 */
export function crashingDeliveries(deliveries: DeliveryRepository, crash: () => void): DeliveryRepository {
  // A dead process runs nothing more: once it "died" holding a claim, every later step of that claim (such as
  // notify's in-place retries of markSent) dies too, until a redelivery claims the delivery afresh.
  const deadClaims = new Set<string>();
  return new Proxy(deliveries, {
    get(target, property, receiver) {
      if (property === 'markSent') {
        return async (record: Parameters<DeliveryRepository['markSent']>[0]) => {
          if (deadClaims.has(record.claimId)) throw new SimulatedCrash('after-ses-accepted');
          try {
            crash();
          } catch (error) {
            deadClaims.add(record.claimId);
            throw error;
          }
          return target.markSent(record);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
}
