// browser: conversations in real Chromium on the whole local stack: pasted screenshots show, agents' Markdown renders,
// and what the customer receives is readable text
import { mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../bin/local/ses-local';
import { solidPng } from '../support/mail';
import { startStackHarness, type StackHarness } from '../support/stack-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const runId = randomUUID().slice(0, 6);
/** Mail goes SMTP → S3 → ingest and the inbox refreshes by itself, on a machine that may be busy. */
const ARRIVAL_MS = 60_000;

interface ApiTicket {
  id: string;
  number: number;
  subject: string;
}

describe('conversations in a real browser', () => {
  let desk: StackHarness;
  let browser: Browser;

  beforeAll(async () => {
    desk = await startStackHarness({ dashboard: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled([browser?.close(), desk?.stop()]);
  });

  /** Signs in and opens the ticket with `subject` once it arrived; every URL the page requests is collected. */
  async function openTicket(subject: string): Promise<{ page: Page; requests: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(desk.stack.urls.dashboard);
    await page.getByLabel('Email').fill(desk.agent.email);
    await page.getByLabel('Sign-in code').fill(desk.stack.signInCode);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.locator('.tickets li', { hasText: subject });
    await row.waitFor({ timeout: ARRIVAL_MS });
    await row.click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    return { page, requests };
  }

  async function ticketBySubject(subject: string): Promise<ApiTicket> {
    const { items } = await desk.api<{ items: ApiTicket[] }>('GET', '/api/tickets?status=open');
    const ticket = items.find((t) => t.subject === subject);
    if (!ticket) throw new Error(`no open ticket "${subject}"`);
    return ticket;
  }

  it('shows a screenshot pasted into a Gmail-shaped mail (cid: image) with no request leaving the machine', async () => {
    const subject = `Error dialog ${runId}`;
    await desk.send({
      from: 'Ann Example <ann@customer.example>',
      subject,
      text: 'Hi, I get this error:\n\n[image: image.png]\n\nAnn',
      // Gmail: multipart/related, the image inline with a Content-ID its HTML points at.
      html: '<div dir="ltr">Hi, I get this error:<div><img src="cid:ii_m3k9x2a10" alt="image.png" width="64" height="48"><br></div><div>Ann</div></div>',
      attachments: [
        { filename: 'image.png', content: solidPng(64, 48), contentType: 'image/png', cid: 'ii_m3k9x2a10', contentDisposition: 'inline' },
      ],
    });
    await desk.stack.settled();

    const { page, requests } = await openTicket(subject);
    const image = page.frameLocator('.message.inbound iframe.email-frame').locator('img[alt="image.png"]');
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 15_000 }).toBe(64);
    await page.locator('.message.inbound').screenshot({ path: `${ARTIFACTS}/conversation-inline-image.png` });

    // Nothing remote: the image came from the desk's own bucket on this machine, and there are no remote images to load.
    // Only network schemes can leave the machine (data:, about: and blob: URLs have no host).
    const network = requests.filter((url) => /^(https?|wss?):/.test(url));
    const hosts = new Set(network.map((url) => new URL(url).hostname));
    expect(
      [...hosts].filter((host) => host !== '127.0.0.1' && host !== 'localhost'),
      requests.join(' '),
    ).toEqual([]);
    expect(await page.getByRole('button', { name: /Load remote images/ }).count()).toBe(0);
    await page.context().close();
  }, 180_000);

  it("renders the agent's Markdown in the thread, and the customer's mail has it as readable text", async () => {
    const subject = `Markdown answer ${runId}`;
    await desk.send({ from: 'Bob <bob@customer.example>', subject, text: 'How do I reset the printer?' });
    await desk.stack.settled();
    const { page } = await openTicket(subject);

    await page.keyboard.press('r');
    await page
      .getByLabel('Reply text (Markdown)')
      .fill(
        'Hold **Reset** for `5 s`, then:\n\n- unplug it\n- wait\n\n<img src=x onerror="window.top.pwned = 1"><a href="javascript:top.pwned = 2">x</a>',
      );
    await page.getByRole('button', { name: 'Send reply' }).click();
    const answer = page.locator('.message.outbound .markdown-body');
    await answer.locator('strong', { hasText: 'Reset' }).waitFor({ timeout: 15_000 });
    await answer.locator('code', { hasText: '5 s' }).waitFor();
    await answer.locator('li', { hasText: 'unplug it' }).waitFor();
    // Raw HTML typed into the answer is neither an image nor a script link in the page.
    expect(await answer.locator('img').count()).toBe(0);
    expect(await answer.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await page.evaluate(() => Reflect.get(window, 'pwned'))).toBeUndefined();
    await page.locator('.message.outbound').screenshot({ path: `${ARTIFACTS}/conversation-markdown-answer.png` });

    await desk.stack.settled();
    const ticket = await ticketBySubject(subject).catch(async () => {
      const { items } = await desk.api<{ items: ApiTicket[] }>('GET', '/api/tickets?status=pending');
      return items.find((t) => t.subject === subject)!;
    });
    const { emails } = await readOutbox(desk.stack.urls.outbox);
    const mailed = emails.filter(
      (e) => e.destination.to.some((to) => to.includes('bob@customer.example')) && e.body.text?.includes('Reset'),
    );
    expect(mailed).toHaveLength(1);
    expect(mailed[0]!.subject).toBe(`Re: ${subject} [#${ticket.number}]`);
    expect(mailed[0]!.body.text).toContain('Hold Reset for 5 s, then:');
    expect(mailed[0]!.body.text).not.toMatch(/\*\*|`/);
    expect(mailed[0]!.body.html).toContain('<strong>Reset</strong>');
    await page.context().close();
  }, 180_000);

  it('attaches a file on the local stack (the S3 stand-in answers CORS); a failed upload blocks sending until retried', async () => {
    const subject = `Need the driver ${runId}`;
    await desk.send({ from: 'Carol <carol@customer.example>', subject, text: 'Can you send me the driver?' });
    await desk.stack.settled();
    const { page } = await openTicket(subject);
    const file = { name: 'driver-notes.txt', mimeType: 'text/plain', buffer: Buffer.from(`driver notes ${runId}\n`) };

    await page.keyboard.press('r');
    await page.getByLabel('Reply text (Markdown)').fill('Here are the notes.');
    // First the file store is unreachable: the agent sees why and cannot send the answer without the file.
    await page.route('**/uploads/**', (route) => route.abort());
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByRole('alert').getByText('driver-notes.txt did not upload').waitFor();
    expect(await page.getByRole('button', { name: 'Send reply' }).isDisabled()).toBe(true);
    await page.locator('.reply-box').screenshot({ path: `${ARTIFACTS}/conversation-upload-failed.png` });

    // Then it is back: Retry uploads through the CORS preflight for real, and the answer goes out with the file.
    await page.unroute('**/uploads/**');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page
      .locator('.uploads li', { hasText: 'driver-notes.txt' })
      .getByText(/\(\d+ B\)/)
      .waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message.outbound').waitFor();

    await desk.stack.settled();
    const { emails } = await readOutbox(desk.stack.urls.outbox);
    const mailed = emails.filter(
      (e) => e.destination.to.some((to) => to.includes('carol@customer.example')) && e.body.text?.includes('Here are the notes.'),
    );
    expect(mailed).toHaveLength(1);
    expect(mailed[0]!.attachments.map((a) => [a.filename, Buffer.from(a.content, 'base64').toString('utf8')])).toEqual([
      ['driver-notes.txt', `driver notes ${runId}\n`],
    ]);
    await page.context().close();
  }, 180_000);

  it('opens a ticket to a customer from the New ticket page; the customer gets the message', async () => {
    const subject = `Your loan printer ${runId}`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(desk.stack.urls.dashboard);
    await page.getByLabel('Email').fill(desk.agent.email);
    await page.getByLabel('Sign-in code').fill(desk.stack.signInCode);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'New ticket' }).click();

    await page.getByLabel('To (the customer)').fill('dana@customer.example');
    await page.getByLabel('Subject').fill(subject);
    await page.getByLabel('Message (Markdown)').fill('A loan printer is **on its way**.');
    await page.screenshot({ path: `${ARTIFACTS}/conversation-new-ticket.png` });
    await page.getByRole('button', { name: 'Open ticket and send' }).click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await page.locator('.message.outbound .markdown-body strong', { hasText: 'on its way' }).waitFor();

    await desk.stack.settled();
    const { emails } = await readOutbox(desk.stack.urls.outbox);
    const mailed = emails.filter((e) => e.destination.to.some((to) => to.includes('dana@customer.example')));
    expect(mailed.map((e) => e.subject)).toEqual([expect.stringMatching(new RegExp(`^${subject} \\[#\\d+\\]$`))]);
    expect(mailed[0]!.body.text).toContain('A loan printer is on its way.');
    await context.close();
  }, 120_000);
});
