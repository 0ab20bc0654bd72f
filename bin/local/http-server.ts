// local stack: the dashboard and its API on loopback; /api/* becomes the API Gateway event the Lambda gets in AWS
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Claims } from '../../functions/core/api/auth';
import type { ApiHandler } from '../../functions/api/create-handler';
import { LOCAL_SIGN_IN_PATH, isPublicRoute } from '../../functions/api/routes';
import type { LocalServer } from './local-server';
import { LOOPBACK, assertPortFree } from './ports';
import { SignInThrottle } from './sign-in-throttle';

export interface HttpServerOptions {
  readonly port: number;
  /** The built dashboard (web/dist). */
  readonly staticDir: string;
  readonly apiHandler: ApiHandler;
  /** Verifies a bearer token as API Gateway's JWT authorizer would: its claims, or null to answer 401. */
  readonly verifyToken: (token: string) => Promise<Record<string, unknown> | null>;
  /** Origins the dashboard may fetch besides its own, e.g. the local S3 endpoint for presigned uploads. */
  readonly connectSources?: readonly string[];
  /** End of the port-in-use message. @default 'set SESDESK_HTTP_PORT' */
  readonly portHint?: string;
  /** Counts wrong local sign-in codes. @default a new {@link SignInThrottle} (5 per minute, then a minute locked) */
  readonly signInThrottle?: SignInThrottle;
}

/** What the dashboard reads at start (web/src/config.ts); deployments write their own next to the build. */
const LOCAL_APP_CONFIG = JSON.stringify({ auth: 'local', apiUrl: '' });

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Bodies API Gateway passes as text; everything else arrives base64-encoded. */
const TEXT_BODY = /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml|javascript))/i;

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts the local dashboard server on 127.0.0.1: `/api/*` goes through the same handler factory the Lambda
 * uses (with the token checked first, like API Gateway), every other path is a static file of `staticDir` or,
 * for client-side routes, its index.html.
 * @throws PortInUseError when the port is taken.
 * @example const server = await startHttpServer({ port: 3000, staticDir: 'web/dist', apiHandler, verifyToken });
 */
export async function startHttpServer(options: HttpServerOptions): Promise<LocalServer> {
  await assertPortFree(options.port, options.portHint ?? 'set SESDESK_HTTP_PORT');
  const root = path.resolve(options.staticDir);
  const throttle = options.signInThrottle ?? new SignInThrottle();
  const securityHeaders = {
    'content-security-policy': [
      "default-src 'self'",
      `connect-src 'self' ${(options.connectSources ?? []).join(' ')}`.trim(),
      // Mail frames are srcdoc documents and inherit this policy; their own stricter CSP blocks remote images
      // until the agent asks for them, which only works if this outer policy allows them.
      "img-src 'self' data: blob: https: http:",
      "style-src 'self' 'unsafe-inline'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };

  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
    const url = request.url ?? '/';
    const pathname = url.split('?')[0]!;
    const work =
      pathname === '/api' || pathname.startsWith('/api/')
        ? serveApi(options, throttle, request, response)
        : serveStatic(root, request, response);
    work.catch((error: unknown) => {
      const status = error instanceof RequestError ? error.status : 500;
      const message = error instanceof RequestError ? error.message : 'internal error of the local server';
      if (status === 500) console.error('local http server:', error);
      if (response.headersSent) response.destroy();
      else sendJson(response, status, { error: { code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: LOOPBACK, exclusive: true }, () => resolve());
  });
  return {
    endpoint: `http://${LOOPBACK}:${options.port}`,
    port: options.port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function serveApi(
  options: HttpServerOptions,
  throttle: SignInThrottle,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = (request.method ?? 'GET').toUpperCase();
  const [rawPath = '/', rawQueryString = ''] = (request.url ?? '/').split(/\?(.*)/s);
  const body = await readBody(request);

  const signIn = method === 'POST' && rawPath === LOCAL_SIGN_IN_PATH;
  const wait = signIn ? throttle.retryAfterMs() : 0;
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    response.setHeader('retry-after', String(seconds));
    sendJson(response, 429, {
      error: { code: 'TOO_MANY_ATTEMPTS', message: `too many wrong sign-in codes: try again in ${seconds} s` },
    });
    return;
  }

  let claims: Claims = {};
  if (!isPublicRoute(method, rawPath)) {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const verified = match ? await options.verifyToken(match[1]!) : null;
    if (!verified) {
      response.setHeader('www-authenticate', 'Bearer');
      sendJson(response, 401, { error: { code: 'UNAUTHENTICATED', message: 'a valid bearer token is required (npx sesdesk token)' } });
      return;
    }
    claims = apiGatewayClaims(verified);
  }

  const result = await options.apiHandler(apiGatewayEvent(request, method, rawPath, rawQueryString, body, claims));
  // 401 is a wrong code; a 403 (right code, someone outside the team) or a 400 guessed nothing.
  if (signIn && result.statusCode === 401) throttle.recordFailure();
  else if (signIn && result.statusCode === 200) throttle.recordSuccess();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  const payload = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(payload);
}

/** API Gateway hands claims to Lambda as strings: numbers printed, arrays as `[a b]`. */
function apiGatewayClaims(payload: Record<string, unknown>): Claims {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (Array.isArray(value)) claims[name] = `[${value.map(String).join(' ')}]`;
    else if (value !== null && typeof value === 'object') claims[name] = JSON.stringify(value);
    else if (value !== undefined) claims[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return claims;
}

function apiGatewayEvent(
  request: IncomingMessage,
  method: string,
  rawPath: string,
  rawQueryString: string,
  body: Buffer,
  claims: Claims,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = TEXT_BODY.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    cookies: headers.cookie ? headers.cookie.split(/;\s*/) : undefined,
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } },
      domainName: headers.host ?? LOOPBACK,
      domainPrefix: 'local',
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? LOOPBACK,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RequestError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    throw new RequestError(405, 'only GET and HEAD are served here');
  }
  const file = resolveStaticPath(root, (request.url ?? '/').split('?')[0]!);
  const found = await fileAt(file);
  if (found === null && file === path.join(root, 'config.json')) {
    response.writeHead(200, { 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-store' });
    response.end(method === 'HEAD' ? undefined : LOCAL_APP_CONFIG);
    return;
  }
  // Client-side routes (no file extension) all load the app; a missing asset stays a 404.
  const target = found ? file : path.extname(file) === '' ? path.join(root, 'index.html') : null;
  const size = target === file ? found : target ? await fileAt(target) : null;
  if (!target || size === null) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(target ? `${root}/index.html is missing: build the dashboard first (npm run build in web/)\n` : 'not found\n');
    return;
  }
  const hashedAsset = target.startsWith(path.join(root, 'assets') + path.sep);
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(target).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': hashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (method === 'HEAD') {
    response.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    createReadStream(target).once('error', reject).pipe(response).once('finish', resolve);
  });
}

/**
 * Maps a URL path into `root`, refusing anything that would leave it: `..` segments (also percent-encoded),
 * backslashes and NUL bytes are a 400; the resolved path is checked to lie inside `root` as well.
 */
function resolveStaticPath(root: string, rawPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new RequestError(400, 'invalid percent-encoding in the path');
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) throw new RequestError(400, 'invalid path');
  const resolved = path.resolve(root, `.${decoded}`);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) throw new RequestError(400, 'invalid path');
  return resolved === root ? path.join(root, 'index.html') : resolved;
}

/** The size of a regular file at `file`, or null. */
async function fileAt(file: string): Promise<number | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}
