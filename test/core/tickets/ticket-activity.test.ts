// unit: how a ticket changes when a message lands on it
import { describe, expect, it } from 'vitest';
import { MAX_THREAD_IDS, statusAfterInbound, ticketAfterMessage } from '../../../functions/core/tickets/ticket-activity';
import type { Classification, Ticket, TicketMessage } from '../../../functions/core/types';

const ticket: Ticket = {
  id: 't1',
  deskId: 'support',
  number: 7,
  subject: 'Printer',
  status: 'pending',
  requester: { address: 'ann@example.com', name: 'Ann' },
  participants: [],
  assignee: null,
  labels: [],
  priority: 'normal',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  messageCount: 1,
  threadMessageIds: ['<first@example.com>'],
  preview: 'first',
  version: 4,
};

function message(fields: Partial<TicketMessage>): TicketMessage {
  return {
    id: 'm1',
    ticketId: 't1',
    direction: 'inbound',
    from: { address: 'ann@example.com', name: 'Ann' },
    to: [],
    cc: [],
    subject: 'Re: Printer',
    text: 'It still smokes.',
    reply: 'It still smokes.',
    html: null,
    bodyKey: null,
    messageId: '<Second@Example.com>',
    threadedBy: 'reply-token',
    classification: null,
    attachments: [],
    createdAt: '2026-01-03T00:00:00.000Z',
    rawKey: null,
    author: null,
    ...fields,
  };
}

const kind = (k: Classification['kind']): Classification => ({ kind: k, reason: '', failedRecipients: [] });

describe('ticketAfterMessage', () => {
  it('moves activity forward, counts the message, bumps the version and chains an inbound Message-ID', () => {
    const after = ticketAfterMessage(ticket, message({}), { status: 'open' });
    expect(after).toMatchObject({
      status: 'open',
      updatedAt: '2026-01-03T00:00:00.000Z',
      messageCount: 2,
      version: 5,
      preview: 'It still smokes.',
      threadMessageIds: ['<first@example.com>', '<second@example.com>'],
    });
  });

  it('never moves activity backwards for a message dated before the last one', () => {
    expect(ticketAfterMessage(ticket, message({ createdAt: '2025-12-31T00:00:00.000Z' })).updatedAt).toBe(ticket.updatedAt);
  });

  it('keeps the thread ids for an agent message, whose emailed copies get their own ids', () => {
    expect(ticketAfterMessage(ticket, message({ direction: 'outbound' })).threadMessageIds).toEqual(ticket.threadMessageIds);
  });

  it('keeps the preview for a system note', () => {
    expect(ticketAfterMessage(ticket, message({ direction: 'note' }), { updatesPreview: false }).preview).toBe('first');
  });

  it('keeps the first id and the latest ones when the thread grows past the limit', () => {
    let current = ticket;
    for (let i = 0; i < MAX_THREAD_IDS + 5; i += 1) current = ticketAfterMessage(current, message({ messageId: `<m${i}@x>` }));
    expect(current.threadMessageIds).toHaveLength(MAX_THREAD_IDS);
    expect(current.threadMessageIds[0]).toBe('<first@example.com>');
    expect(current.threadMessageIds.at(-1)).toBe(`<m${MAX_THREAD_IDS + 4}@x>`);
  });
});

describe('statusAfterInbound', () => {
  it('reopens a pending or closed ticket on a customer mail', () => {
    expect(statusAfterInbound('pending', kind('normal'))).toBe('open');
    expect(statusAfterInbound('closed', kind('normal'))).toBe('open');
  });

  it('leaves spam in spam, and changes nothing for an auto-reply, a bounce or a complaint', () => {
    expect(statusAfterInbound('spam', kind('normal'))).toBe('spam');
    for (const k of ['auto-reply', 'bounce', 'complaint'] as const) expect(statusAfterInbound('closed', kind(k))).toBe('closed');
  });
});
