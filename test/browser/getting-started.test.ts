// browser: the README's "Getting started" as a new user walks it: `sesdesk dev` on fresh data, `sesdesk send`, `sesdesk open`, answer, outbox
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEnvOnFreePorts } from '../../bin/local/local-env';
import { readOutbox } from '../../bin/local/ses-local';
import { outboxHeader } from '../../bin/local/ses-outbox';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REPO = path.resolve(import.meta.dirname, '../..');
const SESDESK = path.join(REPO, 'bin/sesdesk.js');
const ARTIFACTS = 'test-artifacts';
/** sesdesk.config.json of the repository, which `sesdesk dev` reads. */
const AGENT = { email: 'agent@desk.localhost', name: 'Ada Agent' };
const SUBJECT = 'Printer on fire';
const ANSWER = 'Hi Ann,\n\nplease **unplug it** and step away. We are on our way.';

describe('getting started, as the README walks it', () => {
  let dataDir: string;
  let vars: Record<string, string>;
  let desk: ChildProcess;
  let started = '';
  let browser: Browser;
  /** Every console error, uncaught error and failed request of every page, as `what: detail`. */
  const problems: string[] = [];

  const sesdesk = async (...args: string[]): Promise<string> =>
    (await run(process.execPath, [SESDESK, ...args], { cwd: REPO, env: { ...process.env, ...vars }, timeout: 60_000 })).stdout;

  function watch(page: Page): Page {
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    return page;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-getting-started-'));
    ({ vars } = await localEnvOnFreePorts(dataDir));
    // `npm start` is `sesdesk dev`; its own process group, so stopping it stops the JVM too.
    desk = spawn(process.execPath, [SESDESK, 'dev'], {
      cwd: REPO,
      env: { ...process.env, ...vars },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        started += chunk.toString('utf8');
        if (/^sesdesk ready$/m.test(started)) resolve();
      };
      desk.stdout!.on('data', onData);
      desk.stderr!.on('data', onData);
      desk.once('exit', (code) => reject(new Error(`sesdesk dev exited with ${code}:\n${started}`)));
    });
    [browser] = await Promise.all([
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
      ready,
    ]);
    await mkdir(ARTIFACTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (desk?.pid !== undefined && desk.exitCode === null) {
      const exited = new Promise((resolve) => desk.once('exit', resolve));
      process.kill(-desk.pid, 'SIGINT');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('goes from `npm start` to an answered ticket and the answer in the outbox, with no console errors', async () => {
    const dashboard = `http://localhost:${vars.SESDESK_HTTP_PORT}`;
    const outbox = `http://127.0.0.1:${vars.SESDESK_SES_PORT}`;

    // 1. `npm start` says where its data is (absolute), the sign-in code (kept in the data directory) and how long it took.
    expect(started).toContain(`sesdesk: starting the local desk (data in ${dataDir})`);
    const code = /sign in as agent@desk\.localhost with code (\d{6})/.exec(started)?.[1];
    expect(code).toBe((await readFile(path.join(dataDir, 'sign-in-code'), 'utf8')).trim());
    expect(started).toMatch(/Ready in \d+\.\d s from `sesdesk`/);

    // 2. A customer writes in.
    expect(
      await sesdesk('send', '--from', 'Ann Customer <ann@example.com>', '--subject', SUBJECT, '--body', 'Help! It is smoking.'),
    ).toMatch(/sent/i);

    // 3. `npx sesdesk open` prints a link that signs the team member in; the token leaves the address bar at once.
    const link = /^http:\/\/localhost:\d+\/#sign-in=\S+$/m.exec(await sesdesk('open', '--print'))?.[0];
    expect(link).toBeDefined();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = watch(await context.newPage());
    await page.goto(link!);
    await page.getByRole('heading', { name: 'Open tickets' }).waitFor();
    expect(page.url()).not.toContain('sign-in');
    const row = page.locator('.tickets li', { hasText: SUBJECT });
    await row.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: `${ARTIFACTS}/getting-started-inbox.png` });

    // A second tab shares the session: no second sign-in.
    const tab = watch(await context.newPage());
    await tab.goto(dashboard);
    await tab.getByRole('heading', { name: 'Open tickets' }).waitFor();
    await tab.close();

    // 4. Search, then navigate away: the box empties.
    await page.getByLabel('Search tickets').fill('printer');
    await page.getByRole('button', { name: 'Search' }).click();
    await row.waitFor();
    await page.getByRole('link', { name: 'Inbox' }).click();
    await expect.poll(() => page.getByLabel('Search tickets').inputValue()).toBe('');

    // 5. Open the ticket and answer it.
    await row.click();
    await page.getByRole('heading', { level: 1, name: SUBJECT }).waitFor();
    await page.getByLabel('Reply text (Markdown)').fill(ANSWER);
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message.outbound').waitFor();
    await expect.poll(() => page.locator('.message.outbound .delivery').getAttribute('data-status'), { timeout: 60_000 }).toBe('sent');
    await page.screenshot({ path: `${ARTIFACTS}/getting-started-ticket.png`, fullPage: true });

    // 6. The outbox has the acknowledgement and the answer, with the headers that thread them.
    const toAnn = (await readOutbox(outbox)).emails.filter((email) => email.destination.to.some((to) => to.includes('ann@example.com')));
    expect(toAnn.map((email) => email.subject)).toEqual([`Re: ${SUBJECT} [#1]`, `Re: ${SUBJECT} [#1]`]);
    const [ack, answer] = toAnn;
    expect(outboxHeader(ack!, 'Auto-Submitted')).toBe('auto-replied');
    expect(outboxHeader(answer!, 'In-Reply-To')).toBe(outboxHeader(ack!, 'In-Reply-To'));
    expect(answer!.body.text).toContain('unplug it');
    const outboxPage = watch(await context.newPage());
    await outboxPage.setViewportSize({ width: 1100, height: 900 });
    await outboxPage.goto(outbox);
    await outboxPage.getByRole('heading', { level: 1, name: 'SES outbox' }).waitFor();
    // Newest first: the answer, then the acknowledgement.
    const shown = outboxPage.locator('article.mail').first();
    expect(await shown.textContent()).toContain(outboxHeader(answer!, 'Message-ID'));
    expect(await shown.getByRole('heading', { level: 2 }).textContent()).toBe(`Re: ${SUBJECT} [#1]`);
    expect(await shown.getByRole('table', { name: 'Threading headers' }).textContent()).toContain(outboxHeader(answer!, 'In-Reply-To'));
    expect(await shown.locator('pre').first().textContent()).toContain('unplug it');
    await outboxPage.screenshot({ path: `${ARTIFACTS}/getting-started-outbox.png` });

    // 7. Ann answers from her mail client, to the Reply-To of our answer: the reply lands on ticket #1 by its token.
    const replyTo = outboxHeader(answer!, 'Reply-To')!;
    await sesdesk(
      'send',
      '--from',
      'ann@example.com',
      '--to',
      replyTo,
      '--subject',
      `Re: ${SUBJECT} [#1]`,
      '--body',
      'Unplugged it. Thanks!',
    );
    await page.bringToFront();
    await page.locator('.message.inbound', { hasText: 'Unplugged it. Thanks!' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('.message.inbound .threaded-by').last().textContent()).toBe('threaded by reply token');

    // 8. Signing in with the printed code works too.
    const byCode = watch(await (await browser.newContext()).newPage());
    await byCode.goto(dashboard);
    await byCode.getByLabel('Email').fill(AGENT.email);
    await byCode.getByLabel('Sign-in code').fill(code!);
    await byCode.getByRole('button', { name: 'Sign in' }).click();
    await byCode.getByRole('heading', { name: 'Open tickets' }).waitFor();
    await byCode.context().close();

    expect(problems).toEqual([]);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      for (const name of ['inbox', 'ticket', 'outbox']) {
        await copyFile(`${ARTIFACTS}/getting-started-${name}.png`, `docs/screenshots/getting-started-${name}.png`);
      }
    }
    await context.close();
  }, 240_000);
});
