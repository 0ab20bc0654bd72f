// local servers: aws-ses-v2-local as the SES outbox (SendRawEmail in, `GET /store` JSON and a web page out)
import type { Server } from 'node:http';
import sesLocalModule from 'aws-ses-v2-local';
import type { LocalServer } from './local-server';
import { LOOPBACK, assertPortFree } from './ports';

export interface SesLocalOptions {
  readonly port: number;
  /** End of the port-in-use message, e.g. `set SESDESK_SES_PORT`. @default 'choose another port' */
  readonly portHint?: string;
}

/** One sent message as aws-ses-v2-local stores it (its `Email` type); addresses are mailparser's display text, e.g. `"Ada" <ada@example.com>`. */
export interface OutboxEmail {
  /** The id SES answered with (`ses-<digits>`), not the message's own Message-ID header. */
  readonly messageId: string;
  readonly from: string;
  readonly replyTo: string[];
  readonly destination: { readonly to: string[]; readonly cc: string[]; readonly bcc: string[] };
  readonly subject: string;
  readonly body: { readonly html?: string; readonly text?: string };
  /** `content` is base64. */
  readonly attachments: { readonly content: string; readonly contentType: string; readonly filename?: string; readonly size: number }[];
  /** Only SES v2 SendEmail fills this; SendRawEmail keeps no headers. */
  readonly headers?: { readonly name: string; readonly value: string }[];
  /** Epoch seconds. */
  readonly at: number;
}

/** An email template as aws-ses-v2-local stores it. */
export interface OutboxTemplate {
  readonly TemplateName: string;
  readonly TemplateContent: { readonly Html?: string; readonly Subject?: string; readonly Text?: string };
  readonly CreatedTimestamp: number;
}

/** The `GET /store` JSON: everything sent since start (or the last clear), oldest first. */
export interface SesOutbox {
  readonly emails: OutboxEmail[];
  readonly templates: Record<string, OutboxTemplate>;
}

// A CommonJS module flagged __esModule: Node's ESM loader hands over module.exports, whose `.default` is the
// starter, while bundlers that honour the flag hand over the starter itself.
type StartSesServer = typeof sesLocalModule;
const startSesServer: StartSesServer =
  typeof sesLocalModule === 'function' ? sesLocalModule : (sesLocalModule as unknown as { default: StartSesServer }).default;

/**
 * Starts aws-ses-v2-local on loopback; SES clients point `endpoint` at the result.
 *
 * Its outbox lives in module state, so every server started in one process shares it.
 *
 * @throws {@link PortInUseError} when the port is taken
 * @example const ses = await startSesLocal({ port: 8005, portHint: 'set SESDESK_SES_PORT' });
 */
export async function startSesLocal(options: SesLocalOptions): Promise<LocalServer> {
  const { port, portHint = 'choose another port' } = options;
  await assertPortFree(port, portHint);
  const server: Server = await startSesServer({ host: LOOPBACK, port });
  // Express hands a listen error to the callback, so the package resolves even when binding failed.
  if (!server.listening) throw new Error(`aws-ses-v2-local could not listen on ${LOOPBACK}:${port}`);

  const stop = async (): Promise<void> => {
    const closing = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    server.closeAllConnections();
    await closing;
  };
  return { endpoint: `http://${LOOPBACK}:${port}`, port, stop };
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

/** Empties the outbox (the package's `POST /clear-store`; it drops stored templates too). */
export async function clearOutbox(endpoint: string): Promise<void> {
  const url = new URL('/clear-store', endpoint);
  const response = await fetch(url, { method: 'POST' });
  if (!response.ok) throw new Error(`SES outbox ${url.href} answered ${response.status} to clear`);
}
