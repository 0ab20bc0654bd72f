// local stack: a load generator: mixed customer mail over SMTP, then a check that the desk lost and doubled nothing
import { randomBytes } from 'node:crypto';
import { SingleBar } from 'cli-progress';
import nodemailer from 'nodemailer';
import { readOutbox, type OutboxEmail } from './ses-local';

/** Shares of each kind of email; new threads take whatever the others leave. */
export interface LoadMix {
  /** Replies to an acknowledgement's Reply-To (`support+<token>@…`). */
  readonly tokenReplies: number;
  /** Replies to the desk address that name the original mail only in In-Reply-To / References. */
  readonly referenceReplies: number;
  /** Out-of-office mail (`Auto-Submitted: auto-replied`) that matches no ticket: ignored, never acknowledged. */
  readonly autoReplies: number;
  /** Delivery status notifications (multipart/report) about mail the desk never sent: recorded, no ticket. */
  readonly bounces: number;
}

export const DEFAULT_LOAD_MIX: LoadMix = { tokenReplies: 0.15, referenceReplies: 0.15, autoReplies: 0.05, bounces: 0.05 };

export type LoadEmailKind = 'new' | 'token-reply' | 'reference-reply' | 'auto-reply' | 'bounce';

export interface LoadOptions {
  readonly smtp: { readonly host: string; readonly port: number };
  /** The SES stand-in, e.g. `http://127.0.0.1:8005`: acknowledgements are read from its `GET /store`. */
  readonly outboxUrl: string;
  /** The dashboard origin, e.g. `http://localhost:3000`. */
  readonly apiUrl: string;
  /** A bearer token for the API. */
  readonly token: string;
  readonly deskAddress: string;
  readonly count: number;
  /** SMTP connections (nodemailer pool size). */
  readonly connections: number;
  readonly mix?: LoadMix;
  /** Tags every subject and address of this run, so runs on one desk do not mix. @default random */
  readonly runId?: string;
  /** Resolves when the desk has nothing left to do (the in-process stack's `settled`); without it the API and outbox are polled until they stop changing. */
  readonly settled?: () => Promise<void>;
  /** Longest wait for the desk after the last email was accepted. @default 120 s */
  readonly settleTimeoutMs?: number;
  /** A progress bar goes here (stderr for the CLI); none when absent. */
  readonly progress?: NodeJS.WriteStream;
  /** Delay between polls of the API and the outbox. @default 250 */
  readonly pollMs?: number;
}

/** One comparison of what the desk did against what was sent. */
export interface LoadCheck {
  readonly name: string;
  readonly expected: number;
  readonly actual: number;
  readonly ok: boolean;
}

export interface LoadReport {
  readonly runId: string;
  readonly planned: Readonly<Record<LoadEmailKind, number>>;
  readonly accepted: number;
  /** SMTP attempts that were refused temporarily and sent again (as an MTA retries). */
  readonly smtpRetries: number;
  /** First send to last SMTP acceptance. */
  readonly sendMs: number;
  /** First send until the desk settled. */
  readonly totalMs: number;
  /** Emails accepted per second of `totalMs`: what the desk absorbed end to end. */
  readonly emailsPerSecond: number;
  /** SMTP accepted → ticket visible in the API, one sample per new thread that appeared (ms; poll resolution `pollMs`). */
  readonly ticketLatencies: readonly number[];
  readonly checks: readonly LoadCheck[];
  readonly ok: boolean;
}

interface PlannedEmail {
  readonly index: number;
  readonly kind: LoadEmailKind;
  readonly from: string;
  /** For replies: the new thread (index into the plan) they answer. */
  readonly target: number | null;
  readonly subject: string;
  readonly messageId: string;
}

interface TicketListItem {
  readonly id: string;
  readonly subject: string;
  readonly messageCount: number;
  readonly requester: { readonly address: string };
}

interface TicketDetail {
  readonly messages: readonly { readonly direction: string; readonly threadedBy: string; readonly from: { readonly address: string } }[];
}

