// test support: deliveries and the desk configuration for the notify use cases
import { parseDeskConfig } from '../../../functions/core/config/desk-config';
import type { Delivery } from '../../../functions/core/notify/notify-ports';

export const TICKET_ID = '01jd2x3y4z5a6b7c8d9e0f1g2h';

export const CONFIG = parseDeskConfig({
  domain: 'help.example.com',
  desks: [{ id: 'support', address: 'support@help.example.com', name: 'Acme Support' }],
  team: [{ email: 'ada@help.example.com', name: 'Ada Agent' }],
  ackLimitPerDay: 3,
  dashboardUrl: 'https://desk.example.com',
});

/** A delivery as the stream would show it; override anything. */
export function delivery(overrides: Partial<Delivery> = {}): Delivery {
  return {
    id: '01jd2x3y4z5a6b7c8d9e0f1dlv',
    kind: 'reply',
    ticketId: TICKET_ID,
    deskId: 'support',
    recipient: { address: 'ann@customer.example', name: 'Ann Customer' },
    messageItemId: 'msg-1',
    content: {
      ticketNumber: 42,
      subject: 'Printer on fire',
      body: 'Hello Ann,\n\nPlease **unplug** it first.',
      authorName: 'Ada Agent',
      inReplyTo: '<first@customer.example>',
      references: ['<first@customer.example>'],
      attachments: [],
    },
    createdAt: '2025-01-02T03:04:05.000Z',
    status: 'pending',
    attempts: 0,
    lastError: null,
    updatedAt: '2025-01-02T03:04:05.000Z',
    ...overrides,
  };
}
