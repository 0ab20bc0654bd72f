// browser test support: the whole local stack on free ports with a freshly built dashboard, a customer's SMTP client, and a request counter
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { issueLocalToken } from '../../functions/core/api/local-auth';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { localEnvOnFreePorts } from '../../bin/local/local-env';
import { readLocalSecret } from '../../bin/local/local-secret';
import type { LocalServer } from '../../bin/local/local-server';
import { LOOPBACK, findFreePort } from '../../bin/local/ports';
import { startLocalStack, type LocalStack } from '../../bin/local/stack';
import { buildDashboard } from '../../bin/local/web-build';

/** The team member the tests sign in as (the default local desk's agent). */
export const AGENT = DEFAULT_DESK_CONFIG.team[0]!;
export const DESK_ADDRESS = DEFAULT_DESK_CONFIG.desks[0]!.address;

export interface BrowserStack {
  /** The running local stack: dashboard, SES outbox, SMTP and the rest. */
  readonly stack: LocalStack;
  /** Sends one email to the desk over SMTP, as a customer's mail server would. */
  send(mail: Mail.Options): Promise<void>;
  /** Calls the dashboard API as {@link AGENT} and returns the parsed JSON; any status but 2xx throws. */
  api<T>(route: string): Promise<T>;
  /** Stops the stack and removes its data directory and the built dashboard. */
  stop(): Promise<void>;
}

/**
 * Builds the dashboard into a temporary directory (a clean clone has no web/dist) while the local stack starts
 * on free ports over a temporary data directory; one per test file.
 */
export async function startBrowserStack(): Promise<BrowserStack> {
  const [dataDir, webDir] = await Promise.all([
    mkdtemp(path.join(tmpdir(), 'sesdesk-browser-')),
    mkdtemp(path.join(tmpdir(), 'sesdesk-web-')),
  ]);
  const cleanUp = () => Promise.all([rm(dataDir, { recursive: true, force: true }), rm(webDir, { recursive: true, force: true })]);
  const { env } = await localEnvOnFreePorts(dataDir);
  // Links in outgoing mail (unsubscribe) must point at this stack's dashboard, not the default port.
  const config = { ...DEFAULT_DESK_CONFIG, dashboardUrl: `http://localhost:${env.httpPort}` };
  const [built, started] = await Promise.allSettled([
    buildDashboard(webDir),
    startLocalStack({ env, config, console: null, retryDelayMs: () => 100, webDir }),
  ]);
  if (started.status === 'rejected') {
    await cleanUp();
    throw started.reason;
  }
  if (built.status === 'rejected') {
    await started.value.stop();
    await cleanUp();
    throw built.reason;
  }
  const stack = started.value;
  const token = await issueLocalToken(await readLocalSecret(dataDir), AGENT);
  const smtp = nodemailer.createTransport({ host: LOOPBACK, port: env.smtpPort, secure: false, ignoreTLS: true });

  return {
    stack,
    async send(mail) {
      await smtp.sendMail({ to: DESK_ADDRESS, ...mail });
    },
    async api<T>(route: string) {
      const response = await fetch(`${stack.urls.dashboard}${route}`, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) throw new Error(`GET ${route}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async stop() {
      smtp.close();
      await stack.stop();
      await cleanUp();
    },
  };
}

/** A loopback HTTP server that counts every request it gets, by path: the "remote" side of tracking pixels. */
export interface RequestCounter extends LocalServer {
  readonly hits: string[];
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Starts a {@link RequestCounter} on a free loopback port that answers every request with a 1×1 GIF. */
export async function startRequestCounter(): Promise<RequestCounter> {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    hits.push(request.url ?? '/');
    response.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
    response.end(GIF);
  });
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, LOOPBACK, resolve));
  return {
    hits,
    port,
    endpoint: `http://${LOOPBACK}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
