// test support for the API integration tests: real adapters on DynamoDB Local and s3rver, events like API Gateway's
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { inject } from 'vitest';
import { ensureTable } from '../../bin/local/dynamodb-local';
import { createApiHandler, type ApiHandler } from '../../functions/api/create-handler';
import type { Claims } from '../../functions/core/api/auth';
import { parseDeskConfig } from '../../functions/core/config/desk-config';
import type { Log } from '../../functions/core/ports';
import { ingestEmail, type IngestResult } from '../../functions/core/ingest/ingest-email';
import { createDynamoClient, createS3Client } from '../support/local-aws';
import { createLocalRuntime } from '../../bin/local/local-runtime';

export const AGENT = { email: 'agent@desk.localhost', name: 'Ada Agent' };

const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };

/** Everything one test file needs: its own table, the shared bucket, the real handler built as the local stack builds it. */
export async function createApiHarness(options: { secret?: string; signInCode?: string } = {}) {
  const runId = randomUUID().slice(0, 8);
  const tableName = `api-${runId}`;
  const dynamoEndpoint = inject('dynamoEndpoint');
  const bucket = inject('mailBucket');
  await ensureTable(createDynamoClient(dynamoEndpoint), tableName);
  const config = parseDeskConfig({
    domain: 'desk.localhost',
    desks: [{ id: 'support', address: 'support@desk.localhost', name: 'Support' }],
    team: [AGENT, { email: 'bo@desk.localhost', name: 'Bo Agent' }],
  });
  const runtime = createLocalRuntime({
    endpoints: { dynamo: dynamoEndpoint, s3: inject('s3Endpoint'), ses: inject('sesEndpoint') },
    config,
    tableName,
    bucket,
    secret: options.secret ?? 'integration-test-secret-0123456789',
    log: () => quiet,
    signInCode: options.signInCode,
  });
  const { documents, tokenKeys } = runtime;
  const tickets = runtime.ingest.tickets;
  const s3 = createS3Client(inject('s3Endpoint'));
  const deps = runtime.api;
  const handler = createApiHandler(deps);
  const ingestDeps = runtime.ingest;

  /** Stores raw mail under inbound/ and ingests it, as the S3 event would. */
  async function ingest(raw: string, receivedAt = new Date().toISOString()): Promise<IngestResult> {
    const key = `inbound/${runId}-${randomUUID()}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: raw, ContentType: 'message/rfc822' }));
    return ingestEmail(ingestDeps, { bucket, key, receivedAt });
  }

  return { runId, tableName, documents, s3, bucket, config, tokenKeys, tickets, deps, handler, ingest, ingestDeps };
}

/** A plain email as a customer's client would send it. */
export function rawMail(fields: {
  from: string;
  to?: string;
  cc?: string;
  subject: string;
  body: string;
  messageId?: string;
  inReplyTo?: string;
}): string {
  const lines = [
    `From: ${fields.from}`,
    `To: ${fields.to ?? 'Support <support@desk.localhost>'}`,
    ...(fields.cc ? [`Cc: ${fields.cc}`] : []),
    `Subject: ${fields.subject}`,
    `Message-ID: ${fields.messageId ?? `<${randomUUID()}@mail.example.com>`}`,
    ...(fields.inReplyTo ? [`In-Reply-To: ${fields.inReplyTo}`] : []),
    'Date: Mon, 01 Jul 2024 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    fields.body,
    '',
  ];
  return lines.join('\r\n');
}

export interface CallOptions {
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  /** Claims as API Gateway's authorizer passes them; default: the configured agent. `null`: no authorizer context. */
  readonly claims?: Claims | null;
}

/** The error answer every failing route gives. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** Calls the handler with an HTTP API v2 event and parses the JSON answer as `T` (the test names the shape it expects). */
export async function call<T = ErrorBody>(handler: ApiHandler, method: string, path: string, options: CallOptions = {}) {
  const claims = options.claims === undefined ? { email: AGENT.email, 'cognito:groups': '[team]' } : options.claims;
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    headers: { 'content-type': 'application/json' },
    queryStringParameters: options.query,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      ...(claims ? { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } } } : {}),
      domainName: 'test',
      domainPrefix: 'test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
  const result = await handler(event);
  const text = result.body ?? '';
  const isJson = String(result.headers?.['content-type'] ?? '').startsWith('application/json');
  const json = (isJson && text ? JSON.parse(text) : undefined) as T;
  return { status: result.statusCode ?? 0, json, text, headers: result.headers ?? {} };
}
