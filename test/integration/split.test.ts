// integration: splitting one inbound message off into a new ticket through the API; threading and search follow it
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Ticket, TicketMessage } from '../../functions/core/types';
import { plainMail } from '../support/mail';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';
import { deliveriesOf } from '../support/scan-table';

type TicketJson = Omit<Ticket, 'threadMessageIds'>;
type Detail = TicketJson & { messages: TicketMessage[] };

const runId = randomUUID().slice(0, 8);
let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({ name: 'split', pollStream: false });
});

/** A ticket of `from` and a reply on it (threaded by Message-ID) that changes topic; the reply's stored message. */
async function ticketWithReply(from: string, body: string): Promise<{ ticketId: string; reply: TicketMessage; replyId: string }> {
  const firstId = `<first-${randomUUID()}@customer.example>`;
  const replyId = `<reply-${randomUUID()}@customer.example>`;
  const first = await h.receive(plainMail({ from, subject: 'Printer jams', body: 'The printer jams.', messageId: firstId }));
  const reply = await h.receive(plainMail({ from, subject: 'Re: Printer jams', body, messageId: replyId, inReplyTo: firstId }));
  expect(reply).toMatchObject({ outcome: 'reply-added', ticketId: first.ticketId });
  const detail = await h.call<Detail>('GET', `/api/tickets/${first.ticketId}`);
  const message = detail.json.messages.find((m) => m.messageId === replyId)!;
  return { ticketId: first.ticketId!, reply: message, replyId };
}

describe('split', () => {
  it('opens a ticket of the sender with the message first, notes both, once; its later replies and search find it', async () => {
    const address = `ann-${runId}@example.com`;
    const word = `invoice${runId}`;
    const { ticketId, reply, replyId } = await ticketWithReply(`Ann <${address}>`, `Other thing: ${word} is wrong.`);
    const old = (await h.runtime.ingest.tickets.getTicket(ticketId))!;

    const split = await h.call<TicketJson>('POST', `/api/tickets/${ticketId}/messages/${reply.id}/split`);
    expect(split.status).toBe(201);
    expect(split.json).toMatchObject({ requester: { address }, status: 'open', messageCount: 2, subject: 'Re: Printer jams' });
    expect(split.json.id).not.toBe(ticketId);

    const created = await h.call<Detail>('GET', `/api/tickets/${split.json.id}`);
    const [copy, newNote] = created.json.messages;
    expect(copy).toMatchObject({ direction: 'inbound', messageId: replyId, movedFrom: { ticketId, number: old.number } });
    expect(copy!.text).toContain(word);
    expect(newNote).toMatchObject({ direction: 'note' });
    expect(newNote!.text).toContain(`split this ticket off #${old.number}`);
    // No acknowledgement unless asked: the new ticket has no delivery.
    expect(await deliveriesOf(h.documents, h.tableName, split.json.id)).toEqual([]);

    const oldDetail = await h.call<Detail>('GET', `/api/tickets/${ticketId}`);
    const original = oldDetail.json.messages.find((m) => m.id === reply.id)!;
    expect(original.splitInto).toMatchObject({ ticketId: split.json.id, number: split.json.number });
    expect(oldDetail.json.messages.at(-1)!.text).toContain(`off into a new ticket #${split.json.number}`);
    expect(oldDetail.json.messageCount).toBe(old.messageCount + 1);

    // A second split of the same message is a conflict, never a second ticket.
    const again = await h.call('POST', `/api/tickets/${ticketId}/messages/${reply.id}/split`);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain('already split off');
    const mine = await h.call<{ items: TicketJson[] }>('GET', '/api/tickets', { query: { requester: address } });
    expect(mine.json.items).toHaveLength(2);

    // The sender's later reply to the split message lands on the new ticket.
    const later = await h.receive(
      plainMail({ from: address, subject: 'Re: Printer jams', body: 'More on the invoice.', inReplyTo: replyId }),
    );
    expect(later).toMatchObject({ outcome: 'reply-added', ticketId: split.json.id, reason: 'threaded by message-id' });

    // The split message's words and the new ticket's note find the new ticket.
    const found = await h.call<{ items: TicketJson[] }>('GET', '/api/tickets', { query: { q: word } });
    expect(found.json.items.map((t) => t.id)).toContain(split.json.id);
  });

  it('acknowledges the sender only when asked', async () => {
    const { ticketId, reply } = await ticketWithReply(`bo-${runId}@example.com`, 'A new question.');
    const split = await h.call<TicketJson>('POST', `/api/tickets/${ticketId}/messages/${reply.id}/split`, { body: { acknowledge: true } });
    expect(split.status).toBe(201);
    const deliveries = await deliveriesOf(h.documents, h.tableName, split.json.id);
    expect(deliveries.map((d) => [d.kind, (d.recipient as { address: string }).address])).toEqual([['ack', `bo-${runId}@example.com`]]);
  });

  it('refuses notes, unknown messages and bad bodies', async () => {
    const { ticketId } = await ticketWithReply(`cy-${runId}@example.com`, 'Something else.');
    const noted = await h.call('POST', `/api/tickets/${ticketId}/messages`, { body: { body: 'internal', internal: true } });
    expect(noted.status).toBe(201);
    const detail = await h.call<Detail>('GET', `/api/tickets/${ticketId}`);
    const note = detail.json.messages.find((m) => m.direction === 'note')!;
    const refused = await h.call('POST', `/api/tickets/${ticketId}/messages/${note.id}/split`);
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toContain('not an inbound message');
    expect((await h.call('POST', `/api/tickets/${ticketId}/messages/nosuchmessage/split`)).status).toBe(404);
    const first = detail.json.messages[0]!;
    expect((await h.call('POST', `/api/tickets/${ticketId}/messages/${first.id}/split`, { body: { acknowledge: 'yes' } })).status).toBe(
      400,
    );
    const opening = await h.call('POST', `/api/tickets/${ticketId}/messages/${first.id}/split`);
    expect(opening.status).toBe(400);
    expect(opening.json.error.message).toContain(`opened ticket #`);
  });
});
