// integration: search over bodies, people and CJK text, filters and sort with cursors, on DynamoDB Local
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Ticket, TicketPriority, TicketStatus } from '../../functions/core/types';
import { composeMail, plainMail } from '../support/mail';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';

type TicketJson = Omit<Ticket, 'threadMessageIds'>;
type Page = { items: TicketJson[]; cursor: string | null; partial: boolean };

const runId = randomUUID().slice(0, 8);
let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({ name: 'search', pollStream: false });
});

async function search(query: Record<string, string>): Promise<Page> {
  const { status, json } = await h.call<Page>('GET', '/api/tickets', { query });
  expect(status).toBe(200);
  return json;
}

const ids = (page: Page) => page.items.map((t) => t.id);

/** Follows the cursor to the end; fails on a page over the limit or a loop. */
async function allPages(query: Record<string, string>): Promise<TicketJson[]> {
  const seen: TicketJson[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await search({ ...query, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(Number(query.limit));
    seen.push(...page.items);
    cursor = page.cursor;
    if (!cursor) return seen;
  }
  throw new Error('the cursor never ended');
}

describe('full-text search', () => {
  it('finds a ticket by a word that only the second reply has in its body', async () => {
    const word = `serial${runId}x`;
    const from = `Ann <ann-${runId}@example.com>`;
    const first = `<first-${runId}@customer.example>`;
    const opened = await h.receive(plainMail({ from, subject: 'Scanner trouble', body: 'It does not scan.', messageId: first }));
    await h.receive(plainMail({ from, subject: 'Re: Scanner trouble', body: 'Still broken.', inReplyTo: first }));
    expect(ids(await search({ q: word }))).toEqual([]);

    const second = await h.receive(
      plainMail({ from, subject: 'Re: Scanner trouble', body: `The serial number is ${word.toUpperCase()}.`, inReplyTo: first }),
    );
    expect(second).toMatchObject({ outcome: 'reply-added', ticketId: opened.ticketId });
    expect(ids(await search({ q: word }))).toEqual([opened.ticketId]);
    // Any status: the reply reopened nothing here, but a search is not an inbox view.
    expect(ids(await search({ q: `scanner ${word}` }))).toEqual([opened.ticketId]);
  });

  it("finds words of an agent's answer and of an internal note", async () => {
    const opened = await h.receive(plainMail({ from: `bo-${runId}@example.com`, subject: 'Login', body: 'Cannot log in.' }));
    const answer = `workaround${runId}`;
    const note = `escalated${runId}`;
    const replied = await h.call('POST', `/api/tickets/${opened.ticketId}/messages`, {
      body: { body: `Try the ${answer}.`, internal: false },
    });
    expect(replied.status).toBe(201);
    await h.call('POST', `/api/tickets/${opened.ticketId}/messages`, { body: { body: `Ticket ${note} to tier 2`, internal: true } });
    expect(ids(await search({ q: answer }))).toEqual([opened.ticketId]);
    expect(ids(await search({ q: note }))).toEqual([opened.ticketId]);
  });

  it("does not find a held stranger's words until an agent accepts the message; the mail log lists it as held", async () => {
    const word = `refund${runId}q`;
    const first = `<held-${runId}@customer.example>`;
    const opened = await h.receive(
      plainMail({ from: `dee-${runId}@example.com`, subject: 'Order', body: 'Where is it?', messageId: first }),
    );
    const held = await h.receive(
      plainMail({ from: `mallory-${runId}@evil.example`, subject: 'Re: Order', body: `Send the ${word} to me.`, inReplyTo: first }),
    );
    expect(held).toMatchObject({ outcome: 'held', ticketId: opened.ticketId });
    expect(ids(await search({ q: word }))).toEqual([]);
    const log = await h.call<{ items: { key: string; outcome: string; ticketId?: string }[] }>('GET', '/api/mail', {
      query: { outcome: 'held' },
    });
    expect(log.json.items.find((e) => e.ticketId === opened.ticketId)).toMatchObject({ outcome: 'held' });

    const ticket = await h.call<{ messages: { id: string; held?: boolean }[] }>('GET', `/api/tickets/${opened.ticketId}`);
    const message = ticket.json.messages.find((m) => m.held)!;
    expect((await h.call('POST', `/api/tickets/${opened.ticketId}/messages/${message.id}/accept`)).status).toBe(200);
    expect(ids(await search({ q: word }))).toEqual([opened.ticketId]);
    expect(ids(await search({ q: `mallory-${runId}@evil.example` }))).toEqual([opened.ticketId]);
  });

  it('finds a Japanese subject by any two-character substring, and not by characters it lacks', async () => {
    const opened = await h.receive(
      await composeMail({
        from: `yuki-${runId}@example.jp`,
        to: 'support@desk.localhost',
        subject: `ログインできません ${runId}`,
        text: '助けてください',
      }),
    );
    for (const q of ['ログイン', 'イン', 'でき', 'インでき', '助け']) {
      expect(ids(await search({ q: `${q} ${runId}` })), q).toEqual([opened.ticketId]);
    }
    expect(ids(await search({ q: `ログアウト ${runId}` }))).toEqual([]);
    expect(ids(await search({ q: `ンロ ${runId}` }))).toEqual([]);
  });

  it('finds people by address, address words and name, and a Cc participant', async () => {
    const requester = `carla-${runId}@shop.example`;
    const cc = `dieter-${runId}@supplier.example`;
    const opened = await h.receive(
      plainMail({ from: `Carla Quintero${runId} <${requester}>`, cc: `Dieter <${cc}>`, subject: 'Order', body: 'Where is it?' }),
    );
    for (const q of [requester, requester.toUpperCase(), `carla-${runId}`, `quintero${runId}`, cc]) {
      expect(ids(await search({ q })), q).toEqual([opened.ticketId]);
    }
  });
});

describe('filters and sort', () => {
  const word = `fleet${runId}`;
  const count = 45;
  const statuses: TicketStatus[] = ['open', 'open', 'pending', 'closed'];
  const priorities: TicketPriority[] = ['normal', 'high', 'low'];
  let made: TicketJson[] = [];

  beforeAll(async () => {
    for (let i = 0; i < count; i += 1) {
      const result = await h.receive(
        plainMail({ from: `fleet${i}-${runId}@example.com`, subject: `Truck ${i} ${word}`, body: 'Engine noise.' }),
      );
      const patch = {
        status: statuses[i % statuses.length],
        priority: priorities[i % priorities.length],
        labels: i % 2 === 0 ? ['fleet', `even${runId}`] : ['fleet'],
        ...(i % 5 === 0 ? { assignee: 'agent@desk.localhost' } : {}),
      };
      const changed = await h.call<TicketJson>('PATCH', `/api/tickets/${result.ticketId}`, { body: patch });
      expect(changed.status).toBe(200);
      made.push(changed.json);
    }
    made = made.map((t) => ({ ...t }));
  }, 120_000);

  function expected(filter: (t: TicketJson) => boolean, sort: 'updatedAt' | 'createdAt', order: 'asc' | 'desc') {
    const sign = order === 'asc' ? 1 : -1;
    return made
      .filter(filter)
      .sort((a, b) => sign * (a[sort] === b[sort] ? a.id.localeCompare(b.id) : a[sort].localeCompare(b[sort])))
      .map((t) => t.id);
  }

  it('pages a search with filters, by creation, oldest first, with nothing missing or repeated', async () => {
    const seen = await allPages({ q: word, label: `even${runId}`, priority: 'high', sort: 'created', order: 'asc', limit: '2' });
    const want = expected((t) => t.labels.includes(`even${runId}`) && t.priority === 'high', 'createdAt', 'asc');
    expect(want.length).toBeGreaterThan(2);
    expect(seen.map((t) => t.id)).toEqual(want);
  });

  it('pages a search across statuses by last activity, newest first', async () => {
    const seen = await allPages({ q: word, limit: '7' });
    expect(seen.map((t) => t.id)).toEqual(expected(() => true, 'updatedAt', 'desc'));
    const closed = await allPages({ q: word, status: 'closed', limit: '4' });
    expect(closed.map((t) => t.id)).toEqual(expected((t) => t.status === 'closed', 'updatedAt', 'desc'));
  });

  it('walks the inbox index with a label, priority and assignee filter, by creation and by activity', async () => {
    // Other tests' tickets share the open partition: compare only this test's tickets, in order.
    const mine = new Set(made.map((t) => t.id));
    const byCreated = await allPages({ status: 'open', label: 'fleet', sort: 'created', order: 'asc', limit: '3' });
    expect(byCreated.map((t) => t.id).filter((id) => mine.has(id))).toEqual(expected((t) => t.status === 'open', 'createdAt', 'asc'));
    // Open and pending tickets share byCreated's partition: each list keeps only its own.
    const pending = await allPages({ status: 'pending', sort: 'created', order: 'asc', limit: '3' });
    expect(pending.map((t) => t.id).filter((id) => mine.has(id))).toEqual(expected((t) => t.status === 'pending', 'createdAt', 'asc'));
    const high = await allPages({ status: 'open', priority: 'high', limit: '2' });
    expect(high.map((t) => t.id).filter((id) => mine.has(id))).toEqual(
      expected((t) => t.status === 'open' && t.priority === 'high', 'updatedAt', 'desc'),
    );
    const assigned = await allPages({ status: 'open', assignee: 'agent@desk.localhost', sort: 'created', limit: '2' });
    expect(assigned.map((t) => t.id).filter((id) => mine.has(id))).toEqual(
      expected((t) => t.status === 'open' && t.assignee === 'agent@desk.localhost', 'createdAt', 'desc'),
    );
  });

  it('filters by requester, and refuses a cursor from another sort', async () => {
    const page = await search({ requester: `fleet3-${runId}@example.com` });
    expect(ids(page)).toEqual([made[3]!.id]);
    const first = await search({ q: word, limit: '2' });
    const other = await h.call('GET', '/api/tickets', { query: { q: word, sort: 'created', cursor: first.cursor! } });
    expect(other.status).toBe(400);
    expect(other.json.error.message).toMatch(/^cursor: /);
  });
});
