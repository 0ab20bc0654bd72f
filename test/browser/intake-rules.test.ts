// browser: the team's workflow in real Chromium on the whole local stack: an intake rule made on the Settings page (a
// bad one refused by the server beside the rule) treats the next mail, and team members show by name, not address
import { mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DESK_CONFIG, parseDeskConfig } from '../../functions/core/config/desk-config';
import { launchChromium } from '../support/chromium';
import { signInToDashboard } from '../support/dashboard-sign-in';
import { startStackHarness, type StackHarness } from '../support/stack-harness';

const ARTIFACTS = 'test-artifacts';
const runId = randomUUID().slice(0, 6);
/** Mail goes SMTP → S3 → ingest and the pages refresh by themselves, on a machine that may be busy. */
const ARRIVAL_MS = 60_000;
const ADA = { email: 'agent@desk.localhost', name: 'Ada Agent' };
const BO = { email: 'bo@desk.localhost', name: 'Bo Builder' };

interface ApiTicket {
  id: string;
  subject: string;
  assignee: string | null;
  labels: string[];
  priority: string;
  deliveries: { kind: string; recipient: { address: string } | string; status: string }[];
}

describe('intake rules and team names in a real browser', () => {
  let desk: StackHarness;
  let browser: Browser;

  beforeAll(async () => {
    desk = await startStackHarness({ dashboard: true, config: parseDeskConfig({ ...DEFAULT_DESK_CONFIG, team: [ADA, BO] }) });
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled([browser?.close(), desk?.stop()]);
  });

  const signIn = (): Promise<Page> => signInToDashboard(browser, desk, { width: 1280, height: 1000 });

  it('makes a rule on the Settings page, shows the server refusing a bad one beside it, and the saved rule treats new mail', async () => {
    // Arrange
    const page = await signIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    const rules = page.getByRole('group', { name: 'Intake rules' });
    await rules.getByText('No rules:').waitFor();

    // Act: a rule for invoices, with a sender domain the server does not take.
    await rules.getByRole('button', { name: 'Add rule' }).click();
    const rule = rules.getByRole('group', { name: /^Rule 1:/ });
    await rule.getByLabel('Rule name').fill(`Invoices ${runId}`);
    await rule.getByLabel('Subject contains').fill('invoice');
    await rule.getByLabel('Sender domain').fill('bigcorp');
    await rule.getByLabel('Add labels').fill('billing, money');
    await rule.getByLabel('Assign', { exact: true }).selectOption('fixed');
    await rule.getByLabel('Assign to').selectOption({ label: BO.name });
    await rule.getByLabel('Priority').selectOption('high');
    await rule.getByText('only mail whose sender SES authenticated').waitFor();
    await page.getByRole('button', { name: 'Save settings' }).click();

    // Assert: refused, and the refusal names the field beside the rule.
    const problems = rule.getByRole('alert', { name: `Problems with Invoices ${runId}` });
    await expect.poll(() => problems.textContent()).toBe('Sender domain: a domain like example.com');
    await page.getByRole('alert').getByText('Not saved: fix the rule marked below.').waitFor();
    await page.locator('.composer-actions').getByText('Not saved: fix the rule marked below.').waitFor();
    await expect.poll(() => rule.getByLabel('Sender domain').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: `${ARTIFACTS}/intake-rule-refused.png`, fullPage: true });
    await rule.screenshot({ path: `${ARTIFACTS}/intake-rule-refused-rule.png` });
    expect((await desk.api<{ rules: unknown[] }>('GET', '/api/settings/support')).rules).toEqual([]);

    // Act: the sender condition goes (the local stack has no SES verdicts, so it would never match); saved.
    await rule.getByLabel('Sender domain').fill('');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Settings saved.').waitFor();
    await expect.poll(() => problems.count()).toBe(0);
    await expect
      .poll(() => rule.locator('.rule-summary').textContent())
      .toBe('When the subject contains “invoice”: add billing, money, assign to Bo Builder, set priority high.');
    await rule.screenshot({ path: `${ARTIFACTS}/intake-rule-saved.png` });
    const saved = await desk.api<{ rules: unknown[] }>('GET', '/api/settings/support');
    expect(saved.rules).toEqual([
      {
        name: `Invoices ${runId}`,
        when: { subject: 'invoice' },
        then: { labels: ['billing', 'money'], assignee: BO.email, priority: 'high' },
      },
    ]);

    // Act: an invoice question arrives by SMTP, and a mail the rule does not match.
    const subject = `Invoice 2024-${runId} shows the wrong VAT number`;
    await desk.send({ from: 'Carol Customer <carol@customer.example>', subject, text: 'Hello,\n\nthe VAT number is wrong.\n\nCarol' });
    await desk.send({ from: 'Dan <dan@customer.example>', subject: `Password reset ${runId}`, text: 'Hello,\n\nno reset mail.' });
    await desk.stack.settled();

    // Assert: the rule's labels, assignee and priority, read back through the API; the other ticket is untouched.
    const { items } = await desk.api<{ items: ApiTicket[] }>('GET', '/api/tickets?status=open');
    const treated = items.find((t) => t.subject === subject);
    expect(treated).toMatchObject({ assignee: BO.email, labels: ['billing', 'money'], priority: 'high' });
    expect(items.find((t) => t.subject === `Password reset ${runId}`)).toMatchObject({ assignee: null, labels: [], priority: 'normal' });

    // Assert: the inbox names the assignee, the ticket page names the assignee and each notified team member.
    await page.getByRole('link', { name: 'Inbox' }).click();
    const row = page.locator('.tickets li', { hasText: subject });
    await expect.poll(() => row.locator('.assignee').textContent(), { timeout: ARRIVAL_MS }).toBe(BO.name);
    await page.screenshot({ path: `${ARTIFACTS}/intake-rule-inbox.png` });
    // The assignee filter lists the team by name.
    await page.getByRole('form', { name: 'Filters' }).getByLabel('Assignee').selectOption({ label: BO.name });
    await expect.poll(() => page.locator('.tickets li .subject').allTextContents(), { timeout: ARRIVAL_MS }).toEqual([subject]);
    await page.getByRole('form', { name: 'Filters' }).getByLabel('Assignee').selectOption({ label: 'nobody' });
    await expect
      .poll(() => page.locator('.tickets li .subject').allTextContents(), { timeout: ARRIVAL_MS })
      .toEqual([`Password reset ${runId}`]);
    await page.getByRole('form', { name: 'Filters' }).getByLabel('Assignee').selectOption({ label: 'anyone' });
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await expect.poll(() => page.locator('.assignee-now').textContent()).toBe(BO.name);
    const deliveries = page.getByRole('list', { name: 'Email deliveries' }).first();
    await expect
      .poll(() => deliveries.locator('li').allTextContents(), { timeout: ARRIVAL_MS })
      .toEqual(expect.arrayContaining([expect.stringMatching(/^Team notification to Ada Agent:/)]));
    const rows = await deliveries.locator('li').allTextContents();
    expect(rows.join('\n')).not.toContain(ADA.email);
    expect(rows.join('\n')).not.toContain(BO.email);
    const ticket = await desk.api<ApiTicket>('GET', `/api/tickets/${treated!.id}`);
    expect(ticket.deliveries.filter((d) => d.kind === 'agent-notice').length).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/intake-rule-ticket.png`, fullPage: true });
    await page.context().close();
  }, 180_000);

  it('adds a round-robin rule among ticked members for authenticated gray mail, moves it first and removes it again', async () => {
    // Arrange: one rule already saved.
    const invoices = { name: `Invoices ${runId}`, when: { subject: 'invoice' }, then: { labels: ['billing'] } };
    const current = await desk.api<Record<string, unknown>>('GET', '/api/settings/support');
    await desk.api('PUT', '/api/settings/support', { ...current, rules: [invoices] });
    const page = await signIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    const rules = page.getByRole('group', { name: 'Intake rules' });

    // Act: a second rule that assigns in turn among both members and sends no acknowledgement, moved above the first.
    await rules.getByRole('button', { name: 'Add rule' }).click();
    const rotation = rules.getByRole('group', { name: /^Rule 2:/ });
    await rotation.getByLabel('Rule name').fill('Everyone in turn');
    await rotation.getByLabel('Assign', { exact: true }).selectOption('round-robin');
    await rotation.getByText('Nobody ticked: the whole team').waitFor();
    await rotation.getByLabel(BO.name).check();
    await rotation.getByLabel(ADA.name).check();
    await rotation.getByLabel('Send the customer no acknowledgement').check();
    await rotation.getByLabel('Sender authenticated').selectOption({ label: 'yes: SES authenticated the sender' });
    await rotation.getByLabel('Spam verdict').selectOption('GRAY');
    await rotation.getByRole('button', { name: 'Move Everyone in turn up' }).click();
    await expect
      .poll(() =>
        rules
          .getByRole('group', { name: /^Rule 1:/ })
          .locator('.rule-summary')
          .textContent(),
      )
      .toBe(
        'When SES authenticated the sender and SES’s verdicts are spam GRAY: assign in turn to Ada Agent, Bo Builder, send no acknowledgement.',
      );
    await rules.getByRole('group', { name: /^Rule 1:/ }).screenshot({ path: `${ARTIFACTS}/intake-rule-round-robin.png` });
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Settings saved.').waitFor();

    // Assert
    expect((await desk.api<{ rules: unknown[] }>('GET', '/api/settings/support')).rules).toEqual([
      {
        name: 'Everyone in turn',
        when: { authenticated: true, verdicts: { spam: 'GRAY' } },
        then: { roundRobin: { agents: [ADA.email, BO.email] }, skipAcknowledgement: true },
      },
      invoices,
    ]);

    // Act: removed again.
    await rules
      .getByRole('group', { name: /^Rule 1:/ })
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Settings saved.').waitFor();
    expect((await desk.api<{ rules: unknown[] }>('GET', '/api/settings/support')).rules).toEqual([invoices]);
    await page.context().close();
  }, 90_000);
});
