// test support: signing in to the local stack's dashboard in a real browser, as a team member does
import type { Browser, Page } from 'playwright-core';
import type { StackHarness } from './stack-harness';

/**
 * Opens the dashboard in a fresh browser context and signs in as the harness's agent with the stack's sign-in code;
 * resolves once the open inbox shows. The caller closes `page.context()`.
 */
export async function signInToDashboard(
  browser: Browser,
  desk: StackHarness,
  viewport: { width: number; height: number } = { width: 1280, height: 860 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(desk.stack.urls.dashboard);
  await page.getByLabel('Email').fill(desk.agent.email);
  await page.getByLabel('Sign-in code').fill(desk.stack.signInCode);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Open tickets' }).waitFor();
  return page;
}
