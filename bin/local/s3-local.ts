// local servers: s3rver as the raw-mail bucket, with S3 "object created" notifications like the real one
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import S3rver from 's3rver';
import type { LocalServer } from './local-server';
import { LOOPBACK, assertPortFree } from './ports';

/** s3rver's fixed credentials; clients must sign with these (and use `forcePathStyle`). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3LocalOptions {
  readonly port: number;
  /** Directory holding buckets and objects; created if missing. */
  readonly directory: string;
  /** Buckets created at start (existing ones are kept with their objects). */
  readonly buckets: readonly string[];
  /** End of the port-in-use message, e.g. `set SESDESK_S3_PORT`. @default 'choose another port' */
  readonly portHint?: string;
  /**
   * Origins whose browsers may PUT to the buckets (presigned uploads from the dashboard), answered on the CORS preflight
   * as the AWS bucket's CORS rule does. @default none (every preflight is refused, as s3rver does without a rule)
   */
  readonly corsOrigins?: readonly string[];
  /** Let s3rver log every request. @default false */
  readonly verbose?: boolean;
  /** Where a failing `onObjectCreated` listener is reported. @default one line on stderr */
  readonly onListenerError?: (error: unknown, record: S3EventRecord) => void;
}

/** Receives one notification record per created object; the key is URL-encoded as in real S3 events. */
export type ObjectCreatedListener = (record: S3EventRecord) => void | Promise<void>;

export interface S3Local extends LocalServer {
  readonly directory: string;
  /** Subscribes to object-created notifications; returns the unsubscribe function. */
  onObjectCreated(listener: ObjectCreatedListener): () => void;
}

/**
 * Starts s3rver on loopback with `buckets` present and resolves once it listens.
 *
 * @throws {@link PortInUseError} when the port is taken
 * @example const s3 = await startS3Local({ port: 4568, directory: '.sesdesk/s3', buckets: ['sesdesk-mail'] });
 */
export async function startS3Local(options: S3LocalOptions): Promise<S3Local> {
  const { port, buckets, portHint = 'choose another port', verbose = false, onListenerError = reportListenerError } = options;
  await assertPortFree(port, portHint);
  const directory = path.resolve(options.directory);
  mkdirSync(directory, { recursive: true });

  const server = new S3rver({
    address: LOOPBACK,
    port,
    directory,
    silent: !verbose,
    // Clients use path-style URLs on an IP address, so virtual-host bucket parsing would only misfire.
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name, configs: options.corsOrigins?.length ? [corsXml(options.corsOrigins)] : [] })),
  });
  await server.run();

  const onObjectCreated = (listener: ObjectCreatedListener): (() => void) => {
    const relay = (event: S3Event): void => {
      for (const raw of event.Records) {
        if (!raw.eventName.startsWith('ObjectCreated:')) continue;
        const record = withEncodedKey(raw);
        // s3rver emits inside the PUT request: a listener failure must not turn into a failed upload.
        try {
          Promise.resolve(listener(record)).catch((error: unknown) => onListenerError(error, record));
        } catch (error) {
          onListenerError(error, record);
        }
      }
    };
    server.on('event', relay);
    return () => {
      server.removeListener('event', relay);
    };
  };

  const stop = async (): Promise<void> => {
    const closing = server.close();
    // Idle keep-alive sockets from SDK clients would otherwise hold close() open.
    server.httpServer?.closeAllConnections();
    await closing;
  };

  return { endpoint: `http://${LOOPBACK}:${port}`, port, directory, onObjectCreated, stop };
}

/** The bucket CORS document for presigned browser uploads: PUT with the headers the dashboard sends, from `origins` only. */
export function corsXml(origins: readonly string[]): string {
  const escape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return [
    '<CORSConfiguration><CORSRule>',
    ...origins.map((origin) => `<AllowedOrigin>${escape(origin)}</AllowedOrigin>`),
    '<AllowedMethod>PUT</AllowedMethod>',
    '<AllowedHeader>content-type</AllowedHeader><AllowedHeader>content-disposition</AllowedHeader>',
    '<MaxAgeSeconds>3600</MaxAgeSeconds>',
    '</CORSRule></CORSConfiguration>',
  ].join('');
}

/**
 * Encodes a key the way S3 notifications do: form encoding (space → `+`) with `/` left as is.
 * s3rver hands out the raw key, so without this a handler's decoding would differ from production.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

function withEncodedKey(record: S3EventRecord): S3EventRecord {
  return { ...record, s3: { ...record.s3, object: { ...record.s3.object, key: encodeS3EventKey(record.s3.object.key) } } };
}

function reportListenerError(error: unknown, record: S3EventRecord): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`s3-local: object-created listener failed for ${record.s3.object.key}: ${reason}\n`);
}
