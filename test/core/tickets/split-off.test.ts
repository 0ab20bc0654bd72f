// unit: what splitting an inbound message off into a new ticket decides
import { describe, expect, it } from 'vitest';
import { ConcurrentUpdateError, InvalidInputError } from '../../../functions/core/errors';
import { splitOff, type OpeningFacts } from '../../../functions/core/tickets/held-messages';
import type { TicketMessage } from '../../../functions/core/types';
import { message, ticket as ticketOf } from '../workflow/workflow-fixtures';

const ticket = ticketOf({ id: 't1', status: 'pending', assignee: 'agent@desk.example', labels: ['hardware'], priority: 'high' });
const inbound = message({
  id: 'm2',
  ticketId: 't1',
  from: { address: 'Bo@Example.com', name: 'Bo' },
  subject: 'Re: Printer',
  messageId: '<second@example.com>',
  threadedBy: 'message-id',
  rawKey: 'inbound/abc',
});

const facts = (message: TicketMessage): OpeningFacts => ({
  from: ticket,
  message,
  id: 't2',
  messageItemId: 'm9',
  number: 8,
  agent: { email: 'agent@desk.example', name: 'Agent' },
  at: '2026-01-05T00:00:00.000Z',
});

describe('splitOff', () => {
  it("opens an open ticket of the message's sender, the message its first, the original marked with where it went", () => {
    const split = splitOff(facts(inbound));
    expect(split.ticket).toMatchObject({
      id: 't2',
      number: 8,
      deskId: 'support',
      status: 'open',
      subject: 'Re: Printer',
      requester: { address: 'bo@example.com', name: 'Bo' },
      assignee: null,
      labels: [],
      messageCount: 1,
      threadMessageIds: ['<second@example.com>'],
    });
    expect(split.message).toMatchObject({
      id: 'm9',
      ticketId: 't2',
      threadedBy: 'new-ticket',
      rawKey: 'inbound/abc',
      movedFrom: { ticketId: 't1', number: 7 },
    });
    expect(split.split).toEqual({ ticketId: 't2', number: 8, by: 'agent@desk.example', at: '2026-01-05T00:00:00.000Z' });
  });

  it('refuses an agent message, a held message, and a message split off already (a conflict)', () => {
    expect(() => splitOff(facts({ ...inbound, direction: 'note', author: 'agent@desk.example' }))).toThrow(InvalidInputError);
    expect(() => splitOff(facts({ ...inbound, held: true }))).toThrow(/accept it or move it/);
    const again = () =>
      splitOff(facts({ ...inbound, splitInto: { ticketId: 't2', number: 8, by: 'a@desk.example', at: '2026-01-05T00:00:00.000Z' } }));
    expect(again).toThrow(ConcurrentUpdateError);
  });
});
