// browser test support: the real API handler and local HTTP server over DynamoDB Local + s3rver, plus a built dashboard
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { startHttpServer } from '../../bin/local/http-server';
import { ensureTable } from '../../bin/local/dynamodb-local';
import type { LocalServer } from '../../bin/local/local-server';
import { LOOPBACK, findFreePort } from '../../bin/local/ports';
import { createApiHandler } from '../../functions/api/create-handler';
import { DynamoDeliveryRepository } from '../../functions/adapters/dynamo-delivery-repository';
import { DynamoDeskRepository } from '../../functions/adapters/dynamo-desk-repository';
import { DynamoSettingsRepository } from '../../functions/adapters/dynamo-settings-repository';
import { DynamoTicketRepository } from '../../functions/adapters/dynamo-ticket-repository';
import { S3ObjectStore } from '../../functions/adapters/s3-object-store';
import { S3Presigner } from '../../functions/adapters/s3-presigner';
import type { ApiDeps } from '../../functions/core/api/api-ports';
import { issueLocalToken, verifyLocalToken } from '../../functions/core/api/local-auth';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { parseEmail } from '../../functions/core/email/parse-email';
import { verifyUnsubscribe } from '../../functions/core/notify/unsubscribe';
import type { Log } from '../../functions/core/ports';
import { ingestEmail, type IngestResult } from '../../functions/core/tickets/ingest-email';
import { createDocumentClient, createDynamoClient, createS3Client } from '../support/local-aws';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** The team member the tests sign in as (the default local desk's agent). */
export const AGENT = DEFAULT_DESK_CONFIG.team[0]!;
export const DESK_ADDRESS = DEFAULT_DESK_CONFIG.desks[0]!.address;

const quietLog: Log = { debug() {}, info() {}, warn() {}, error: (message, extra) => console.error(message, extra) };

/** Builds the dashboard into a fresh temporary directory (a clean clone has no web/dist) and returns it. */
export async function buildDashboard(): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-web-'));
  await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

export interface FixtureStack {
  /** Where the dashboard and its API listen. */
  readonly url: string;
  /** The local sign-in code. */
  readonly code: string;
  /** Stores raw MIME under inbound/ and runs the real ingest use case on it. */
  ingest(raw: string): Promise<IngestResult>;
  /** A bearer token for {@link AGENT}, for checks through the API. */
  token(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the API over a table of its own (DynamoDB Local is shared by every test file). */
export async function startFixtureStack(options: { dynamoEndpoint: string; s3Endpoint: string; bucket: string; staticDir: string }): Promise<FixtureStack> {
  const tableName = `browser-${randomUUID().slice(0, 8)}`;
  await ensureTable(createDynamoClient(options.dynamoEndpoint), tableName);
  const documents = createDocumentClient(options.dynamoEndpoint);
  const s3 = createS3Client(options.s3Endpoint);
  const secret = randomBytes(32).toString('hex');
  const tokenKeys = { secrets: [secret] };
  const code = randomBytes(4).toString('hex');
  const store = new S3ObjectStore(s3);
  const tickets = new DynamoTicketRepository(documents, tableName);
  const deliveries = new DynamoDeliveryRepository(documents, tableName);

  const deps: ApiDeps = {
    config: DEFAULT_DESK_CONFIG,
    tickets,
    desk: new DynamoDeskRepository(documents, tableName),
    store,
    bucket: options.bucket,
    files: new S3Presigner(s3, options.bucket),
    settings: new DynamoSettingsRepository(documents, tableName),
    unsubscriber: {
      verify: async (ticketId, address, signature) => verifyUnsubscribe(tokenKeys, ticketId, address, signature),
      unsubscribe: (ticketId, address) => deliveries.unsubscribeParticipant(ticketId, address),
    },
    clock: () => new Date(),
    log: quietLog,
    localSignIn: { code, issueToken: (member) => issueLocalToken(secret, member) },
  };
  const server = await startHttpServer({
    port: await findFreePort(),
    staticDir: options.staticDir,
    apiHandler: createApiHandler(deps),
    verifyToken: (token) => verifyLocalToken(secret, token),
    connectSources: [options.s3Endpoint],
  });

  return {
    url: server.endpoint,
    code,
    async ingest(raw) {
      const key = `inbound/${randomUUID()}`;
      await store.put(options.bucket, key, raw, 'message/rfc822');
      return ingestEmail(
        { store, tickets, config: DEFAULT_DESK_CONFIG, tokenKeys, parse: (bytes) => parseEmail(bytes), log: quietLog },
        { bucket: options.bucket, key, receivedAt: new Date().toISOString() },
      );
    },
    token: () => issueLocalToken(secret, AGENT),
    stop: () => server.stop(),
  };
}

/** A loopback HTTP server that counts every request it gets, by path: the "remote" side of tracking pixels. */
export interface RequestCounter extends LocalServer {
  readonly hits: string[];
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

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
