// test support: Debian's Chromium, headless, for the browser tests (never a downloaded browser)
import { chromium, type Browser } from 'playwright-core';

/** Chromium to drive: `CHROMIUM_PATH`, or Debian's package. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium with nothing reaching out of the machine on its own (no updates, sync or QUIC). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}
