// test support: tickets, messages and a team for the workflow's pure decisions
import { parseDeskConfig } from '../../../functions/core/config/desk-config';
import type { Ticket, TicketMessage } from '../../../functions/core/types';
import type { TableChange } from '../../../functions/core/workflow/table-change';

export const TEAM_CONFIG = parseDeskConfig({
  domain: 'help.example.com',
  desks: [{ id: 'support', address: 'support@help.example.com', name: 'Acme Support' }],
  team: [
    { email: 'ada@help.example.com', name: 'Ada Agent' },
    { email: 'bob@help.example.com', name: 'Bob Agent' },
  ],
  dashboardUrl: 'https://desk.example.com',
  webhooks: [{ url: 'https://hooks.example.com/in', secret: 'a-secret-of-16-chars' }],
});

export function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: 'tkt1',
    deskId: 'support',
    number: 7,
    subject: 'Printer *on* fire',
    status: 'open',
    requester: { address: 'ann@customer.example', name: 'Ann' },
    participants: [{ address: 'ann@customer.example', name: 'Ann', role: 'requester', unsubscribed: false }],
    assignee: null,
    labels: [],
    priority: 'normal',
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:04:05.000Z',
    messageCount: 1,
    threadMessageIds: ['<first@customer.example>'],
    preview: 'It smokes.',
    version: 1,
    ...overrides,
  };
}

export function message(overrides: Partial<TicketMessage> = {}): TicketMessage {
  return {
    id: 'msg1',
    ticketId: 'tkt1',
    direction: 'inbound',
    from: { address: 'ann@customer.example', name: 'Ann' },
    to: [{ address: 'support@help.example.com', name: '' }],
    cc: [],
    subject: 'Printer on fire',
    text: 'It smokes. [click](https://evil.example)',
    reply: 'It smokes. [click](https://evil.example)',
    html: null,
    bodyKey: null,
    messageId: '<first@customer.example>',
    threadedBy: 'new-ticket',
    classification: { kind: 'normal', reason: '', failedRecipients: [] },
    attachments: [],
    createdAt: '2025-01-02T03:04:05.000Z',
    rawKey: 'inbound/x',
    author: null,
    ...overrides,
  };
}

export const added = (m: TicketMessage): TableChange => ({ kind: 'message-added', source: `message:${m.ticketId}:${m.id}`, message: m });
