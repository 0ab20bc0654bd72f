// integration: the local HTTP server: static dashboard files, SPA fallback, and /api behind token checks
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../bin/local/ports';
import { startHttpServer } from '../../bin/local/http-server';
import type { LocalServer } from '../../bin/local/local-server';
import { SignInThrottle } from '../../bin/local/sign-in-throttle';
import { LOCAL_ISSUER, issueLocalToken, verifyLocalToken } from '../../functions/core/api/local-auth';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';
import { TEST_SECRET } from '../support/secret';

const secret = TEST_SECRET;
const AGENT = DEFAULT_DESK_CONFIG.team[0]!;
const signInCode = '424242';
let server: LocalServer;
let parentDir: string;
let staticDir: string;
let harness: RuntimeHarness;

beforeAll(async () => {
  parentDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-web-'));
  staticDir = path.join(parentDir, 'dist');
  await mkdir(path.join(staticDir, 'assets'), { recursive: true });
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>sesdesk</title><div id="app"></div>');
  await writeFile(path.join(staticDir, 'assets', 'app-1234.js'), 'console.log("app")');
  harness = await startRuntimeHarness({ name: 'api-http', signInCode, pollStream: false });
  server = await startHttpServer({
    port: await findFreePort(),
    staticDir,
    apiHandler: harness.api,
    verifyToken: (token) => verifyLocalToken(secret, token),
  });
});

afterAll(async () => {
  await server?.stop();
  await rm(parentDir, { recursive: true, force: true });
});

