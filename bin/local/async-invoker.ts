// local stack: Lambda's asynchronous invocation (S3 → ingest): a bounded queue, retries, an on-failure store
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface AsyncInvokerOptions<E> {
  readonly name: string;
  readonly handler: (event: E) => Promise<unknown>;
  /** Lambda retries a failed async invocation twice. @default 2 */
  readonly retryAttempts?: number;
  /** Delay before retry n (Lambda waits about 1 and 2 minutes; locally seconds). @default n => 1000 * n */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Events handled at once (Lambda's concurrency). @default 4 */
  readonly concurrency?: number;
  /** JSON-lines file for events that failed every attempt (the on-failure destination). */
  readonly failureFile: string;
  readonly onFailure?: (event: E, error: unknown) => void;
}

export interface FailedInvocation<E> {
  readonly at: string;
  readonly function: string;
  readonly error: string;
  readonly attempts: number;
  readonly event: E;
}

export interface AsyncInvoker<E> {
  /** Queues an event, as Lambda's async invoke API does; returns at once. */
  invoke(event: E): void;
  /** Resolves when every queued and running event has finished (after retries). */
  drain(): Promise<void>;
  /** Stops taking new events; running ones finish, queued ones are dropped (their mail stays in S3). */
  close(): Promise<void>;
  readonly pending: number;
}

/**
 * Emulates Lambda's async invocation semantics for the local stack: at-least-once handling with retries
 * after a failure, bounded concurrency, and an on-failure destination (a JSON-lines file) for events that
 * still fail, which `sesdesk replay` reads.
 */
export function createAsyncInvoker<E>(options: AsyncInvokerOptions<E>): AsyncInvoker<E> {
  const { handler, retryAttempts = 2, retryDelayMs = (n: number) => 1000 * n, concurrency = 4 } = options;
  const queue: E[] = [];
  let running = 0;
  let closed = false;
  const idle: (() => void)[] = [];

  const settleIdle = () => {
    if (running === 0 && queue.length === 0) for (const resolve of idle.splice(0)) resolve();
  };

  const runOne = async (event: E) => {
    let lastError: unknown;
    for (let attempt = 0; attempt <= retryAttempts; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
      try {
        await handler(event);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    const failed: FailedInvocation<E> = {
      at: new Date().toISOString(),
      function: options.name,
      error: lastError instanceof Error ? lastError.message : String(lastError),
      attempts: retryAttempts + 1,
      event,
    };
    await mkdir(path.dirname(options.failureFile), { recursive: true });
    await appendFile(options.failureFile, `${JSON.stringify(failed)}\n`);
    options.onFailure?.(event, lastError);
  };

  const pump = () => {
    while (!closed && running < concurrency && queue.length > 0) {
      const event = queue.shift()!;
      running += 1;
      void runOne(event).finally(() => {
        running -= 1;
        pump();
        settleIdle();
      });
    }
  };

  return {
    invoke(event) {
      if (closed) return;
      queue.push(event);
      pump();
    },
    drain() {
      return new Promise<void>((resolve) => {
        idle.push(resolve);
        settleIdle();
      });
    },
    async close() {
      closed = true;
      queue.length = 0;
      await new Promise<void>((resolve) => {
        idle.push(resolve);
        settleIdle();
      });
    },
    get pending() {
      return queue.length + running;
    },
  };
}

/** Reads the on-failure file (missing file = no failures). */
export async function readFailedInvocations<E>(file: string): Promise<FailedInvocation<E>[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as FailedInvocation<E>);
}

/** Rewrites the on-failure file with only the entries still failing. */
export async function writeFailedInvocations<E>(file: string, entries: readonly FailedInvocation<E>[]): Promise<void> {
  await writeFile(file, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
}
