// local servers: aws-ses-v2-local as the SES stand-in, behind a front that keeps every sent email (raw MIME and headers)
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import sesLocalModule from 'aws-ses-v2-local';
import { createEmlContent } from 'aws-ses-v2-local/dist/emlFile.js';
import { getStoreReadonly, type Email } from 'aws-ses-v2-local/dist/store.js';
import type { LocalServer } from './local-server';
import { LOOPBACK, assertPortFree } from './ports';
import { OUTBOX_PAGE_CSP, renderOutboxPage } from './ses-outbox-page';
import { Outbox, type OutboxEmail } from './ses-outbox';

export type { OutboxEmail, OutboxHeader } from './ses-outbox';

export interface SesLocalOptions {
  readonly port: number;
  /** End of the port-in-use message, e.g. `set SESDESK_SES_PORT`. @default 'choose another port' */
  readonly portHint?: string;
  /** Keeps the outbox here (raw `.eml` files and an index) across restarts; in memory when absent. */
  readonly directory?: string;
}

/** An email template as aws-ses-v2-local stores it. */
export interface OutboxTemplate {
  readonly TemplateName: string;
  readonly TemplateContent: { readonly Html?: string; readonly Subject?: string; readonly Text?: string };
  readonly CreatedTimestamp: number;
}

/** The `GET /store` JSON: everything sent (kept across restarts when the outbox has a directory), oldest first. */
export interface SesOutbox {
  readonly emails: OutboxEmail[];
  readonly templates: Record<string, OutboxTemplate>;
}

// A CommonJS module flagged __esModule: Node's ESM loader hands over module.exports, whose `.default` is the
// starter, while bundlers that honour the flag hand over the starter itself.
type StartSesServer = typeof sesLocalModule;
const startSesServer: StartSesServer =
  typeof sesLocalModule === 'function' ? sesLocalModule : (sesLocalModule as unknown as { default: StartSesServer }).default;

/** aws-ses-v2-local's request limit. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'upgrade']);
const RAW_PATH = /^\/messages\/([0-9a-z]{26})\.eml$/;

/**
 * Starts the SES stand-in on loopback; SES clients point `endpoint` at the result.
 *
 * aws-ses-v2-local answers the SES API on an internal port; the front on `port` passes every call through and
 * records each email it accepted, with the MIME that was sent, in an {@link Outbox}. The front serves the
 * outbox: `GET /store` (aws-ses-v2-local's JSON, each email also with `headers` and `rawUrl`),
 * `GET /messages/<id>.eml` (the raw message), `POST /clear-store` and the page at `/`.
 *
 * @throws {@link PortInUseError} when the port is taken
 * @example const ses = await startSesLocal({ port: 8005, portHint: 'set SESDESK_SES_PORT', directory: '.sesdesk/outbox' });
 */
export async function startSesLocal(options: SesLocalOptions): Promise<LocalServer> {
  const { port, portHint = 'choose another port' } = options;
  await assertPortFree(port, portHint);
  const outbox = await Outbox.open(options.directory ?? null);
  const inner: Server = await startSesServer({ host: LOOPBACK, port: 0 });
  // Express hands a listen error to the callback, so the package resolves even when binding failed.
  if (!inner.listening) throw new Error(`aws-ses-v2-local could not listen on ${LOOPBACK}`);
  const innerPort = (inner.address() as AddressInfo).port;

  const front = createServer((request, response) => {
    serve(request, response, outbox, innerPort, options.directory ?? null).catch((error: unknown) => {
      console.error('SES stand-in:', error);
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, { message: 'internal error of the SES stand-in' });
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen({ port, host: LOOPBACK, exclusive: true }, () => resolve());
    });
  } catch (error) {
    await closeServer(inner);
    throw error;
  }

  const stop = async (): Promise<void> => {
    await Promise.all([closeServer(front), closeServer(inner)]);
  };
  return { endpoint: `http://${LOOPBACK}:${port}`, port, stop };
}

function closeServer(server: Server): Promise<void> {
  const closing = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  server.closeAllConnections();
  return closing;
}

