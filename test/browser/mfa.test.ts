// browser: Cognito sign-in with TOTP in real Chromium, against a Cognito stand-in (the app's Cognito requests routed to it)
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../bin/local/http-server';
import type { LocalServer } from '../../bin/local/local-server';
import { findFreePort } from '../../bin/local/ports';
import { buildDashboard } from '../../bin/local/web-build';
import { CognitoStub, totp } from '../support/cognito-stub';
import { launchChromium } from '../support/chromium';

const ARTIFACTS = 'test-artifacts';
const COGNITO = 'https://cognito-idp.eu-west-1.amazonaws.com';

/** Just enough of the API for the inbox to render for a signed-in member. */
async function inboxApi(event: APIGatewayProxyEventV2WithJWTAuthorizer) {
  const json: Record<string, unknown> = {
    '/api/counts': { open: 0, pending: 0, closed: 0, spam: 0, mine: 0, unassigned: 0 },
    '/api/tickets': { items: [], cursor: null },
    '/api/desks': { items: [{ id: 'support', address: 'support@help.example.com', name: 'Support' }] },
  };
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(json[event.rawPath] ?? {}) };
}

describe('two-factor sign-in in a real browser', () => {
  const stub = new CognitoStub({ mfa: 'required', clientId: 'web-client' });
  const seenTokens: string[] = [];
  let webDir: string;
  let site: LocalServer;
  let cognito: Awaited<ReturnType<CognitoStub['listen']>>;
  let browser: Browser;

  beforeAll(async () => {
    webDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-mfa-web-'));
    await buildDashboard(webDir);
    // What the deployment writes: the web app signs in with Cognito in eu-west-1.
    await writeFile(
      path.join(webDir, 'config.json'),
      JSON.stringify({ auth: 'cognito', apiUrl: '', region: 'eu-west-1', userPoolId: 'eu-west-1_Test', userPoolClientId: 'web-client' }),
    );
    cognito = await stub.listen();
    site = await startHttpServer({
      port: await findFreePort(),
      staticDir: webDir,
      apiHandler: inboxApi,
      // As API Gateway's JWT authorizer: only ID tokens the user pool (here, the stub) issued pass.
      verifyToken: async (token) => {
        seenTokens.push(token);
        return stub.claimsOf(token);
      },
      connectSources: [COGNITO],
    });
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled([browser?.close(), site?.stop(), cognito?.close()]);
    await rm(webDir, { recursive: true, force: true });
  });

  /** A fresh tab whose requests to Cognito go to the stand-in (nothing leaves the machine). */
  async function openDashboard(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 800 } })).newPage();
    await page.route(`${COGNITO}/**`, async (route) => {
      if (route.request().method() === 'OPTIONS') {
        await route.fulfill({
          status: 204,
          headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': '*' },
        });
        return;
      }
      await route.fulfill({ response: await route.fetch({ url: cognito.url }) });
    });
    await page.goto(site.endpoint.replace('127.0.0.1', 'localhost'));
    return page;
  }

  async function passwordStep(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('enrols a TOTP app at the first sign-in: new password, the secret and its otpauth link, the first code, the inbox', async () => {
    stub.addUser({ email: 'ada@example.com', name: 'Ada Agent', password: 'Temp-Pass-123!', mustChangePassword: true });
    const page = await openDashboard();

    await passwordStep(page, 'ada@example.com', 'Temp-Pass-123!');
    await page.getByLabel('New password').fill('A-new-Passw0rd!');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
    const secret = (await page.locator('#mfa-secret').textContent())!.replace(/\s/g, '');
    const link = await page.getByRole('link', { name: 'open in your authenticator app' }).getAttribute('href');
    await page.screenshot({ path: `${ARTIFACTS}/mfa-setup.png` });
    await page.getByLabel('6-digit code').fill('000000');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
    await page.getByLabel('6-digit code').fill(totp(secret));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('heading', { name: 'Open tickets' }).waitFor();

    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(link).toBe(`otpauth://totp/sesdesk:ada%40example.com?secret=${secret}&issuer=sesdesk&algorithm=SHA1&digits=6&period=30`);
    expect(stub.users.get('ada@example.com')!.totpSecret).toBe(secret);
    // The API was called with the ID token the user pool issued at the end of the challenges.
    await expect.poll(() => seenTokens.length).toBeGreaterThan(0);
    expect(seenTokens.every((token) => stub.claimsOf(token)?.email === 'ada@example.com')).toBe(true);
  });

  it('asks an enrolled member for the code at the next sign-in, with a clear message for a wrong one', async () => {
    const page = await openDashboard();

    await passwordStep(page, 'ada@example.com', 'A-new-Passw0rd!');
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await page.getByLabel('6-digit code').fill('123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/mfa-code.png` });
    await page.getByLabel('6-digit code').fill(totp(stub.users.get('ada@example.com')!.totpSecret!));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Open tickets' }).waitFor();

    expect(stub.calls.filter((call) => call === 'RespondToAuthChallenge').length).toBeGreaterThanOrEqual(4);
  });
});