/** A raw request, path sent exactly as given (fetch would normalise `..`). */
function rawGet(rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.endpoint}/`, { path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject).end();
  });
}

describe('local HTTP server: static files', () => {
  it('answers /config.json with the local sign-in when the build has none, so the dashboard logs no 404', async () => {
    const response = await fetch(`${server.endpoint}/config.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ auth: 'local', apiUrl: '' });
  });

  it('serves index.html at / with the security headers', async () => {
    const response = await fetch(`${server.endpoint}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).toContain('<div id="app">');
  });

  it('serves assets with their content type and a long cache', async () => {
    const response = await fetch(`${server.endpoint}/assets/app-1234.js`);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(await response.text()).toBe('console.log("app")');
  });

  it('answers client-side routes with index.html, but a missing asset with 404', async () => {
    const route = await fetch(`${server.endpoint}/tickets/abc123`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="app">');
    expect((await fetch(`${server.endpoint}/assets/missing.js`)).status).toBe(404);
  });

  it('never serves a file outside the static directory', async () => {
    await writeFile(path.join(parentDir, 'secret.txt'), 'top secret');
    for (const attempt of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00',
    ]) {
      const response = await rawGet(attempt);
      expect(response.status, attempt).toBe(400);
      expect(response.body).not.toContain('top secret');
    }
  });
});

describe('local HTTP server: API', () => {
  it('answers 401 without a token, before calling the handler', async () => {
    const response = await fetch(`${server.endpoint}/api/me`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 for expired, tampered and wrong-audience tokens', async () => {
    const expired = await issueLocalToken(secret, AGENT, new Date(Date.now() - 13 * 3600_000));
    const valid = await issueLocalToken(secret, AGENT);
    const tampered = `${valid.slice(0, -4)}${valid.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const wrongAudience = await new SignJWT({ email: AGENT.email })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience('another-app')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    for (const token of [expired, tampered, wrongAudience, 'not-a-jwt']) {
      const response = await fetch(`${server.endpoint}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(401);
    }
  });

  it('answers 403 for a valid token of someone outside the team', async () => {
    const token = await issueLocalToken(secret, { email: 'eve@example.com', name: 'Eve' });
    // The local token claims the team group, so only the configuration decides here: strip it like a non-member's.
    const claims = await verifyLocalToken(secret, token);
    const outsider = await new SignJWT({ ...claims, 'cognito:groups': [] })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    const response = await fetch(`${server.endpoint}/api/me`, { headers: { authorization: `Bearer ${outsider}` } });
    expect(response.status).toBe(403);
  });

  it('signs in with the local code and calls the API with the token it gets', async () => {
    const wrong = await fetch(`${server.endpoint}/api/auth/local`, {
      method: 'POST',
      body: JSON.stringify({ email: AGENT.email, code: '000000' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(wrong.status).toBe(401);
    const signIn = await fetch(`${server.endpoint}/api/auth/local`, {
      method: 'POST',
      body: JSON.stringify({ email: AGENT.email, code: signInCode }),
      headers: { 'content-type': 'application/json' },
    });
    expect(signIn.status).toBe(200);
    const { token, user } = (await signIn.json()) as { token: string; user: { email: string; name: string } };
    expect(user).toEqual(AGENT);

    const me = await fetch(`${server.endpoint}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual(AGENT);
    const tickets = await fetch(`${server.endpoint}/api/tickets?status=open&limit=5`, { headers: { authorization: `Bearer ${token}` } });
    expect(tickets.status).toBe(200);
    expect(await tickets.json()).toEqual({ items: [], cursor: null });
  });
});

describe('local HTTP server: the local sign-in', () => {
  const signIn = (endpoint: string, email: string, code: string) =>
    fetch(`${endpoint}/api/auth/local`, {
      method: 'POST',
      body: JSON.stringify({ email, code }),
      headers: { 'content-type': 'application/json' },
    });

  /** A server of its own whose throttle reads the test's clock. */
  const startThrottled = async (now: () => number) =>
    startHttpServer({
      port: await findFreePort(),
      staticDir,
      apiHandler: harness.api,
      verifyToken: (token) => verifyLocalToken(secret, token),
      signInThrottle: new SignInThrottle({ now }),
    });

  it('locks after five wrong codes in a minute, refuses even the right code while locked, and opens again after a minute', async () => {
    // Arrange
    let now = Date.parse('2026-01-01T10:00:00Z');
    const throttled = await startThrottled(() => now);
    try {
      // Act: a right code with an outsider's address (403) and a malformed body (400) guess nothing, so they do not count.
      expect((await signIn(throttled.endpoint, 'mallory@example.com', signInCode)).status).toBe(403);
      expect((await signIn(throttled.endpoint, 'not an address', '1')).status).toBe(400);
      for (let i = 0; i < 5; i += 1) {
        now += 1_000;
        expect((await signIn(throttled.endpoint, AGENT.email, String(100000 + i))).status).toBe(401);
      }

      // Assert: locked, with the wait in Retry-After and the message.
      const locked = await signIn(throttled.endpoint, AGENT.email, signInCode);
      expect(locked.status).toBe(429);
      expect(locked.headers.get('retry-after')).toBe('60');
      expect(((await locked.json()) as { error: { message: string } }).error.message).toBe(
        'too many wrong sign-in codes: try again in 60 s',
      );
      now += 59_000;
      expect((await signIn(throttled.endpoint, AGENT.email, signInCode)).status).toBe(429);
      now += 1_000;
      expect((await signIn(throttled.endpoint, AGENT.email, signInCode)).status).toBe(200);
    } finally {
      await throttled.stop();
    }
  });

  it('forgets wrong codes after a right one, and counts only those within the last minute', async () => {
    let now = Date.parse('2026-01-01T10:00:00Z');
    const throttled = await startThrottled(() => now);
    try {
      for (let i = 0; i < 4; i += 1) expect((await signIn(throttled.endpoint, AGENT.email, '000000')).status).toBe(401);
      expect((await signIn(throttled.endpoint, AGENT.email, signInCode)).status).toBe(200);
      for (let i = 0; i < 4; i += 1) expect((await signIn(throttled.endpoint, AGENT.email, '000000')).status).toBe(401);
      now += 61_000;
      expect((await signIn(throttled.endpoint, AGENT.email, '000000')).status).toBe(401);
      expect((await signIn(throttled.endpoint, AGENT.email, signInCode)).status).toBe(200);
    } finally {
      await throttled.stop();
    }
  });
});
