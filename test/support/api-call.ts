// test support: one dashboard API call as API Gateway hands it to the api function (HTTP API v2, JWT authorizer claims)
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { ApiHandler } from '../../functions/api/create-handler';
import type { Claims } from '../../functions/core/api/auth';
import type { DeskConfig } from '../../functions/core/config/desk-config';

export interface CallOptions {
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  /** Claims as API Gateway's authorizer passes them; default: the first team member. `null`: no authorizer context. */
  readonly claims?: Claims | null;
}

/** The error answer every failing route gives. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** The API's answer, its JSON body parsed as the type the test names. */
export interface ApiAnswer<T> {
  readonly status: number;
  readonly json: T;
  readonly text: string;
  readonly headers: Record<string, string | number | boolean>;
}

/** An HTTP API v2 event with the authorizer's claims (default: the config's first team member), through the handler; the answer's JSON parsed. */
export async function callApi<T = ErrorBody>(
  handler: ApiHandler,
  config: DeskConfig,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiAnswer<T>> {
  const claims = options.claims === undefined ? { email: config.team[0]!.email, 'cognito:groups': '[team]' } : options.claims;
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
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
