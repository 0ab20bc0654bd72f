// browser: the dashboard in real Chromium against the whole local stack, mail in by SMTP and out through the SES outbox
import { copyFile, mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../bin/local/ses-local';
import { startRequestCounter, type RequestCounter } from '../support/request-counter';
import { startStackHarness, type StackHarness } from '../support/stack-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const runId = randomUUID().slice(0, 6);
/** Mail goes SMTP → S3 → ingest and the inbox refreshes every 10 s, on a machine that may be busy. */
const ARRIVAL_MS = 60_000;

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
  number: number;
  status: string;
  assignee: string | null;
  labels: string[];
  messages: ApiMessage[];
  deliveries: ApiDelivery[];
}

describe('the dashboard in a real browser', () => {
  let desk: StackHarness;
  let counter: RequestCounter;
  let browser: Browser;

  beforeAll(async () => {
    [desk, counter] = await Promise.all([startStackHarness({ dashboard: true }), startRequestCounter()]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled([browser?.close(), desk?.stop(), counter?.stop()]);
  });

  async function signIn(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto(desk.stack.urls.dashboard);
    await page.getByLabel('Email').fill(desk.agent.email);
    await page.getByLabel('Sign-in code').fill(desk.stack.signInCode);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Open tickets' }).waitFor();
    return page;
  }

  /** The ticket id of the page open in the browser (`#/tickets/<id>`). */
  function openTicketId(page: Page): string {
    const id = /#\/tickets\/([^/?]+)/.exec(page.url())?.[1];
    if (!id) throw new Error(`no ticket open at ${page.url()}`);
    return decodeURIComponent(id);
  }

  it('signs in, shows a ticket that arrived by SMTP, answers it, adds a note and closes it; only the answer is mailed', async () => {
    // Arrange: a few tickets so the inbox looks like a working day, then the agent watches the inbox.
    const subject = `Printer on fire ${runId}`;
    const customer = 'carol@customer.example';
    const answer = {
      typed: 'Hi Carol,\n\nplease **unplug it** and step away. We are on our way.',
      mailed: ['Hi Carol,', 'unplug it', 'We are on our way.'],
    };
    const note = 'Called the fire brigade; follow up tomorrow.';
    for (const [from, other] of [
      ['Bob Buyer <bob@shop.example>', 'Invoice 2024-113 shows the wrong VAT number'],
      ['Dana <dana@school.example>', 'Cannot reset my password'],
      ['Eve Evans <eve@studio.example>', 'Feature request: export tickets as CSV'],
    ] as const) {
      await desk.send({ from, subject: `${other} ${runId}`, text: `Hello,\n\n${other}.\n\nThanks` });
    }
    await desk.stack.settled();
    const page = await signIn();
    const openCount = page.locator('.views a[aria-current="page"] .count');
    await expect.poll(() => openCount.textContent(), { timeout: ARRIVAL_MS }).toBe('3');

    // Act: the customer writes in over SMTP while the inbox is open; its own refresh brings the ticket in.
    await desk.send({
      from: `Carol Customer <${customer}>`,
      subject,
      text: 'Hello,\n\nmy printer is on fire since this morning. What should I do?\n\nCarol',
    });
    const row = page.locator('.tickets li').first();
    await expect.poll(() => row.textContent(), { timeout: ARRIVAL_MS }).toContain(subject);
    await expect.poll(() => openCount.textContent(), { timeout: ARRIVAL_MS }).toBe('4');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-inbox.png` });

    // j selects the first row, Enter opens it.
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    const ticketId = openTicketId(page);
    await expect.poll(() => page.locator('.message.inbound .threaded-by').first().textContent()).toBe('new ticket');

    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByRole('heading', { name: 'Assignee' }).locator('xpath=..').getByText(desk.agent.email).waitFor();
    await page.getByLabel('Add labels (comma-separated)').fill('hardware, urgent');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('.controls .chip.label', { hasText: 'urgent' }).waitFor();

    await page.keyboard.press('r');
    await page.getByLabel('Reply text (Markdown)').fill(answer.typed);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.frameLocator('iframe.preview-frame').locator('strong', { hasText: 'unplug it' }).waitFor();
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message.outbound').waitFor();

    await page.keyboard.press('n');
    await expect.poll(() => page.getByLabel('Internal note (not emailed)').isChecked()).toBe(true);
    await page.getByLabel('Note text (Markdown)').fill(note);
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.message.note').waitFor();

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('e');
    await expect.poll(() => page.getByLabel('Status').inputValue()).toBe('closed');
    await page.locator('.message.note').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-ticket.png`, fullPage: true });

    // Assert through the API: closed, assigned, labelled; the reply made a delivery, the note none.
    const ticket = await desk.api<ApiTicket>('GET', `/api/tickets/${ticketId}`);
    expect(ticket.status).toBe('closed');
    expect(ticket.assignee).toBe(desk.agent.email);
    expect(ticket.labels).toEqual(['hardware', 'urgent']);
    expect(ticket.messages.map((m) => m.direction)).toEqual(['inbound', 'outbound', 'note']);
    const [, reply, noteMessage] = ticket.messages;
    const replyDeliveries = ticket.deliveries.filter((d) => d.messageItemId === reply!.id);
    expect(replyDeliveries.map((d) => [d.kind, typeof d.recipient === 'string' ? d.recipient : d.recipient.address])).toEqual([
      ['reply', customer],
    ]);
    expect(ticket.deliveries.filter((d) => d.messageItemId === noteMessage!.id)).toEqual([]);

    // Assert through the SES outbox: the acknowledgement and the answer reached Carol, the note reached nobody.
    await desk.stack.settled();
    const { emails } = await readOutbox(desk.stack.urls.outbox);
    const toCustomer = emails.filter((email) => email.destination.to.some((to) => to.includes(customer)));
    expect(toCustomer.map((email) => email.subject)).toEqual([`Re: ${subject} [#${ticket.number}]`, `Re: ${subject} [#${ticket.number}]`]);
    for (const line of answer.mailed) expect(toCustomer[1]!.body.text).toContain(line);
    expect(toCustomer[1]!.body.text).toContain(`${desk.stack.urls.dashboard}/api/unsubscribe?ticket=${ticketId}&`);
    expect(emails.filter((email) => `${email.subject}\n${email.body.text}\n${email.body.html}`.includes(note))).toEqual([]);

    // On a phone the same page fits the width: no sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-ticket-phone.png` });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // The README's screenshots change only when asked for (`UPDATE_SCREENSHOTS=1 npx vitest run test/browser`),
    // so a test run never leaves the working tree modified.
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await mkdir('docs/screenshots', { recursive: true });
      await copyFile(`${ARTIFACTS}/dashboard-inbox.png`, 'docs/screenshots/inbox.png');
      await copyFile(`${ARTIFACTS}/dashboard-ticket.png`, 'docs/screenshots/ticket.png');
    }
    await page.context().close();
  }, 240_000);

  it('shows hostile HTML mail without running any script and loads remote images only when the agent asks', async () => {
    // Arrange: every classic payload, and a tracking pixel on a loopback server that counts requests.
    const remote = counter.endpoint;
    const subject = `Your invoice ${runId}`;
    const text = `Hello from a hostile sender ${runId}`;
    const html = `<html><head>
<meta http-equiv="refresh" content="0;url=${remote}/refresh">
<link rel="stylesheet" href="${remote}/style.css">
<style>@import url("${remote}/import.css"); body { background: url("${remote}/style-bg.gif") }</style>
<script>window.top.pwned = 1; document.title = 'pwned';</script>
</head><body>
<p>${text}</p>
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
    await desk.send({ from: 'Mallory <mallory@hostile.example>', subject, text, html });
    await desk.stack.settled();
    const page = await signIn();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const hitsBefore = counter.hits.length;

    // Act: open the ticket from the inbox and let the frame and everything it might fetch settle.
    await page.locator('.tickets li', { hasText: subject }).click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    const frame = page.frameLocator('iframe.email-frame');
    await frame.getByText(text).waitFor();
    await frame.getByText('Win a prize').click();
    await page.waitForLoadState('networkidle');

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
    await page.locator('.message.inbound .plain', { hasText: text }).waitFor();
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

    const settings = await desk.api<{ templates: { ack: { subject: string } } }>('GET', '/api/settings/support');
    expect(settings.templates.ack.subject).toBe(`[#{{ticket.number}}] We got it: {{ticket.subject}} ${runId}`);
    await page.context().close();
  }, 60_000);

  it('answers with a saved reply picked by typing ; that fills in the customer’s first name and closes the ticket', async () => {
    const title = `Fixed now ${runId}`;
    await desk.api('POST', '/api/replies', {
      title,
      body: 'Hi {{customer.firstName}},\n\nthis is fixed now (ticket #{{ticket.number}}).',
      status: 'closed',
      labels: ['solved'],
    });
    const subject = `Cannot log in ${runId}`;
    await desk.send({ from: 'Frank Fixer <frank@customer.example>', subject, text: 'Hello,\n\nthe login page spins forever.\n\nFrank' });
    await desk.stack.settled();
    const page = await signIn();
    const row = page.locator('.tickets li', { hasText: subject });
    await expect.poll(() => row.count(), { timeout: ARRIVAL_MS }).toBe(1);
    await row.getByRole('link').first().click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    const ticketId = openTicketId(page);
    const { number } = await desk.api<ApiTicket>('GET', `/api/tickets/${ticketId}`);

    const box = page.getByLabel('Reply text (Markdown)');
    await box.click();
    await box.pressSequentially(';fixed');
    await page
      .getByRole('group', { name: 'Saved replies' })
      .getByRole('button', { name: new RegExp(title) })
      .click();
    await expect.poll(() => box.inputValue()).toBe(`Hi Frank,\n\nthis is fixed now (ticket #${number}).`);
    await page.getByText('Sending will also close the ticket, add solved.').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-saved-reply.png` });
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message.outbound').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-saved-reply-sent.png` });
    await expect.poll(() => page.getByLabel('Status').inputValue()).toBe('closed');

    const ticket = await desk.api<ApiTicket>('GET', `/api/tickets/${ticketId}`);
    expect(ticket.status).toBe('closed');
    expect(ticket.labels).toEqual(['solved']);
    expect(ticket.messages.map((m) => m.direction)).toEqual(['inbound', 'outbound']);
    await page.context().close();
  }, 120_000);

  it('refuses a template with an unknown placeholder on the settings page, naming it', async () => {
    const page = await signIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    const body = page.getByRole('group', { name: 'Reply' }).getByLabel('Body');
    await body.fill('Ticket #{{ticket.numbr}}\n\n{{note.text}}');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('alert').getByText('unknown placeholder {{ticket.numbr}}', { exact: false }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-template-error.png` });
    const settings = await desk.api<{ templates: { reply: { body: string } } }>('GET', '/api/settings/support');
    expect(settings.templates.reply.body).not.toContain('numbr');
    await page.context().close();
  }, 60_000);
});
