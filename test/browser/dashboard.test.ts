// browser: the dashboard in real Chromium against the whole local stack, mail in by SMTP and out through the SES outbox
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, LOCAL_REGION } from '../../bin/local/aws-clients';
import { readOutbox } from '../../bin/local/ses-local';
import { sesHeaderMessageId } from '../../functions/core/notify/ses-message-id';
import { composeMail, deliveryStatusReport, plainMail, sesStoredMail } from '../support/mail';
import { startRequestCounter, type RequestCounter } from '../support/request-counter';
import { startStackHarness, type StackHarness } from '../support/stack-harness';
import { launchChromium } from '../support/chromium';
import { signInToDashboard } from '../support/dashboard-sign-in';

const ARTIFACTS = 'test-artifacts';
const runId = randomUUID().slice(0, 6);
/** Mail goes SMTP → S3 → ingest and the inbox refreshes every 10 s, on a machine that may be busy. */
const ARRIVAL_MS = 60_000;

interface ApiMessage {
  id: string;
  direction: string;
  held: boolean;
  from: { address: string };
}
interface ApiDelivery {
  kind: string;
  messageItemId: string;
  recipient: { address: string } | string;
}
interface ApiTicket {
  id: string;
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
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled([browser?.close(), desk?.stop(), counter?.stop()]);
  });

  const signIn = (): Promise<Page> => signInToDashboard(browser, desk);

  /** Stores raw mail in the mail bucket under `inbound/`, as SES does (the stack ingests it from there). */
  async function putRaw(name: string, raw: Buffer): Promise<void> {
    const s3 = createS3Client(desk.stack.urls.s3);
    await s3.send(new PutObjectCommand({ Bucket: desk.env.bucket, Key: `inbound/${name}-${runId}`, Body: raw }));
  }

  /** Mail the desk's acknowledgement to `address` back as a mailer daemon's bounce: the address becomes undeliverable. */
  async function bounceAcknowledgement(address: string): Promise<void> {
    const [ack] = await desk.outboxFor(address);
    const returned = `Message-ID: ${sesHeaderMessageId(ack!.messageId, LOCAL_REGION)}\r\nTo: ${address}\r\nSubject: ${ack!.subject}\r\n`;
    await putRaw(
      `bounce-${address.split('@')[0]}`,
      sesStoredMail(deliveryStatusReport({ failed: [address], original: returned, from: 'MAILER-DAEMON@amazonses.com' })),
    );
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
    // Shown by name, the address on hover.
    await page.getByRole('heading', { name: 'Assignee' }).locator('xpath=..').getByText(desk.agent.name, { exact: true }).waitFor();
    expect(await page.locator('.assignee-now .agent').getAttribute('title')).toBe(desk.agent.email);
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

  it('shows a participant added to the ticket as an event, not as an internal note, with its notice as sent', async () => {
    const subject = `Add my colleague ${runId}`;
    await desk.send({ from: 'Fay <fay@example.com>', subject, text: 'Please copy my colleague in.' });
    await desk.stack.settled();
    const page = await signIn();
    await page.locator('.tickets li', { hasText: subject }).click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();

    await page.getByLabel('Add participant').fill('gus@example.com');
    await page.getByRole('button', { name: 'Add and notify' }).click();

    const event = page.locator('.message.event');
    await event.waitFor();
    expect(await event.locator('.chip.direction-event').textContent()).toBe('Participant added');
    expect(await page.getByText('Internal note: not sent').count()).toBe(0);
    await expect.poll(() => event.locator('.delivery').getAttribute('data-status'), { timeout: ARRIVAL_MS }).toBe('sent');
    expect(await event.locator('.delivery').textContent()).toContain('"You were added" notice to gus@example.com');

    await page.getByRole('button', { name: 'Remove gus@example.com' }).click();
    await expect
      .poll(() => page.locator('.message.event .chip.direction-event').allTextContents())
      .toEqual(['Participant added', 'Participant removed']);
    await page.context().close();
  }, 120_000);

  it('shows held mail, a spoofed sender, an undeliverable address and a quarantined attachment, and settles each', async () => {
    // Arrange: Frank opens a ticket by SMTP (no SES verdicts: "not verified"); two strangers answer it by his
    // Message-ID over SMTP; a mail from Frank that fails DMARC, a bounce of our acknowledgement to him and a
    // virus-flagged mail go straight into the mail bucket with SES's header block on top, as SES stores them.
    const frank = `frank-${runId}@customer.example`;
    const mallory = `mallory-${runId}@evil.example`;
    const grace = `grace-${runId}@customer.example`;
    const infected = `infected-${runId}@customer.example`;
    const frankId = `<frank-${runId}@customer.example>`;
    const subject = `Refund for order 7 ${runId}`;
    await desk.send({ from: `Frank <${frank}>`, subject, text: 'Hello,\n\nplease refund order 7.\n\nFrank', messageId: frankId });
    await desk.stack.settled();
    const [opened] = await desk
      .api<{ items: ApiTicket[] }>('GET', `/api/requesters/${encodeURIComponent(frank)}/tickets`)
      .then((r) => r.items);
    const ticketId = opened!.id;
    await desk.send({
      from: `Mallory <${mallory}>`,
      subject: `Re: ${subject}`,
      text: 'Send the refund to my account.',
      inReplyTo: frankId,
    });
    await desk.send({
      from: `Grace <${grace}>`,
      subject: `Re: ${subject}`,
      text: 'Different problem: my invoice is missing.',
      inReplyTo: frankId,
      references: [frankId],
    });
    await putRaw(
      'spoofed',
      sesStoredMail(plainMail({ from: frank, subject: `Re: ${subject} [#${opened!.number}]`, body: 'New bank details: ...' }), {
        spam: 'PASS',
        virus: 'PASS',
        spf: 'fail',
        dkim: 'none',
        dmarc: 'fail',
      }),
    );
    await bounceAcknowledgement(frank);
    await putRaw(
      'virus',
      sesStoredMail(
        await composeMail({
          from: infected,
          to: desk.config.desks[0]!.address,
          subject: `Invoice ${runId}`,
          text: 'See attached',
          attachments: [
            { filename: 'invoice\u202Efdp.exe', content: Buffer.from('MZ not really'), contentType: 'application/octet-stream' },
          ],
        }),
        { spam: 'PASS', virus: 'FAIL' },
      ),
    );
    await desk.stack.settled();
    const page = await signIn();
    const quarantineRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/attachments/quarantined')) quarantineRequests.push(request.url());
    });

    // Assert: three held messages stand out, each saying why; the spoofed one says so; Frank cannot be mailed.
    await page.goto(`${desk.stack.urls.dashboard}/#/tickets/${ticketId}`);
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    const heldFrom = (address: string) => page.getByRole('group', { name: `Held message from ${address}` });
    await heldFrom(frank).waitFor();
    expect(await page.locator('article.message.held').count()).toBe(3);
    await expect.poll(() => heldFrom(mallory).textContent()).toMatch(/In-Reply-To or References.*is not the requester or a participant/);
    const spoofed = page.locator('article.message.held', { has: heldFrom(frank) });
    expect(await spoofed.locator('.chip.spoofed').textContent()).toBe('Spoofed sender: SPF fail · DKIM none · DMARC fail');
    expect(await heldFrom(frank).textContent()).toMatch(/failed authentication \(DMARC failed/);
    expect(await page.locator('article.message').first().locator('.chip.unverified').textContent()).toBe('Sender not verified');
    const warnings = page.getByRole('note', { name: 'Address warnings' });
    expect(await warnings.textContent()).toContain(`${frank}: undeliverable`);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-trust-held.png`, fullPage: true });

    // Act: clear Frank's state with a reason; accept Mallory; move Grace to a ticket of her own.
    await page.getByRole('button', { name: `Clear the undeliverable state of ${frank}` }).click();
    await page.getByLabel(`Why may ${frank} get mail again?`).fill('Frank fixed his mailbox on the phone');
    await page.getByRole('button', { name: 'Clear undeliverable state' }).click();
    await warnings.waitFor({ state: 'detached' });
    await page.locator('.message.note', { hasText: 'Why: Frank fixed his mailbox on the phone' }).waitFor();

    await heldFrom(mallory).getByRole('button', { name: 'Accept into this ticket' }).click();
    await heldFrom(mallory).waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Participants' }).locator('xpath=..').getByTitle(mallory).waitFor();
    await page.locator('.held-resolution', { hasText: `Accepted by ${desk.agent.name}.` }).waitFor();

    await heldFrom(grace).getByRole('button', { name: 'Move to a new ticket' }).click();
    const announced = page.getByRole('status').getByText(/now opens ticket #\d+/);
    await announced.waitFor();
    const movedNumber = Number(/#(\d+)/.exec((await announced.textContent()) ?? '')?.[1]);
    await heldFrom(grace).waitFor({ state: 'detached' });
    expect(await page.locator('article.message.held').count()).toBe(1);
    await page.locator('.held-resolution').last().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-trust-settled.png`, fullPage: true });

    // The moved message opens Grace's ticket, which links back.
    await page.getByRole('link', { name: `ticket #${movedNumber}` }).click();
    await page.getByText(/Moved here from ticket #\d+, where it was held/).waitFor();
    const movedId = openTicketId(page);

    // Act: the virus-flagged mail: its attachment asks first, and nothing is fetched until the agent confirms.
    const [virusTicket] = await desk
      .api<{ items: ApiTicket[] }>('GET', `/api/requesters/${encodeURIComponent(infected)}/tickets`)
      .then((r) => r.items);
    await page.goto(`${desk.stack.urls.dashboard}/#/tickets/${virusTicket!.id}`);
    const attachment = page.getByRole('button', { name: /invoice_fdp\.exe.*quarantined/ });
    await attachment.click();
    const confirm = page.getByRole('alertdialog', { name: 'Download a quarantined attachment' });
    await confirm.waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-trust-quarantine.png` });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(quarantineRequests).toEqual([]);
    await attachment.click();
    const [download] = await Promise.all([page.waitForEvent('download'), confirm.getByRole('button', { name: 'Download anyway' }).click()]);

    // Assert: the file came down as a download, and the API agrees with what the page showed.
    expect(download.suggestedFilename()).toBe('invoice_fdp.exe');
    expect(await readFile(await download.path())).toEqual(Buffer.from('MZ not really'));
    expect(quarantineRequests).toHaveLength(1);
    const after = await desk.api<ApiTicket & { participants: { address: string }[]; addressStates: Record<string, unknown> }>(
      'GET',
      `/api/tickets/${ticketId}`,
    );
    expect(after.participants.map((p) => p.address)).toContain(mallory);
    expect(after.participants.map((p) => p.address)).not.toContain(grace);
    expect(after.addressStates).toEqual({});
    expect(after.messages.filter((m) => m.held).map((m) => m.from.address)).toEqual([frank]);
    const moved = await desk.api<ApiTicket & { requester: { address: string } }>('GET', `/api/tickets/${movedId}`);
    expect(moved).toMatchObject({ number: movedNumber, requester: { address: grace } });
    if (process.env.UPDATE_SCREENSHOTS === '1') await copyFile(`${ARTIFACTS}/dashboard-trust-held.png`, 'docs/screenshots/held.png');
    await page.context().close();
  }, 240_000);

  it('splits a customer’s change of topic off into a new ticket of theirs from the ticket page, without acknowledging it', async () => {
    // Arrange: Ann writes about her printer, then answers her own thread about something else.
    const ann = `ann-${runId}@customer.example`;
    const firstId = `<jam-${runId}@customer.example>`;
    const subject = `Printer jams ${runId}`;
    await desk.send({ from: `Ann <${ann}>`, subject, text: 'Hello,\n\nthe printer jams on page 2.\n\nAnn', messageId: firstId });
    await desk.stack.settled();
    await desk.send({
      from: `Ann <${ann}>`,
      subject: `Re: ${subject}`,
      text: 'Also: my invoice 2024-7 charges the wrong VAT rate.\n\nAnn',
      inReplyTo: firstId,
      references: [firstId],
    });
    await desk.stack.settled();
    const [opened] = await desk
      .api<{ items: ApiTicket[] }>('GET', `/api/requesters/${encodeURIComponent(ann)}/tickets`)
      .then((r) => r.items);
    const page = await signIn();
    await page.goto(`${desk.stack.urls.dashboard}/#/tickets/${opened!.id}`);
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    const topicChange = page.locator('article.message.inbound', { hasText: 'wrong VAT rate' });
    await topicChange.waitFor();
    // The mail that opened the ticket is the ticket: splitting it off would only copy it.
    expect(await page.locator('article.message').first().getByRole('button', { name: 'Split into new ticket' }).count()).toBe(0);

    // Act: split the second mail off; the confirmation says what happens and offers the acknowledgement, unticked.
    await topicChange.getByRole('button', { name: 'Split into new ticket' }).click();
    const confirm = page.getByRole('group', { name: `Split the message from ${ann}` });
    await confirm.waitFor();
    expect(await confirm.getByRole('checkbox').isChecked()).toBe(false);
    await confirm.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-split-confirm.png` });
    await confirm.getByRole('button', { name: 'Split', exact: true }).click();

    // Assert: the old ticket says where the mail went and links there; the new ticket opens with it and a note.
    const announced = page.getByRole('status').getByText(/now opens ticket #\d+/);
    await announced.waitFor();
    const newNumber = Number(/#(\d+)/.exec((await announced.textContent()) ?? '')?.[1]);
    await topicChange.getByText(`Split off by ${desk.agent.name} into ticket #${newNumber}.`).waitFor();
    expect(await topicChange.getByRole('button', { name: 'Split into new ticket' }).count()).toBe(0);
    await page.locator('.message.note', { hasText: `off into a new ticket #${newNumber}` }).waitFor();
    await page.getByRole('link', { name: `ticket #${newNumber}` }).click();
    await page.getByRole('heading', { level: 1, name: `Re: ${subject}` }).waitFor();
    await page.locator('.message.note', { hasText: `split this ticket off #${opened!.number}` }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-split-new-ticket.png`, fullPage: true });
    const splitId = openTicketId(page);
    const split = await desk.api<ApiTicket & { requester: { address: string } }>('GET', `/api/tickets/${splitId}`);
    expect(split).toMatchObject({ number: newNumber, requester: { address: ann } });
    expect(split.messages.map((m) => m.direction)).toEqual(['inbound', 'note']);
    await desk.stack.settled();
    expect(split.deliveries).toEqual([]);
    expect((await desk.outboxFor(ann)).map((m) => m.subject)).toEqual([`Re: ${subject} [#${opened!.number}]`]);
    await page.context().close();
  }, 180_000);

  it('marks a ticket whose answer could not be delivered, filters the inbox by it, and keeps that as a saved view', async () => {
    // Arrange: Henry's acknowledgement bounces (his address is now undeliverable); Ivy's ticket is fine.
    const henry = `henry-${runId}@customer.example`;
    const subject = `Where is my parcel ${runId}`;
    const fine = `Thanks for the quick help ${runId}`;
    await desk.send({ from: `Henry <${henry}>`, subject, text: 'Hello,\n\nmy parcel never came.\n\nHenry' });
    await desk.send({ from: `Ivy <ivy-${runId}@customer.example>`, subject: fine, text: 'All good now.' });
    await desk.stack.settled();
    await bounceAcknowledgement(henry);
    await desk.stack.settled();
    const page = await signIn();
    const views = () => desk.api<{ items: { id: string; name: string; query: Record<string, string> }[] }>('GET', '/api/views');

    // Act: the agent answers Henry and keeps the ticket open; the answer is held back for the undeliverable address.
    await page.locator('.tickets li', { hasText: subject }).getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await page.getByLabel('Reply text (Markdown)').fill('Hi Henry, it is on its way again.');
    await page.getByRole('button', { name: 'Send and keep open' }).click();
    const reply = page.locator('.message.outbound');
    await expect.poll(() => reply.locator('.delivery').getAttribute('data-status'), { timeout: ARRIVAL_MS }).toBe('suppressed');

    // Assert: back in the inbox, Henry's row carries the red mark; Ivy's does not.
    await page.getByRole('link', { name: 'Inbox', exact: true }).click();
    const henryRow = page.locator('.tickets li', { hasText: subject });
    await expect.poll(() => henryRow.locator('.chip.delivery-failed').count(), { timeout: ARRIVAL_MS }).toBe(1);
    expect(await page.locator('.tickets li', { hasText: fine }).locator('.chip.delivery-failed').count()).toBe(0);
    await henryRow.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-delivery-failed.png` });

    // Act: the Failed delivery filter, newest first, saved as a view.
    await page.getByLabel('Failed delivery').check();
    await page.getByLabel('Sort').selectOption('created-desc');
    const rows = page.locator('.tickets li');
    // Both counts read together: the list refreshes itself every few seconds.
    const everyRowMarked = () =>
      expect
        .poll(async () => `${await rows.count()} of ${await rows.locator('.chip.delivery-failed').count()}`, { timeout: ARRIVAL_MS })
        .toMatch(/^([1-9]\d*) of \1$/);
    // The list before the filter also starts with Henry's row (his ticket was answered last): wait for Ivy's to go.
    await expect.poll(() => page.locator('.tickets li', { hasText: fine }).count(), { timeout: ARRIVAL_MS }).toBe(0);
    await expect.poll(() => rows.first().textContent(), { timeout: ARRIVAL_MS }).toContain(subject);
    await everyRowMarked();
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByLabel('View name').fill('Undelivered mail');
    await page.getByRole('form', { name: 'Save view' }).getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText('View “Undelivered mail” saved.').waitFor();
    const saved = page.getByRole('region', { name: 'Saved views' }).getByRole('button', { name: 'Undelivered mail', exact: true });
    await expect.poll(() => saved.getAttribute('aria-current')).toBe('true');
    expect((await views()).items.map((v) => [v.name, v.query])).toEqual([
      ['Undelivered mail', { status: 'open', delivery: 'failed', sort: 'created' }],
    ]);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-saved-view.png` });

    // Act: leave it (another tab, filters cleared), then apply it with one click.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('link', { name: /^Closed/ }).click();
    await page.getByRole('heading', { name: 'Closed tickets' }).waitFor();
    expect(await saved.getAttribute('aria-current')).toBeNull();
    await saved.click();

    // Assert: the open tab with the filter and sort back, showing Henry's ticket and only marked ones.
    await page.getByRole('heading', { name: 'Open tickets' }).waitFor();
    expect(await page.getByLabel('Failed delivery').isChecked()).toBe(true);
    expect(await page.getByLabel('Sort').inputValue()).toBe('created-desc');
    await expect.poll(() => rows.first().textContent(), { timeout: ARRIVAL_MS }).toContain(subject);
    await everyRowMarked();
    expect(await saved.getAttribute('aria-current')).toBe('true');

    // Act: delete the view, confirming the browser's question.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete view Undelivered mail' }).click();

    // Assert: gone from the page and from the API; the filters on screen stay as they were.
    await page.getByRole('status').getByText('View “Undelivered mail” deleted.').waitFor();
    await saved.waitFor({ state: 'detached' });
    expect((await views()).items).toEqual([]);
    expect(await page.getByLabel('Failed delivery').isChecked()).toBe(true);

    // On a phone the inbox with its filters and saved views fits the width: no sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-inbox-phone.png` });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.context().close();
  }, 240_000);

  it('edits a desk template on the settings page, loaded on demand', async () => {
    const page = await signIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    const subject = page.getByRole('group', { name: 'Acknowledgement' }).getByLabel('Subject');
    await subject.fill(`[#{{ticket.number}}] We got it: {{ticket.subject}} ${runId}`);
    await page.getByLabel(/When only those match/).selectOption('new-ticket');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Settings saved.').waitFor();
    await expect.poll(() => page.getByText('{{unsubscribe.url}}').count()).toBeGreaterThan(0);

    const settings = await desk.api<{ templates: { ack: { subject: string } }; strangers: string }>('GET', '/api/settings/support');
    expect(settings.templates.ack.subject).toBe(`[#{{ticket.number}}] We got it: {{ticket.subject}} ${runId}`);
    expect(settings.strangers).toBe('new-ticket');
    await page.context().close();
  }, 60_000);
  it('lists an ignored auto-reply in the mail log with its reason, and a search finds a word of the body', async () => {
    await desk.send({
      from: 'Away <away@customer.example>',
      subject: `Out of office ${runId}`,
      text: 'I am away until Monday.',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    await desk.send({ from: 'Fay <fay@customer.example>', subject: `Scanner ${runId}`, text: `The serial is QX${runId}.` });
    await desk.stack.settled();
    const page = await signIn();
    await page.getByRole('link', { name: 'Mail log' }).click();
    const row = page.locator('.mail-table tr', { hasText: `Out of office ${runId}` });
    await expect.poll(() => row.textContent(), { timeout: ARRIVAL_MS }).toContain('auto-reply that matches no ticket');
    await expect.poll(() => row.getByRole('button', { name: 'Replay' }).count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-mail-log.png` });

    await page.getByRole('searchbox').fill(`qx${runId}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('.tickets li').first().textContent(), { timeout: ARRIVAL_MS }).toContain(`Scanner ${runId}`);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-search.png` });
    await page.context().close();
  }, 90_000);

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
