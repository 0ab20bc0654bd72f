// Reliability: every team route of the API refuses a missing, expired, tampered or wrong-audience token (via the local HTTP server).
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../bin/local/http-server';
import type { LocalServer } from '../../bin/local/local-server';
import { findFreePort } from '../../bin/local/ports';
import { createApiHandler } from '../../functions/api/create-handler';
import { isPublicRoute } from '../../functions/api/routes';
import { TEAM_GROUP } from '../../functions/core/api/auth';
import { issueLocalToken, LOCAL_AUDIENCE, LOCAL_ISSUER, verifyLocalToken } from '../../functions/core/api/local-auth';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { TEST_SECRET } from '../support/secret';
import { type RuntimeHarness, startRuntimeHarness } from '../support/runtime-harness';

/** The route tables, read from their source: the arrays are not exported, and a new route must not escape this test. */
const ROUTES = ['routes.ts', 'workflow-routes.ts']
  .flatMap((file) => [
    ...readFileSync(new URL(`../../functions/api/${file}`, import.meta.url), 'utf8').matchAll(
      /method: '(GET|POST|PUT|PATCH|DELETE)',\s*path: '([^']+)'/g,
    ),
  ])
  .map(([, method, path]) => ({ method: method!, path: path! }));
const SAMPLE: Record<string, string> = {
  id: '01jd2x0000000000000000000a',
  deliveryId: '01jd2x0000000000000000000b',
  messageId: '01jd2x0000000000000000000c',
  address: 'ann@customer.example',
  deskId: 'support',
};
const TEAM_ROUTES = ROUTES.map((r) => ({
  ...r,
  url: r.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(SAMPLE[name] ?? 'x')),
})).filter((r) => !isPublicRoute(r.method, r.url));

const member = DEFAULT_DESK_CONFIG.team[0]!;
const key = new TextEncoder().encode(TEST_SECRET);
const sign = (claims: { aud?: string; iss?: string; exp?: number; secret?: Uint8Array }) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: member.email, name: member.name, 'cognito:groups': [TEAM_GROUP] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(member.email)
    .setIssuer(claims.iss ?? LOCAL_ISSUER)
    .setAudience(claims.aud ?? LOCAL_AUDIENCE)
    .setIssuedAt(now - 60)
    .setExpirationTime(claims.exp ?? now + 3600)
    .sign(claims.secret ?? key);
};

let fx: RuntimeHarness;
let http: LocalServer;
const bad: Record<string, string | null> = {};

beforeAll(async () => {
  fx = await startRuntimeHarness({ name: 'auth' });
  http = await startHttpServer({
    port: await findFreePort(),
    staticDir: '/nonexistent',
    apiHandler: createApiHandler(fx.runtime.api),
    verifyToken: (token) => verifyLocalToken(TEST_SECRET, token),
  });
  const valid = await issueLocalToken(TEST_SECRET, member);
  const [header, payload, signature] = valid.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  const forgedPayload = Buffer.from(JSON.stringify({ ...claims, email: 'mallory@evil.example' })).toString('base64url');
  bad.missing = null;
  bad.expired = await issueLocalToken(TEST_SECRET, member, new Date(Date.now() - 13 * 3600 * 1000));
  bad['tampered payload'] = `${header}.${forgedPayload}.${signature}`;
  bad['tampered signature'] = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
  bad['wrong audience'] = await sign({ aud: 'another-app' });
  bad['wrong issuer'] = await sign({ iss: 'https://cognito-idp.example/evil' });
  bad['another secret'] = await sign({ secret: new TextEncoder().encode('a-different-secret-0123456789-abcdefgh') });
  bad['alg none'] = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
  bad['not a bearer token'] = 'Basic YWRtaW46YWRtaW4=';
  bad.valid = valid;
});
afterAll(async () => {
  await http.stop();
  await fx.stop();
});

const call = (route: { method: string; url: string }, token: string | null) =>
  fetch(`${http.endpoint}${route.url}`, {
    method: route.method,
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: token.startsWith('Basic ') ? token : `Bearer ${token}` }),
    },
    body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
  });

describe('API authentication', () => {
  it('finds the whole route table', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(17);
    // Public: the local sign-in and the unsubscribe link (GET shows a confirmation, POST acts: RFC 8058 one-click).
    const team = new Set(TEAM_ROUTES.map((r) => `${r.method} ${r.path}`));
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).filter((r) => !team.has(r))).toEqual([
      'POST /api/auth/local',
      'GET /api/unsubscribe',
      'POST /api/unsubscribe',
    ]);
  });

  it('answers 401 on every team route to a missing, expired, tampered, wrong-audience, wrong-issuer or unsigned token', async () => {
    const accepted: string[] = [];
    for (const route of TEAM_ROUTES) {
      for (const [name, token] of Object.entries(bad)) {
        if (name === 'valid') continue;
        const response = await call(route, token);
        await response.body?.cancel();
        if (response.status !== 401) accepted.push(`${route.method} ${route.path} with ${name}: ${response.status}`);
      }
    }
    expect(accepted).toEqual([]);
  }, 60_000);

  it('lets the same requests through with a valid token (the check above is not a server refusing everything)', async () => {
    const refused: string[] = [];
    for (const route of TEAM_ROUTES) {
      const response = await call(route, bad.valid!);
      await response.body?.cancel();
      if (response.status === 401) refused.push(`${route.method} ${route.path}`);
    }
    expect(refused).toEqual([]);
  }, 60_000);
});
