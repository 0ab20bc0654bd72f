// adapter: API Gateway HTTP API (v2) event → route → use case → response; core errors mapped here, once
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { $ZodError } from 'zod/v4/core';
import type { ApiDeps } from '../core/api/api-ports';
import { agentFromClaims } from '../core/api/auth';
import { ForbiddenError, UnauthenticatedError } from '../core/api/errors';
import { ConcurrentUpdateError, InvalidInputError, NotFoundError } from '../core/errors';
import { matchRoute, type RouteResult } from './routes';

export type ApiHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<APIGatewayProxyStructuredResultV2>;

/** An answer for an error the caller can act on; `code` is stable, `message` says what to change. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The unsubscribe confirmation posts its one form back to the same path.
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
};

/** `path: message` per problem, the way a person fixes a request. */
function describeZodError(error: $ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || 'request'}: ${issue.message}`).join('; ');
}

/** The one place core errors become HTTP answers; anything unexpected is a logged 500 that reveals nothing. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof $ZodError) return new HttpError(400, 'VALIDATION', describeZodError(error));
  if (error instanceof InvalidInputError) return new HttpError(400, 'VALIDATION', error.message);
  if (error instanceof UnauthenticatedError) return new HttpError(401, 'UNAUTHENTICATED', error.message);
  if (error instanceof ForbiddenError) return new HttpError(403, 'FORBIDDEN', error.message);
  if (error instanceof NotFoundError) return new HttpError(404, 'NOT_FOUND', error.message);
  if (error instanceof ConcurrentUpdateError) return new HttpError(409, 'CONFLICT', error.message);
  return new HttpError(500, 'INTERNAL', 'Something went wrong on the server; the error is logged.');
}

function respond(result: RouteResult): APIGatewayProxyStructuredResultV2 {
  if ('html' in result) return { statusCode: result.status, headers: HTML_HEADERS, body: result.html };
  if (result.json === undefined)
    return { statusCode: result.status, headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } };
  return { statusCode: result.status, headers: JSON_HEADERS, body: JSON.stringify(result.json) };
}

function readBody(event: APIGatewayProxyEventV2WithJWTAuthorizer): unknown {
  if (event.body === undefined || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'VALIDATION', 'body: not valid JSON');
  }
}

/**
 * Builds the API handler. It trusts only the claims API Gateway's JWT authorizer (or the local server, the
 * same way) put in `requestContext.authorizer.jwt.claims`; routes other than the public ones need a team member.
 * @example export const handler = createApiHandler(once(async () => deps));
 */
export function createApiHandler(deps: ApiDeps | (() => Promise<ApiDeps>)): ApiHandler {
  const resolve = typeof deps === 'function' ? deps : () => Promise.resolve(deps);
  return async (event) => {
    const started = Date.now();
    const resolved = await resolve();
    const method = event.requestContext.http.method.toUpperCase();
    let routeName = `${method} (no route)`;
    let ticketId: string | undefined;
    try {
      let match;
      try {
        match = matchRoute(method, event.rawPath);
      } catch {
        throw new HttpError(400, 'VALIDATION', 'path: invalid percent-encoding');
      }
      if (match.kind === 'none') throw new HttpError(404, 'NOT_FOUND', `no route ${method} ${event.rawPath}`);
      if (match.kind === 'method-not-allowed') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `use ${match.allowed.join(' or ')}`);
      routeName = match.name;
      ticketId = match.params.id;
      const query = event.queryStringParameters ?? {};
      const body = match.route.ignoresBody ? undefined : readBody(event);
      const base = { deps: resolved, params: match.params, query: query as Record<string, string>, body };
      const result = match.route.public
        ? await match.route.handle(base)
        : await match.route.handle({ ...base, agent: agentFromClaims(resolved.config, event.requestContext.authorizer?.jwt?.claims) });
      resolved.log.info('api request', { route: routeName, status: result.status, ticketId, ms: Date.now() - started });
      return respond(result);
    } catch (error) {
      const http = toHttpError(error);
      const extra = { route: routeName, status: http.status, ticketId, ms: Date.now() - started };
      if (http.status >= 500)
        resolved.log.error('api request failed', {
          ...extra,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      else resolved.log.info('api request refused', { ...extra, code: http.code, reason: http.message });
      return {
        statusCode: http.status,
        headers: JSON_HEADERS,
        body: JSON.stringify({ error: { code: http.code, message: http.message } }),
      };
    }
  };
}