/** Splits `count` emails by the mix and lays them out in sending order, replies pointing at new threads. */
export function planLoad(count: number, mix: LoadMix, runId: string): PlannedEmail[] {
  const share = (s: number) => Math.floor(count * s);
  let token = share(mix.tokenReplies);
  let reference = share(mix.referenceReplies);
  const auto = share(mix.autoReplies);
  const bounce = share(mix.bounces);
  let fresh = count - token - reference - auto - bounce;
  if (fresh < 1) {
    // Replies need something to answer: give up replies before new threads.
    fresh = 1;
    token = Math.max(0, count - 1 - reference - auto - bounce);
    reference = Math.max(0, count - 1 - token - auto - bounce);
  }
  const kinds: LoadEmailKind[] = [
    ...Array<LoadEmailKind>(fresh).fill('new'),
    ...Array<LoadEmailKind>(token).fill('token-reply'),
    ...Array<LoadEmailKind>(reference).fill('reference-reply'),
    ...Array<LoadEmailKind>(auto).fill('auto-reply'),
    ...Array<LoadEmailKind>(bounce).fill('bounce'),
  ].slice(0, count);
  let replies = 0;
  return kinds.map((kind, index): PlannedEmail => {
    const messageId = `<${kind}-${index}.${runId}@customer.example>`;
    if (kind === 'new')
      return {
        index,
        kind,
        from: `c${index}-${runId}@customer.example`,
        target: null,
        subject: `Load ${runId} n${index}: printer jammed`,
        messageId,
      };
    if (kind === 'token-reply' || kind === 'reference-reply') {
      // Spread replies over the first new threads, several per thread when there are more replies than threads.
      const target = replies++ % fresh;
      return {
        index,
        kind,
        from: `c${target}-${runId}@customer.example`,
        target,
        subject: `Re: Load ${runId} n${target}: printer jammed`,
        messageId,
      };
    }
    if (kind === 'auto-reply')
      return {
        index,
        kind,
        from: `away${index}-${runId}@customer.example`,
        target: null,
        subject: `Automatic reply: Load ${runId} a${index}`,
        messageId,
      };
    return {
      index,
      kind,
      from: `mailer-daemon@mx-${runId}.example`,
      target: null,
      subject: 'Undelivered Mail Returned to Sender',
      messageId,
    };
  });
}

