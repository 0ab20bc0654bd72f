// browser: conversations in real Chromium on the whole local stack: pasted screenshots show, agents' Markdown renders,
// what the customer receives is readable text, quoted history folds, and a reply never races a colleague's
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

  it('opens a ticket to a customer from the New ticket page with an attached file; the customer gets both', async () => {
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
    // A failed upload blocks opening the ticket, with the reason on screen; Retry uploads it for real.
    await page.route('**/uploads/**', (route) => route.abort());
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'loan-terms.txt', mimeType: 'text/plain', buffer: Buffer.from(`terms ${runId}\n`) });
    await page.getByRole('alert').getByText('loan-terms.txt did not upload').waitFor();
    expect(await page.getByRole('button', { name: 'Open ticket and send' }).isDisabled()).toBe(true);
    await page.unroute('**/uploads/**');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page
      .locator('.uploads li', { hasText: 'loan-terms.txt' })
      .getByText(/\(\d+ B\)/)
      .waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${ARTIFACTS}/conversation-new-ticket.png` });
    await page.getByRole('button', { name: 'Open ticket and send' }).click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await page.locator('.message.outbound .markdown-body strong', { hasText: 'on its way' }).waitFor();

    await desk.stack.settled();
    const { emails } = await readOutbox(desk.stack.urls.outbox);
    const mailed = emails.filter((e) => e.destination.to.some((to) => to.includes('dana@customer.example')));
    expect(mailed.map((e) => e.subject)).toEqual([expect.stringMatching(new RegExp(`^${subject} \\[#\\d+\\]$`))]);
    expect(mailed[0]!.body.text).toContain('A loan printer is on its way.');
    expect(mailed[0]!.attachments.map((a) => [a.filename, Buffer.from(a.content, 'base64').toString('utf8')])).toEqual([
      ['loan-terms.txt', `terms ${runId}\n`],
    ]);
    await page.locator('.message.outbound .attachments', { hasText: 'loan-terms.txt' }).waitFor();
    await context.close();
  }, 120_000);

  it('folds the quoted history of a Gmail reply in the HTML view, and the frame fits what it shows', async () => {
    const subject = `Printer fixed ${runId}`;
    const history = Array.from(
      { length: 12 },
      (_, i) => `<p>Earlier paragraph ${i + 1}: please restart the printer and check the tray.</p>`,
    ).join('');
    await desk.send({
      from: 'Erin <erin@customer.example>',
      subject,
      text: 'Thanks, that fixed it.\nPrinting works again.\n\nOn Mon, Support wrote:\n> Earlier paragraph',
      html:
        '<div dir="ltr">Thanks, that fixed it.<br>Printing works again.</div><br>' +
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 2 Nov 2026 at 10:00, Support wrote:<br></div>' +
        `<blockquote class="gmail_quote">${history}</blockquote></div>`,
    });
    await desk.stack.settled();
    const { page } = await openTicket(subject);
    const iframe = page.locator('.message.inbound iframe.email-frame');
    const frame = page.frameLocator('.message.inbound iframe.email-frame');
    await frame.getByText('Printing works again.').waitFor();
    /** The frame's height on the page, and the height of the document inside it. */
    const heights = async (): Promise<{ frame: number; content: number }> => ({
      frame: await iframe.evaluate((el: HTMLIFrameElement) => el.clientHeight),
      content: await frame.locator('html').evaluate((html) => html.scrollHeight),
    });

    // Collapsed: the two new lines show, the history does not, and the frame is about two lines high.
    expect(await frame.getByText('Earlier paragraph 1:').isHidden()).toBe(true);
    await expect.poll(async () => (await heights()).frame).toBeLessThan(200);
    const collapsed = await heights();
    expect(Math.abs(collapsed.frame - collapsed.content)).toBeLessThanOrEqual(4);
    await page.locator('.message.inbound').screenshot({ path: `${ARTIFACTS}/conversation-quote-collapsed.png` });

    // One click shows the history, and the frame grows to hold all of it (no inner scrolling, no cut-off).
    await page.locator('.message.inbound').getByRole('button', { name: 'Show quoted text' }).click();
    await frame.getByText('Earlier paragraph 12:').waitFor();
    await expect.poll(async () => (await heights()).frame).toBeGreaterThan(collapsed.frame + 300);
    const expanded = await heights();
    expect(Math.abs(expanded.frame - expanded.content)).toBeLessThanOrEqual(4);
    await page.locator('.message.inbound').screenshot({ path: `${ARTIFACTS}/conversation-quote-expanded.png` });
    await page.context().close();
  }, 180_000);

  it('sends and closes: the ticket is closed and the customer gets the answer once', async () => {
    const subject = `Close after answer ${runId}`;
    await desk.send({ from: 'Finn <finn@customer.example>', subject, text: 'Is the outage over?' });
    await desk.stack.settled();
    const { page } = await openTicket(subject);
    const ticket = await ticketBySubject(subject);

    await page.keyboard.press('r');
    await page.getByLabel('Reply text (Markdown)').fill('Yes, all systems are back.');
    await page.getByRole('button', { name: 'Send and close' }).click();
    await page.locator('.message.outbound', { hasText: 'all systems are back' }).waitFor();
    await page.locator('.ticket-head .chip.status-closed').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/conversation-send-and-close.png` });

    await desk.stack.settled();
    const detail = await desk.api<{ status: string }>('GET', `/api/tickets/${ticket.id}`);
    expect(detail.status).toBe('closed');
    const { emails } = await readOutbox(desk.stack.urls.outbox);
    const mailed = emails.filter(
      (e) => e.destination.to.some((to) => to.includes('finn@customer.example')) && e.body.text?.includes('all systems are back'),
    );
    expect(mailed).toHaveLength(1);
    await page.context().close();
  }, 180_000);

  it('when a colleague answered meanwhile, shows what is new and sends only after the agent confirms, once', async () => {
    const subject = `Two agents ${runId}`;
    await desk.send({ from: 'Gus <gus@customer.example>', subject, text: 'Where is my refund?' });
    await desk.stack.settled();
    const { page } = await openTicket(subject);
    const ticket = await ticketBySubject(subject);
    await page.keyboard.press('r');
    await page.getByLabel('Reply text (Markdown)').fill('Your refund left today.');

    // A colleague answers while this agent is still writing.
    await desk.api('POST', `/api/tickets/${ticket.id}/messages`, { body: 'Refund issued on Monday.', internal: false });
    await page.getByRole('button', { name: 'Send reply' }).click();

    // Nothing was sent: the agent sees the colleague's answer marked New, and what changed.
    const notice = page.getByRole('alertdialog', { name: 'The ticket changed meanwhile' });
    await notice.getByText('1 new message').waitFor();
    await page.locator('.message.fresh', { hasText: 'Refund issued on Monday.' }).getByText('New').waitFor();
    expect(await page.locator('.message.outbound', { hasText: 'Your refund left today.' }).count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/conversation-changed-meanwhile.png`, fullPage: true });

    await notice.getByRole('button', { name: 'Send anyway' }).click();
    await page.locator('.message.outbound', { hasText: 'Your refund left today.' }).waitFor();
    await notice.waitFor({ state: 'detached' });

    await desk.stack.settled();
    const thread = await desk.api<{ messages: { direction: string; text: string }[] }>('GET', `/api/tickets/${ticket.id}`);
    expect(thread.messages.filter((m) => m.text === 'Your refund left today.')).toHaveLength(1);
    const { emails } = await readOutbox(desk.stack.urls.outbox);
    const toGus = emails.filter((e) => e.destination.to.some((to) => to.includes('gus@customer.example')));
    expect(toGus.filter((e) => e.body.text?.includes('Your refund left today.'))).toHaveLength(1);
    expect(toGus.filter((e) => e.body.text?.includes('Refund issued on Monday.'))).toHaveLength(1);
    await page.context().close();
  }, 180_000);
});