async function serve(request: IncomingMessage, response: ServerResponse, outbox: Outbox, innerPort: number, keptIn: string | null) {
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (method === 'GET' && url.pathname === '/') {
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': OUTBOX_PAGE_CSP,
    });
    response.end(renderOutboxPage(outbox.list(), keptIn));
    return;
  }
  if (method === 'GET' && url.pathname === '/store') {
    serveStore(url, response, outbox);
    return;
  }
  const raw = RAW_PATH.exec(url.pathname);
  if (method === 'GET' && raw) {
    const message = await outbox.raw(raw[1]!);
    if (!message) {
      sendJson(response, 404, { message: 'no such message in the outbox' });
      return;
    }
    // Plain text, so a browser shows the message instead of saving it.
    response.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    response.end(message);
    return;
  }
  if (method === 'POST' && url.pathname === '/clear-store') await outbox.clear();

  const body = await readBody(request);
  const answer = await forward(innerPort, method, request.url ?? '/', request.headers, body);
  if (method === 'POST' && answer.status === 200 && url.pathname !== '/clear-store') {
    for (const email of sentEmails(answer.body))
      await outbox.add(email, rawMessage(url.pathname, body) ?? (await createEmlContent(email)).body);
  }
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

/** aws-ses-v2-local's `/store`, `since` checked the same way, but from the outbox, so it survives restarts. */
function serveStore(url: URL, response: ServerResponse, outbox: Outbox): void {
  const sinceParam = url.searchParams.getAll('since');
  let since: number | undefined;
  if (sinceParam.length > 1) return sendJson(response, 400, { message: 'Bad since query param, expected single value' });
  if (sinceParam.length === 1) {
    since = Number.parseInt(sinceParam[0]!, 10);
    if (Number.isNaN(since) || sinceParam[0] !== String(since))
      return sendJson(response, 400, { message: 'Bad since query param, expected integer representing epoch timestamp in seconds' });
  }
  const templates = Object.fromEntries(getStoreReadonly().templates);
  sendJson(response, 200, { templates, emails: outbox.list(since) });
}

/** The emails behind the MessageIds of an accepted send (v1 XML, v2 JSON, bulk results). */
function sentEmails(answer: Buffer): Email[] {
  const ids = [...answer.toString('utf8').matchAll(/<MessageId>([^<]+)<\/MessageId>|"MessageId":"([^"]+)"/g)].map((m) => m[1] ?? m[2]!);
  const { emails } = getStoreReadonly();
  const found: Email[] = [];
  for (const id of ids) {
    // Every server in the process shares the package's store; the email just sent is at its end.
    for (let i = emails.length - 1; i >= 0; i -= 1) {
      if (emails[i]!.messageId === id) {
        found.push(emails[i]!);
        break;
      }
    }
  }
  return found;
}

/** The MIME a raw send carried (v1 SendRawEmail, v2 SendEmail with Raw content); null for the others. */
function rawMessage(pathname: string, body: Buffer): Buffer | null {
  if (pathname === '/') {
    const form = new URLSearchParams(body.toString('utf8'));
    const data = form.get('Action') === 'SendRawEmail' ? form.get('RawMessage.Data') : null;
    return data === null ? null : Buffer.from(data, 'base64');
  }
  if (pathname === '/v2/email/outbound-emails') {
    try {
      const data = (JSON.parse(body.toString('utf8')) as { Content?: { Raw?: { Data?: unknown } } }).Content?.Raw?.Data;
      return typeof data === 'string' ? Buffer.from(data, 'base64') : null;
    } catch {
      return null;
    }
  }
  return null;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

function forward(port: number, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Answer> {
  const passed: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) passed[name] = value;
  passed['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const call = httpRequest({ host: LOOPBACK, port, method, path, headers: passed }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () => {
        const answerHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined && !HOP_BY_HOP.has(name)) answerHeaders[name] = value;
        resolve({ status: res.statusCode ?? 502, headers: answerHeaders, body: Buffer.concat(chunks) });
      });
    });
    call.once('error', reject);
    call.end(body);
  });
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body over 25 MB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

/**
 * Reads the outbox; `since` (epoch seconds) keeps only messages sent at or after it.
 *
 * @example const { emails } = await readOutbox('http://127.0.0.1:8005');
 */
export async function readOutbox(endpoint: string, since?: number): Promise<SesOutbox> {
  const url = new URL('/store', endpoint);
  if (since !== undefined) url.searchParams.set('since', String(Math.floor(since)));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`SES outbox ${url.href} answered ${response.status}`);
  const body = (await response.json()) as Partial<SesOutbox>;
  if (!Array.isArray(body.emails)) throw new Error(`SES outbox ${url.href} answered without an emails list`);
  return { emails: body.emails, templates: body.templates ?? {} };
}

/** Empties the outbox, on disk too (`POST /clear-store`; it drops stored templates as well). */
export async function clearOutbox(endpoint: string): Promise<void> {
  const url = new URL('/clear-store', endpoint);
  const response = await fetch(url, { method: 'POST' });
  if (!response.ok) throw new Error(`SES outbox ${url.href} answered ${response.status} to clear`);
}