/** The raw MIME for one planned email; `replyTo` is the acknowledgement's Reply-To for token replies. */
export function composeLoadEmail(
  email: PlannedEmail,
  deskAddress: string,
  plan: readonly PlannedEmail[],
  replyTo: string | null,
): { raw: string; to: string } {
  const head = (to: string, extra: string[]) =>
    [
      `From: ${email.from}`,
      `To: ${to}`,
      `Subject: ${email.subject}`,
      `Message-ID: ${email.messageId}`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      ...extra,
    ].join('\r\n');
  if (email.kind === 'bounce') {
    const gone = `gone${email.index}-${email.messageId.slice(1, -1).split('.')[1]}`;
    const raw = [
      head(deskAddress, ['Auto-Submitted: auto-replied', 'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"']),
      '',
      '--dsn',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Your message could not be delivered.',
      '',
      '--dsn',
      'Content-Type: message/delivery-status',
      '',
      `Reporting-MTA: dns; ${email.from.split('@')[1]}`,
      '',
      `Final-Recipient: rfc822; ${gone}@customer.example`,
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '',
      '--dsn',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <never-sent-${email.index}@${deskAddress.split('@')[1]}>`,
      `From: ${deskAddress}`,
      `To: ${gone}@customer.example`,
      '',
      '--dsn--',
      '',
    ].join('\r\n');
    return { raw, to: deskAddress };
  }
  const text = ['Content-Type: text/plain; charset=utf-8'];
  if (email.kind === 'auto-reply') {
    return {
      raw: `${head(deskAddress, ['Auto-Submitted: auto-replied', ...text])}\r\n\r\nI am out of the office until Monday.\r\n`,
      to: deskAddress,
    };
  }
  if (email.kind === 'new') {
    return {
      raw: `${head(deskAddress, text)}\r\n\r\nThe printer on floor ${email.index} is jammed again. Please help.\r\n`,
      to: deskAddress,
    };
  }
  const original = plan[email.target!]!.messageId;
  const threading = [`In-Reply-To: ${original}`, `References: ${original}`];
  if (email.kind === 'token-reply')
    return { raw: `${head(replyTo!, [...text])}\r\n\r\nStill jammed (reply ${email.index}).\r\n`, to: replyTo! };
  return { raw: `${head(deskAddress, [...threading, ...text])}\r\n\r\nStill jammed (reply ${email.index}).\r\n`, to: deskAddress };
}

/** The bare address in `"Name" <a@b>` or `a@b`, lowercased. */
function bareAddress(display: string): string {
  return (/<([^>]+)>/.exec(display)?.[1] ?? display).trim().toLowerCase();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a mix of customer mail to a running local desk and checks what the desk made of it: one ticket per
 * new thread, every reply threaded into its ticket the way it was addressed, one acknowledgement per new
 * thread and none for auto-replies or bounces, no failed ingests. Exact counts: a lost or doubled email fails.
 *
 * @example const report = await runLoad({ smtp, outboxUrl, apiUrl, token, deskAddress, count: 200, connections: 4 });
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const runId = options.runId ?? randomBytes(4).toString('hex');
  const pollMs = options.pollMs ?? 250;
  const plan = planLoad(options.count, options.mix ?? DEFAULT_LOAD_MIX, runId);
  const planned = { new: 0, 'token-reply': 0, 'reference-reply': 0, 'auto-reply': 0, bounce: 0 } as Record<LoadEmailKind, number>;
  for (const email of plan) planned[email.kind] += 1;
  const fresh = plan.filter((e) => e.kind === 'new');

  const api = async <T>(route: string): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(`${options.apiUrl}${route}`, { headers: { authorization: `Bearer ${options.token}` } });
      if (response.ok) return (await response.json()) as T;
      // A 5xx is what a throttled or timed-out read looks like to a client, which tries again.
      if (response.status < 500 || attempt >= 5) throw new Error(`GET ${route}: ${response.status} ${await response.text()}`);
      await response.body?.cancel();
      await sleep(200 * attempt);
    }
  };
  const listTickets = async (): Promise<TicketListItem[]> => {
    const items: TicketListItem[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: TicketListItem[]; cursor: string | null } = await api(
        `/api/tickets?status=open&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      items.push(...page.items.filter((t) => t.requester.address.includes(runId)));
      cursor = page.cursor;
    } while (cursor);
    return items;
  };
  const failedBefore = (await api<{ items: unknown[] }>('/api/ingest/failed')).items.length;
  const startedSec = Date.now() / 1000 - 1;

  // What the desk shows, refreshed by two pollers while mail goes out.
  const acceptedAt = new Map<number, number>();
  const firstSeen = new Map<string, number>();
  let tickets: TicketListItem[] = [];
  let outbox: OutboxEmail[] = [];
  let polling = true;
  const pollTickets = async () => {
    while (polling) {
      tickets = await listTickets().catch(() => tickets);
      const now = Date.now();
      for (const t of tickets) if (!firstSeen.has(t.requester.address)) firstSeen.set(t.requester.address, now);
      await sleep(pollMs);
    }
  };
  const pollOutbox = async () => {
    while (polling) {
      outbox = await readOutbox(options.outboxUrl, startedSec).then(
        (o) => o.emails.filter((e) => e.destination.to.some((to) => to.includes(runId))),
        () => outbox,
      );
      await sleep(pollMs);
    }
  };
  const pollers = Promise.all([pollTickets(), pollOutbox()]);

  const bar = options.progress
    ? new SingleBar({ stream: options.progress, format: ' {stage} [{bar}] {value}/{total} {note}', hideCursor: true })
    : null;
  bar?.start(plan.length, 0, { stage: 'sending ', note: '' });
  const transport = nodemailer.createTransport({
    host: options.smtp.host,
    port: options.smtp.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: options.connections,
    maxMessages: Infinity,
  });
  let smtpRetries = 0;
  const send = async (email: PlannedEmail, replyTo: string | null): Promise<boolean> => {
    const { raw, to } = composeLoadEmail(email, options.deskAddress, plan, replyTo);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await transport.sendMail({ envelope: { from: email.from, to: [to] }, raw });
        acceptedAt.set(email.index, Date.now());
        bar?.increment(1);
        return true;
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        // A 5xx is final; a 4xx or a dropped connection is retried, as an MTA would.
        if ((code !== undefined && code >= 500) || attempt >= 5) return false;
        smtpRetries += 1;
        await sleep(500 * attempt);
      }
    }
  };
  const ackTo = async (address: string, deadline: number): Promise<OutboxEmail | null> => {
    for (;;) {
      const ack = outbox.find((e) => e.destination.to.some((to) => bareAddress(to) === address));
      if (ack) return ack;
      if (Date.now() > deadline) return null;
      await sleep(pollMs);
    }
  };

  const started = Date.now();
  const replyDeadline = started + (options.settleTimeoutMs ?? 120_000) + options.count * 100;
  const sent = await Promise.all(
    plan.map(async (email) => {
      if (email.kind !== 'token-reply' && email.kind !== 'reference-reply') return send(email, null);
      // A reply is written after the customer got the acknowledgement, as a person would.
      const ack = await ackTo(plan[email.target!]!.from, replyDeadline);
      if (!ack) return false;
      return send(email, email.kind === 'token-reply' ? bareAddress(ack.replyTo[0] ?? '') : null);
    }),
  );
  transport.close();
  const sendMs = Date.now() - started;

  // Settle: the stack says so, or the API and outbox show everything and stop changing.
  const expectedMessages = new Map<string, number>();
  for (const email of plan) {
    if (email.kind === 'new') expectedMessages.set(email.from, (expectedMessages.get(email.from) ?? 0) + 1);
    else if (email.target !== null && sent[email.index])
      expectedMessages.set(plan[email.target]!.from, (expectedMessages.get(plan[email.target]!.from) ?? 0) + 1);
  }
  bar?.setTotal(fresh.length * 2);
  const done = () => {
    const complete = tickets.filter((t) => t.messageCount === expectedMessages.get(t.requester.address)).length;
    const acks = new Set(outbox.map((e) => bareAddress(e.destination.to[0] ?? ''))).size;
    bar?.update(Math.min(fresh.length, complete) + Math.min(fresh.length, acks), {
      stage: 'settling',
      note: `tickets ${tickets.length}, acks ${outbox.length}`,
    });
    return complete >= fresh.length && acks >= fresh.length;
  };
  const settleDeadline = Date.now() + (options.settleTimeoutMs ?? 120_000);
  if (options.settled) await options.settled();
  let lastChange = Date.now();
  let fingerprint = '';
  for (;;) {
    const next = `${tickets.length}/${tickets.reduce((n, t) => n + t.messageCount, 0)}/${outbox.length}`;
    if (next !== fingerprint) {
      fingerprint = next;
      lastChange = Date.now();
    }
    // Complete and quiet for a moment (a doubled acknowledgement would arrive late), or stuck, or out of time.
    if (done() && Date.now() - lastChange > (options.settled ? 0 : 2_000)) break;
    if (Date.now() > settleDeadline || Date.now() - lastChange > 20_000) break;
    await sleep(pollMs);
  }
  const totalMs = Date.now() - started;
  polling = false;
  await pollers;
  tickets = await listTickets();
  outbox = (await readOutbox(options.outboxUrl, startedSec)).emails.filter((e) => e.destination.to.some((to) => to.includes(runId)));
  done();
  bar?.stop();

  // Threading: each reply must sit in the ticket it answered, threaded by the rule its addressing implies.
  const freshAddresses = new Set(fresh.map((e) => e.from));
  let threadedRight = 0;
  for (const ticket of tickets) {
    if ((expectedMessages.get(ticket.requester.address) ?? 0) <= 1) continue;
    const detail = await api<TicketDetail>(`/api/tickets/${ticket.id}`);
    const rules = detail.messages.filter((m) => m.direction === 'inbound').map((m) => m.threadedBy);
    const want = plan.filter((e) => e.target !== null && sent[e.index] && plan[e.target]!.from === ticket.requester.address);
    const byToken = want.filter((e) => e.kind === 'token-reply').length;
    const byReference = want.length - byToken;
    threadedRight +=
      Math.min(byToken, rules.filter((r) => r === 'reply-token').length) +
      Math.min(byReference, rules.filter((r) => r === 'message-id').length);
  }
  const repliesSent = plan.filter((e) => e.target !== null && sent[e.index]).length;
  const ticketsPerThread = fresh.map((e) => tickets.filter((t) => t.requester.address === e.from).length);
  const acksPerThread = fresh.map((e) => outbox.filter((m) => m.destination.to.some((to) => bareAddress(to) === e.from)).length);
  const quietSenders = new Set(plan.filter((e) => e.kind === 'auto-reply' || e.kind === 'bounce').map((e) => e.from));
  const failedAfter = (await api<{ items: unknown[] }>('/api/ingest/failed')).items.length;

  const check = (name: string, expected: number, actual: number): LoadCheck => ({ name, expected, actual, ok: expected === actual });
  const checks = [
    check('emails accepted at SMTP', plan.length, sent.filter(Boolean).length),
    check('tickets created', fresh.length, ticketsPerThread.filter((n) => n >= 1).length),
    check('tickets created twice', 0, ticketsPerThread.filter((n) => n > 1).length),
    check('tickets from auto-replies or bounces', 0, tickets.filter((t) => !freshAddresses.has(t.requester.address)).length),
    check('replies threaded into the right ticket', planned['token-reply'] + planned['reference-reply'], threadedRight),
    check(
      'messages on the run’s tickets',
      fresh.length + repliesSent,
      tickets.reduce((n, t) => n + t.messageCount, 0),
    ),
    check('acknowledgements sent', fresh.length, acksPerThread.filter((n) => n >= 1).length),
    check('acknowledgements sent twice', 0, acksPerThread.filter((n) => n > 1).length),
    check(
      'mail to auto-responders or bounce senders',
      0,
      outbox.filter((m) => m.destination.to.some((to) => quietSenders.has(bareAddress(to)))).length,
    ),
    check('failed ingests (new)', 0, Math.max(0, failedAfter - failedBefore)),
  ];
  const ticketLatencies = fresh.flatMap((e) => {
    const seen = firstSeen.get(e.from);
    const accepted = acceptedAt.get(e.index);
    return seen !== undefined && accepted !== undefined ? [Math.max(0, seen - accepted)] : [];
  });
  const accepted = acceptedAt.size;
  return {
    runId,
    planned,
    accepted,
    smtpRetries,
    sendMs,
    totalMs,
    emailsPerSecond: accepted / (totalMs / 1000),
    ticketLatencies,
    checks,
    ok: checks.every((c) => c.ok),
  };
}

