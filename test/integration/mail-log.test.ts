// integration: the mail log (GET /api/mail), replay from the API, the raw mail download, on DynamoDB Local and s3rver
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MailLogEntry, ReplayReport } from '../../functions/core/api/mail-log';
import { createIngestHandler } from '../../functions/ingest/create-handler';
import { plainMail } from '../support/mail';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';

type LogPage = { items: MailLogEntry[]; cursor: string | null };

const runId = randomUUID().slice(0, 8);
let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({ name: 'maillog', pollStream: false });
});

const replayPath = (key: string) => `/api/mail/${encodeURIComponent(key)}/replay`;

describe('the mail log', () => {
  it('lists an ignored auto-reply with its reason, sender and subject, and not a mail that became a ticket', async () => {
    const from = `ooo-${runId}@example.com`;
    const ignored = await h.deliver(
      plainMail({ from, subject: `Out of office ${runId}`, body: 'Back Monday.', headers: ['Auto-Submitted: auto-replied'] }),
    );
    expect(ignored.results[0]!.outcome).toBe('ignored');
    const created = await h.deliver(plainMail({ from: `real-${runId}@example.com`, subject: 'A real question' }));

    for (const query of [{ outcome: 'ignored' }, {}] as Record<string, string>[]) {
      const { status, json } = await h.call<LogPage>('GET', '/api/mail', { query });
      expect(status).toBe(200);
      const entry = json.items.find((e) => e.key === ignored.key);
      expect(entry).toMatchObject({ outcome: 'ignored', from, subject: `Out of office ${runId}` });
      expect(entry!.reason).toContain('auto-reply that matches no ticket');
      expect(json.items.some((e) => e.key === created.key)).toBe(false);
    }
    expect(
      (await h.call<LogPage>('GET', '/api/mail', { query: { outcome: 'failed' } })).json.items.some((e) => e.key === ignored.key),
    ).toBe(false);
  });

  it('lists a failed parse with its reason; Replay after the fix creates the ticket once, and a second Replay says so', async () => {
    let broken = true;
    const deps = {
      ...h.runtime.ingest,
      parse: async (raw: Uint8Array) => {
        if (broken) throw new Error('parser exploded');
        return h.runtime.ingest.parse(raw);
      },
    };
    const requester = `kim-${runId}@example.com`;
    const key = await h.put(plainMail({ from: requester, subject: `Needs replay ${runId}`, body: 'Hello' }));
    await createIngestHandler(async () => deps)(h.event(key));

    const failed = await h.call<LogPage>('GET', '/api/mail', { query: { outcome: 'failed' } });
    expect(failed.json.items.find((e) => e.key === key)).toMatchObject({ outcome: 'failed', reason: 'could not parse: parser exploded' });
    const alias = await h.call<LogPage>('GET', '/api/ingest/failed');
    expect(alias.json.items.map((e) => e.key)).toContain(key);

    // The API replays with its own (working) parser: the fix is deployed.
    broken = false;
    const first = await h.call<ReplayReport>('POST', replayPath(key));
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ key, outcome: 'ticket-created', alreadyDone: false, before: { outcome: 'failed' } });
    const ticketId = first.json.ticketId!;
    expect(ticketId).toBeTruthy();

    const second = await h.call<ReplayReport>('POST', replayPath(key));
    expect(second.json).toMatchObject({ key, outcome: 'ticket-created', alreadyDone: true, ticketId });
    expect(second.json.reason).toContain('already ticket-created');

    const history = await h.call<{ items: { id: string }[] }>('GET', `/api/requesters/${encodeURIComponent(requester)}/tickets`);
    expect(history.json.items.map((t) => t.id)).toEqual([ticketId]);
    const after = await h.call<LogPage>('GET', '/api/mail', { query: { outcome: 'failed' } });
    expect(after.json.items.some((e) => e.key === key)).toBe(false);
  });

  it('replays an ignored mail again, and refuses keys the log does not know', async () => {
    const ignored = await h.deliver(plainMail({ from: `ar-${runId}@example.com`, subject: 'Auto', headers: ['X-Autoreply: yes'] }));
    const replayed = await h.call<ReplayReport>('POST', replayPath(ignored.key));
    expect(replayed.json).toMatchObject({ outcome: 'ignored', alreadyDone: false });
    expect((await h.call('POST', replayPath('inbound/never-stored'))).status).toBe(404);
    expect((await h.call('POST', replayPath('attachments/x/y/0-a.txt'))).status).toBe(404);
  });

  it('gives a download link to the raw mail as stored', async () => {
    const raw = plainMail({ from: `raw-${runId}@example.com`, subject: 'Raw', headers: ['Auto-Submitted: auto-generated'] });
    const { key } = await h.deliver(raw);
    const { status, json } = await h.call<{ url: string; filename: string }>('GET', `/api/mail/${encodeURIComponent(key)}/raw`);
    expect(status).toBe(200);
    expect(json.filename).toMatch(/\.eml$/);
    const download = await fetch(json.url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe(raw);
  });

  it('pages through the log with a cursor, newest first, nothing missing or repeated', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      keys.push(
        (await h.deliver(plainMail({ from: `p${i}-${runId}@example.com`, subject: `Auto ${i}`, headers: ['Precedence: bulk'] }))).key,
      );
    }
    const seen: MailLogEntry[] = [];
    let cursor: string | null = null;
    do {
      const page: LogPage = (
        await h.call<LogPage>('GET', '/api/mail', { query: { outcome: 'ignored', limit: '3', ...(cursor ? { cursor } : {}) } })
      ).json;
      seen.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    expect(seen.filter((e) => keys.includes(e.key)).map((e) => e.key)).toEqual([...keys].reverse());
    expect(new Set(seen.map((e) => e.key)).size).toBe(seen.length);
    expect((await h.call('GET', '/api/mail', { query: { outcome: 'ignored', cursor: 'bm9wZQ' } })).status).toBe(400);
  });
});
