// core: who a new ticket's first mail makes the desk write to besides the requester
import { describe, expect, it } from 'vitest';
import { firstMailNotices } from '../../../functions/core/tickets/participant-notice';
import type { Authenticity } from '../../../functions/core/types';
import { ticket as ticketOf } from '../workflow/workflow-fixtures';

const PASS: Authenticity = { verdict: 'pass', reason: 'DMARC passed' };

const ticket = ticketOf({
  number: 3,
  participants: [
    { address: 'ann@customer.example', name: 'Ann', role: 'requester', unsubscribed: false },
    { address: 'bob@customer.example', name: 'Bob', role: 'cc', unsubscribed: false },
    { address: 'carol@customer.example', name: '', role: 'cc', unsubscribed: false },
  ],
});

const facts = (authenticity: Authenticity, sendsMail = true) => ({
  ticket,
  messageItemId: 'm1',
  authenticity,
  sendsMail,
  deliveryId: (purpose: string) => `d:${purpose}`,
  at: '2026-01-01T00:00:00.000Z',
});

describe('firstMailNotices', () => {
  it('sends the participant notice to each person the authenticated first mail had in Cc, not to the requester, with ids fixed by the mail', () => {
    const notices = firstMailNotices(facts(PASS));

    expect(notices.map((n) => [n.id, n.kind, n.recipient.address])).toEqual([
      ['d:notice:bob@customer.example', 'participant-added', 'bob@customer.example'],
      ['d:notice:carol@customer.example', 'participant-added', 'carol@customer.example'],
    ]);
    expect(notices[0]!.content).toMatchObject({ ticketNumber: 3, inReplyTo: '<first@customer.example>', authorName: null });
  });

  it('sends nothing when SES did not authenticate the sender: a stranger must not make the desk write to addresses they pick', () => {
    expect(firstMailNotices(facts({ verdict: 'unknown', reason: 'no SES verdicts' }))).toEqual([]);
    expect(firstMailNotices(facts({ verdict: 'fail', reason: 'DMARC failed' }))).toEqual([]);
  });

  it('sends nothing for a ticket that mails nobody (spam, a forward)', () => {
    expect(firstMailNotices(facts(PASS, false))).toEqual([]);
  });
});
