// browser: the dashboard in real Chromium against the real API handler and local HTTP server
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AGENT, DESK_ADDRESS, buildDashboard, startFixtureStack, startRequestCounter, type FixtureStack, type RequestCounter } from './fixture-stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const runId = randomUUID().slice(0, 6);

interface ApiMessage {
  id: string;
  direction: string;
}
interface ApiDelivery {
  kind: string;
  messageItemId: string;
  recipient: { address: string } | string;
}
interface ApiTicket {
  status: string;
  assignee: string | null;
  labels: string[];
  messages: ApiMessage[];
  deliveries: ApiDelivery[];
}

function plainMail(options: { from: string; subject: string; body: string; date?: Date }): string {
  return [
    `From: ${options.from}`,
    `To: Support <${DESK_ADDRESS}>`,
    `Subject: ${options.subject}`,
    `Message-ID: <${randomUUID()}@customer.example>`,
    `Date: ${(options.date ?? new Date()).toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.body,
    '',
  ].join('\r\n');
}

function htmlMail(options: { from: string; subject: string; text: string; html: string }): string {
  const boundary = `b-${randomUUID()}`;
  return [
    `From: ${options.from}`,
    `To: ${DESK_ADDRESS}`,
    `Subject: ${options.subject}`,
    `Message-ID: <${randomUUID()}@hostile.example>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    '',
    options.html,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

describe('the dashboard in a real browser', () => {
  let staticDir: string;
  let stack: FixtureStack;
  let counter: RequestCounter;
  let browser: Browser;

  beforeAll(async () => {
    [staticDir, counter] = await Promise.all([buildDashboard(), startRequestCounter()]);
    stack = await startFixtureStack({ dynamoEndpoint: inject('dynamoEndpoint'), s3Endpoint: inject('s3Endpoint'), bucket: inject('mailBucket'), staticDir });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled([browser?.close(), stack?.stop(), counter?.stop()]);
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
  });

  async function signIn(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto(stack.url);
    await page.getByLabel('Email').fill(AGENT.email);
    await page.getByLabel('Sign-in code').fill(stack.code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Open tickets' }).waitFor();
    return page;
  }

  async function apiTicket(id: string): Promise<ApiTicket> {
    const response = await fetch(`${stack.url}/api/tickets/${id}`, { headers: { authorization: `Bearer ${await stack.token()}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as ApiTicket;
  }

  it('signs in, lists the ticket, answers it, adds a note and closes it', async () => {
    // Arrange: a few tickets so the inbox looks like a working day; the one under test arrives last.
    const subject = `Printer on fire ${runId}`;
    for (const [from, other] of [
      ['Bob Buyer <bob@shop.example>', 'Invoice 2024-113 shows the wrong VAT number'],
      ['Dana <dana@school.example>', 'Cannot reset my password'],
      ['Eve Evans <eve@studio.example>', 'Feature request: export tickets as CSV'],
    ] as const) {
      await stack.ingest(plainMail({ from, subject: `${other} ${runId}`, body: `Hello,\n\n${other}.\n\nThanks` }));
    }
    const seeded = await stack.ingest(
      plainMail({ from: 'Carol Customer <carol@customer.example>', subject, body: 'Hello,\n\nmy printer is on fire since this morning. What should I do?\n\nCarol' }),
    );
    expect(seeded.outcome).toBe('ticket-created');
    const ticketId = seeded.ticketId!;

    // Act + Assert: the inbox shows the ticket first, with its counts.
    const page = await signIn();
    const row = page.locator('.tickets li').first();
    await expect.poll(() => row.textContent()).toContain(subject);
    await expect.poll(() => page.locator('.views a[aria-current="page"] .count').textContent()).toBe('4');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-inbox.png` });

    // j selects the first row, Enter opens it.
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await expect.poll(() => page.locator('.message.inbound .threaded-by').first().textContent()).toBe('new ticket');

    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByRole('heading', { name: 'Assignee' }).locator('xpath=..').getByText(AGENT.email).waitFor();
    await page.getByLabel('Add labels (comma-separated)').fill('hardware, urgent');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('.controls .chip.label', { hasText: 'urgent' }).waitFor();

    await page.keyboard.press('r');
    await page.getByLabel('Reply text (Markdown)').fill('Hi Carol,\n\nplease **unplug it** and step away. We are on our way.');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.frameLocator('iframe.preview-frame').locator('strong', { hasText: 'unplug it' }).waitFor();
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message.outbound').waitFor();

    await page.keyboard.press('n');
    await expect.poll(() => page.getByLabel('Internal note (not emailed)').isChecked()).toBe(true);
    await page.getByLabel('Note text (Markdown)').fill('Called the fire brigade; follow up tomorrow.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.message.note').waitFor();

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('e');
    await expect.poll(() => page.getByLabel('Status').inputValue()).toBe('closed');
    await page.locator('.message.note').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-ticket.png`, fullPage: true });

    // Assert through the API: the reply made deliveries, the note none, and the ticket is closed.
    const ticket = await apiTicket(ticketId);
    expect(ticket.status).toBe('closed');
    expect(ticket.assignee).toBe(AGENT.email);
    expect(ticket.labels).toEqual(['hardware', 'urgent']);
    expect(ticket.messages.map((m) => m.direction)).toEqual(['inbound', 'outbound', 'note']);
    const [, reply, note] = ticket.messages;
    const replyDeliveries = ticket.deliveries.filter((d) => d.messageItemId === reply!.id);
    expect(replyDeliveries.map((d) => [d.kind, typeof d.recipient === 'string' ? d.recipient : d.recipient.address])).toEqual([
      ['reply', 'carol@customer.example'],
    ]);
    expect(ticket.deliveries.filter((d) => d.messageItemId === note!.id)).toEqual([]);

    // On a phone the same page fits the width: no sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-ticket-phone.png` });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await mkdir('docs/screenshots', { recursive: true });
    await copyFile(`${ARTIFACTS}/dashboard-inbox.png`, 'docs/screenshots/inbox.png');
    await copyFile(`${ARTIFACTS}/dashboard-ticket.png`, 'docs/screenshots/ticket.png');
    await page.context().close();
  }, 120_000);

  it('shows hostile HTML mail without running any script and loads remote images only when the agent asks', async () => {
    // Arrange: every classic payload, and a tracking pixel on a loopback server that counts requests.
    const remote = counter.endpoint;
    const html = `<html><head>
<meta http-equiv="refresh" content="0;url=${remote}/refresh">
<link rel="stylesheet" href="${remote}/style.css">
<style>@import url("${remote}/import.css"); body { background: url("${remote}/style-bg.gif") }</style>
<script>window.top.pwned = 1; document.title = 'pwned';</script>
</head><body>
<p>Hello from a hostile sender ${runId}</p>
<img src="${remote}/pixel.gif" width="1" height="1" alt="">
<img src="x" onerror="window.top.pwned = 2; top.document.title = 'pwned'">
<a href="javascript:window.top.pwned = 3">Win a prize</a>
<div style="width: expression(alert(1)); background-image: url(${remote}/div-bg.gif)">styled</div>
<svg onload="window.top.pwned = 4"><script>window.top.pwned = 5</script><image href="${remote}/svg.gif"/></svg>
<iframe src="javascript:parent.pwned = 6"></iframe>
<object data="${remote}/object.swf"></object>
<form action="${remote}/form"><button formaction="javascript:top.pwned = 7">Go</button></form>
<body onload="top.pwned = 8"></body>
</body></html>`;
    const seeded = await stack.ingest(
      htmlMail({ from: 'Mallory <mallory@hostile.example>', subject: `Your invoice ${runId}`, text: `Hello from a hostile sender ${runId}`, html }),
    );
    const page = await signIn();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const hitsBefore = counter.hits.length;

    // Act: open the ticket and let the frame settle.
    await page.goto(`${stack.url}/#/tickets/${seeded.ticketId}`);
    const frame = page.frameLocator('iframe.email-frame');
    await frame.getByText(`Hello from a hostile sender ${runId}`).waitFor();
    await frame.getByText('Win a prize').click();
    await page.waitForTimeout(1500);

    // Assert: sandboxed, nothing ran, nothing left the machine.
    expect(await page.locator('iframe.email-frame').getAttribute('sandbox')).toBe('');
    expect(await page.evaluate(() => Reflect.get(window, 'pwned'))).toBeUndefined();
    expect(await page.title()).toBe('sesdesk');
    expect(dialogs).toEqual([]);
    expect(counter.hits.slice(hitsBefore)).toEqual([]);

    // Act: the agent allows remote images.
    await page.getByRole('button', { name: /Load remote images/ }).click();

    // Assert: now, and only now, the pixel is fetched; still nothing ran.
    await expect.poll(() => counter.hits.slice(hitsBefore), { timeout: 10_000 }).toContain('/pixel.gif');
    expect(await page.evaluate(() => Reflect.get(window, 'pwned'))).toBeUndefined();
    expect(await page.title()).toBe('sesdesk');
    expect(dialogs).toEqual([]);

    // The plain-text view shows the text part.
    await page.getByRole('button', { name: 'Plain text' }).click();
    await page.locator('.message.inbound .plain', { hasText: `Hello from a hostile sender ${runId}` }).waitFor();
    await page.context().close();
  }, 120_000);

  it('edits a desk template on the settings page, loaded on demand', async () => {
    const page = await signIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    const subject = page.getByRole('group', { name: 'Acknowledgement' }).getByLabel('Subject');
    await subject.fill(`[#{{ticket.number}}] We got it: {{ticket.subject}} ${runId}`);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Settings saved.').waitFor();
    await expect.poll(() => page.getByText('{{unsubscribe.url}}').count()).toBeGreaterThan(0);

    const response = await fetch(`${stack.url}/api/settings/support`, { headers: { authorization: `Bearer ${await stack.token()}` } });
    const settings = (await response.json()) as { templates: { ack: { subject: string } } };
    expect(settings.templates.ack.subject).toBe(`[#{{ticket.number}}] We got it: {{ticket.subject}} ${runId}`);
    await page.context().close();
  }, 60_000);
});
