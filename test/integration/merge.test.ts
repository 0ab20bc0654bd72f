// integration: merging tickets through the API; threading, GET and search follow the merged ticket to its target
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReplyToken, replyAddress } from '../../functions/core/threading/reply-token';
import type { Ticket, TicketMessage } from '../../functions/core/types';
import { plainMail } from '../support/mail';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';

type TicketJson = Omit<Ticket, 'threadMessageIds'>;
type Detail = TicketJson & { messages: TicketMessage[] };

const runId = randomUUID().slice(0, 8);
let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({ name: 'merge', pollStream: false });
});

describe('merge', () => {
  it('moves the thread to the target; replies by token, Message-ID and [#n] tag of the old ticket land on the target', async () => {
    const from = `Ann <ann-${runId}@example.com>`;
    const firstId = `<old-${runId}@customer.example>`;
    const word = `gearbox${runId}`;
    const old = await h.receive(plainMail({ from, subject: 'Broken gearbox', body: `The ${word} grinds.`, messageId: firstId }));
    const target = await h.receive(plainMail({ from, subject: 'Truck noise', body: 'Noise from the front.' }));
    const oldTicket = (await h.runtime.ingest.tickets.getTicket(old.ticketId!))!;

    const merged = await h.call<TicketJson>('POST', `/api/tickets/${old.ticketId}/merge`, { body: { into: target.ticketId } });
    expect(merged.status).toBe(200);
    expect(merged.json.id).toBe(target.ticketId);

    // GET of the old id answers with the target, its thread holding the old mail and a note of the merge.
    const detail = await h.call<Detail>('GET', `/api/tickets/${old.ticketId}`);
    expect(detail.json.id).toBe(target.ticketId);
    expect(detail.json.messages.map((m) => m.messageId)).toContain(firstId);
    expect(detail.json.messages.some((m) => m.direction === 'note' && m.text.includes(`merged #${oldTicket.number}`))).toBe(true);
    const source = (await h.runtime.ingest.tickets.getTicket(old.ticketId!))!;
    expect(source).toMatchObject({ status: 'closed', mergedInto: target.ticketId });

    const token = replyAddress('support@desk.localhost', createReplyToken(h.runtime.tokenKeys, old.ticketId!));
    const replies = [
      plainMail({ from, to: token, subject: 'Re: Broken gearbox', body: 'By token.' }),
      plainMail({ from, subject: 'Re: Broken gearbox', body: 'By Message-ID.', inReplyTo: firstId }),
      plainMail({ from, subject: `Re: Broken gearbox [#${oldTicket.number}]`, body: 'By tag.' }),
    ];
    const rules: string[] = [];
    for (const raw of replies) {
      const result = await h.receive(raw);
      expect(result).toMatchObject({ outcome: 'reply-added', ticketId: target.ticketId });
      rules.push(result.reason);
    }
    expect(rules).toEqual(['threaded by reply-token', 'threaded by message-id', 'threaded by subject-tag']);

    const after = await h.call<Detail>('GET', `/api/tickets/${target.ticketId}`);
    expect(after.json.messages.filter((m) => m.direction === 'inbound').map((m) => m.text.trim())).toEqual(
      expect.arrayContaining(['By token.', 'By Message-ID.', 'By tag.']),
    );
    // The old ticket's words now find the target, and only it.
    const found = await h.call<{ items: TicketJson[] }>('GET', '/api/tickets', { query: { q: word } });
    expect(found.json.items.map((t) => t.id)).toEqual([target.ticketId]);
  });

  it('refuses to merge a ticket into itself, into a merged ticket, or twice', async () => {
    const a = await h.receive(plainMail({ from: `bo-${runId}@example.com`, subject: 'A' }));
    const b = await h.receive(plainMail({ from: `bo-${runId}@example.com`, subject: 'B' }));
    const c = await h.receive(plainMail({ from: `bo-${runId}@example.com`, subject: 'C' }));
    expect((await h.call('POST', `/api/tickets/${a.ticketId}/merge`, { body: { into: a.ticketId } })).status).toBe(400);
    expect((await h.call('POST', `/api/tickets/${a.ticketId}/merge`, { body: { into: b.ticketId } })).status).toBe(200);
    const twice = await h.call('POST', `/api/tickets/${a.ticketId}/merge`, { body: { into: c.ticketId } });
    expect(twice.status).toBe(400);
    expect(twice.json.error.message).toContain('already merged');
    expect((await h.call('POST', `/api/tickets/${c.ticketId}/merge`, { body: { into: a.ticketId } })).status).toBe(400);
    expect((await h.call('POST', `/api/tickets/${c.ticketId}/merge`, { body: { into: 'nosuchticket' } })).status).toBe(404);
  });
});
