// core: who an agent's public reply is emailed to
import { describe, expect, it } from 'vitest';
import { replyRecipients } from '../../../functions/core/tickets/recipients';
import { DEFAULT_DESK_CONFIG } from '../../../functions/core/config/desk-config';
import type { Ticket } from '../../../functions/core/types';

function ticket(participants: Ticket['participants']): Ticket {
  return {
    id: 't1',
    deskId: 'support',
    number: 1,
    subject: 'Printer on fire',
    status: 'open',
    requester: { address: 'ann@example.com', name: 'Ann' },
    participants,
    assignee: null,
    labels: [],
    priority: 'normal',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    messageCount: 1,
    threadMessageIds: ['<a@example.com>'],
    preview: '',
    version: 0,
  };
}

describe('replyRecipients', () => {
  it('emails the requester and every participant once, ignoring the case of addresses', () => {
    const recipients = replyRecipients(
      ticket([
        { address: 'ann@example.com', name: 'Ann', role: 'requester', unsubscribed: false },
        { address: 'Bob@Example.com', name: 'Bob', role: 'cc', unsubscribed: false },
        { address: 'bob@example.com', name: 'Bob again', role: 'added', unsubscribed: false },
      ]),
      DEFAULT_DESK_CONFIG,
    );
    expect(recipients).toEqual([
      { address: 'ann@example.com', name: 'Ann' },
      { address: 'bob@example.com', name: 'Bob' },
    ]);
  });

  it('leaves out those who unsubscribed, the requester included', () => {
    const recipients = replyRecipients(
      ticket([
        { address: 'ann@example.com', name: 'Ann', role: 'requester', unsubscribed: true },
        { address: 'cy@example.com', name: 'Cy', role: 'cc', unsubscribed: true },
        { address: 'di@example.com', name: 'Di', role: 'cc', unsubscribed: false },
      ]),
      DEFAULT_DESK_CONFIG,
    );
    expect(recipients.map((r) => r.address)).toEqual(['di@example.com']);
  });

  it('never emails the desk itself, with or without a reply token', () => {
    const recipients = replyRecipients(
      ticket([
        { address: 'support@desk.localhost', name: 'Support', role: 'cc', unsubscribed: false },
        { address: 'support+abc@desk.localhost', name: 'Support', role: 'cc', unsubscribed: false },
      ]),
      DEFAULT_DESK_CONFIG,
    );
    expect(recipients.map((r) => r.address)).toEqual(['ann@example.com']);
  });
});