/** The report as a plain-text table for a terminal. */
export function formatLoadReport(report: LoadReport): string {
  const sorted = [...report.ticketLatencies].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const rows: [string, string, string, string][] = report.checks.map((c) => [
    c.name,
    String(c.expected),
    String(c.actual),
    c.ok ? 'ok' : 'MISMATCH',
  ]);
  const width = [0, 1, 2, 3].map((i) => Math.max(...[['check', 'expected', 'actual', ''], ...rows].map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(width[i]!) : cell.padStart(width[i]!))).join('  ');
  const mix = Object.entries(report.planned)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  return [
    `load run ${report.runId}: ${mix}`,
    `accepted ${report.accepted} in ${(report.sendMs / 1000).toFixed(1)} s (${report.smtpRetries} SMTP retries); settled after ${(report.totalMs / 1000).toFixed(1)} s: ${report.emailsPerSecond.toFixed(1)} emails/s`,
    `SMTP accepted → ticket in the API: median ${Math.round(at(0.5))} ms, p95 ${Math.round(at(0.95))} ms (${sorted.length} tickets)`,
    '',
    line(['check', 'expected', 'actual', '']),
    ...rows.map(line),
    '',
    report.ok ? 'all checks passed' : `${report.checks.filter((c) => !c.ok).length} check(s) failed`,
  ].join('\n');
}
