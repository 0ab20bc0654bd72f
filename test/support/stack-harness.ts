// test support: the stack harness: the whole local stack (`sesdesk dev`) on free ports over a temporary data directory,
// reached the way a person or a mail server reaches it: SMTP in, the dashboard API, the SES outbox out
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { createDocumentClient } from '../../bin/local/aws-clients';
import type { FaultInjector } from '../../bin/local/faults';
import { localEnvOnFreePorts, type LocalEnv } from '../../bin/local/local-env';
import { readLocalSecret } from '../../bin/local/local-secret';
import { LOOPBACK } from '../../bin/local/ports';
import type { OutboxEmail } from '../../bin/local/ses-local';
import { startLocalStack, type LocalStack } from '../../bin/local/stack';
import { buildDashboard } from '../../bin/local/web-build';
import { issueLocalToken } from '../../functions/core/api/local-auth';
import { DEFAULT_DESK_CONFIG, type DeskConfig, type TeamMember } from '../../functions/core/config/desk-config';
import { outboxFor } from './outbox';
import { scanTable } from './scan-table';

export interface StackHarnessOptions {
  /** @default DEFAULT_DESK_CONFIG */
  readonly config?: DeskConfig;
  /** Injected faults (see bin/local/faults.ts). */
  readonly faults?: FaultInjector;
  /** Builds the dashboard into a temporary directory and serves it (a clean clone has no web/dist). */
  readonly dashboard?: boolean;
  /** Delay before each retry of a failed ingest event. @default 100 ms */
  readonly retryDelayMs?: number;
}

export interface StackHarness {
  readonly env: LocalEnv;
  /** The `SESDESK_*` variables that point a `sesdesk` command at this stack. */
  readonly vars: Record<string, string>;
  readonly config: DeskConfig;
  /** The running stack (a new one after {@link restart}). */
  readonly stack: LocalStack;
  /** The team member {@link token} and {@link api} act as: the first in the configuration. */
  readonly agent: TeamMember;
  /** A dashboard token for {@link agent}. */
  readonly token: string;
  /** An SMTP client of the stack's inbound server, as a customer's mail server; the caller closes it. */
  smtp(options?: { readonly pool?: boolean; readonly maxConnections?: number }): Transporter;
  /** Sends one email over SMTP, to the first desk unless `to` says otherwise. */
  send(mail: Mail.Options): Promise<void>;
  /** Calls the dashboard API as {@link agent} and returns the parsed JSON; any status but 2xx throws. */
  api<T>(method: string, route: string, body?: unknown): Promise<T>;
  /** What the SES outbox holds for a recipient. */
  outboxFor(address: string): Promise<OutboxEmail[]>;
  /** Every item in the table, read consistently through a client of its own (no injected faults). */
  items(): Promise<Record<string, unknown>[]>;
  /** Stops the stack, runs `whileDown`, then starts it again over the same data directory and ports. */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  /** Stops the stack and removes its data directory (and the built dashboard). */
  stop(): Promise<void>;
}

/**
 * Starts the whole local stack on free ports over a fresh temporary data directory, building the dashboard
 * alongside when asked; one per test file.
 *
 * @example
 * const h = await startStackHarness({ faults: createFaultInjector({ ses: 0.2 }) });
 * await h.send({ from: 'ann@customer.example', subject: 'Help', text: 'Hello' });
 * await h.stack.settled();
 */
export async function startStackHarness(options: StackHarnessOptions = {}): Promise<StackHarness> {
  const config = options.config ?? DEFAULT_DESK_CONFIG;
  const agent = config.team[0]!;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-stack-'));
  const webDir = options.dashboard ? await mkdtemp(path.join(tmpdir(), 'sesdesk-web-')) : undefined;
  const cleanUp = () => Promise.all([dataDir, webDir].flatMap((dir) => (dir ? [rm(dir, { recursive: true, force: true })] : [])));
  const { env, vars } = await localEnvOnFreePorts(dataDir);
  const start = () =>
    startLocalStack({ env, config, console: null, retryDelayMs: () => options.retryDelayMs ?? 100, faults: options.faults, webDir });

  const [built, started] = await Promise.allSettled([webDir ? buildDashboard(webDir) : Promise.resolve(), start()]);
  if (started.status === 'rejected' || built.status === 'rejected') {
    if (started.status === 'fulfilled') await started.value.stop();
    await cleanUp();
    throw started.status === 'rejected' ? started.reason : (built as PromiseRejectedResult).reason;
  }
  let stack = started.value;
  const token = await issueLocalToken(await readLocalSecret(dataDir), agent);
  const smtp: StackHarness['smtp'] = (smtpOptions = {}) =>
    nodemailer.createTransport({ host: LOOPBACK, port: env.smtpPort, secure: false, ignoreTLS: true, ...smtpOptions } as SMTPPool.Options);
  const sender = smtp();
  const documents = createDocumentClient(stack.urls.dynamo);

  return {
    env,
    vars,
    config,
    get stack() {
      return stack;
    },
    agent,
    token,
    smtp,
    async send(mail) {
      await sender.sendMail({ to: config.desks[0]!.address, ...mail });
    },
    async api<T>(method: string, route: string, body?: unknown) {
      const response = await fetch(`${stack.urls.dashboard}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    outboxFor: (address) => outboxFor(stack.urls.outbox, address),
    items: () => scanTable(documents, env.tableName),
    async restart(whileDown) {
      await stack.stop();
      await whileDown?.();
      stack = await start();
    },
    async stop() {
      sender.close();
      await stack.stop();
      await cleanUp();
    },
  };
}
