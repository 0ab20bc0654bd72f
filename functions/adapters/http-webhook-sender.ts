// adapter: WebhookSender over Node's fetch, with a timeout per POST
import type { WebhookSender } from '../core/workflow/workflow-ports';

/** A receiver that takes longer than this counts as failed (and is retried). */
const TIMEOUT_MS = 5_000;

/** POSTs with fetch; never follows redirects (a signed body goes only where it was configured to). */
export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly timeoutMs = TIMEOUT_MS) {}

  async post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<number> {
    const response = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  }
}
