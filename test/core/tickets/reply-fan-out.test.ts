// core: what a participant's emailed reply relays and whom its Cc adds
import { describe, expect, it } from 'vitest';
import { DEFAULT_DESK_CONFIG } from '../../../functions/core/config/desk-config';
import { MAX_PARTICIPANTS } from '../../../functions/core/tickets/new-ticket';
import { replyFanOut, type ReplyFanOutFacts } from '../../../functions/core/tickets/reply-fan-out';
import type { Authenticity, Mailbox, Participant, Ticket, TicketMessage } from '../../../functions/core/types';

const ann = { address: 'ann@customer.example', name: 'Ann' };
const bob = { address: 'bob@customer.example', name: 'Bob' };
const carol = { address: 'carol@customer.example', name: 'Carol' };
const UNKNOWN: Authenticity = { verdict: 'unknown', reason: 'no SES verdicts' };

const person = (m: Mailbox, role: Participant['role'] = 'cc', unsubscribed = false): Participant => ({ ...m, role, unsubscribed });

function ticket(participants: Participant[]): Ticket {
  return {
    id: 't1',
    deskId: 'support',
    number: 7,
    subject: 'Printer on fire',
    status: 'pending',
    priority: 'normal',
    requester: ann,
    participants,
    assignee: null,
    labels: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    messageCount: 2,
    threadMessageIds: ['<first@customer.example>'],
    preview: '',
    version: 1,
  };
}

const message: TicketMessage = {
  id: 'm2',
  ticketId: 't1',
  direction: 'inbound',
  from: bob,
  to: [],
  cc: [],
  subject: 'Re: Printer on fire [#7]',
  text: 'It is still burning.\n\n> old',
  reply: 'It is still burning.',
  html: null,
  bodyKey: null,
  messageId: '<Bob-2@customer.example>',
  threadedBy: 'reply-token',
  classification: { kind: 'normal', reason: '', failedRecipients: [] },
  attachments: [
    { filename: 'shot.png', contentType: 'image/png', size: 10, inline: true, cid: 'c1', key: 'attachments/a' },
    {
      filename: 'bad.exe',
      contentType: 'application/octet-stream',
      size: 10,
      inline: false,
      cid: null,
      key: 'quarantine/b',
      quarantined: true,
    },
  ],
  createdAt: '2026-01-02T00:00:00.000Z',
  rawKey: 'inbound/x',
  author: null,
};

function facts(overrides: Partial<ReplyFanOutFacts> & { participants?: Participant[] } = {}): ReplyFanOutFacts {
  const before = ticket(overrides.participants ?? [person(ann, 'requester'), person(bob)]);
  return {
    before,
    after: { ...before, threadMessageIds: [...before.threadMessageIds, '<bob-2@customer.example>'], version: 2 },
    mail: {
      from: bob,
      replyTo: [],
      to: [{ address: 'support@desk.localhost', name: '' }],
      cc: [],
      classification: message.classification!,
    },
    message,
    authenticity: UNKNOWN,
    settings: { relay: true, ccOnReplies: 'add' },
    config: DEFAULT_DESK_CONFIG,
    deliveryId: (purpose) => `id-${purpose}`,
    at: '2026-01-02T00:00:00.000Z',
    ...overrides,
  };
}

describe('replyFanOut', () => {
  it("relays Bob's reply to Ann only: once, as text, threaded under Bob's mail, without quarantined parts", () => {
    const result = replyFanOut(facts());

    expect(result.skipped).toBeNull();
    expect(result.added).toEqual([]);
    expect(result.deliveries).toHaveLength(1);
    const [relay] = result.deliveries;
    expect(relay).toMatchObject({
      id: 'id-relay:ann@customer.example',
      kind: 'relay',
      recipient: ann,
      messageItemId: 'm2',
      content: {
        ticketNumber: 7,
        body: 'It is still burning.',
        authorName: 'Bob',
        inReplyTo: '<bob-2@customer.example>',
        references: ['<first@customer.example>', '<bob-2@customer.example>'],
      },
    });
    expect(relay!.content.attachments.map((a) => a.filename)).toEqual(['shot.png']);
  });

  it('relays to nobody who unsubscribed, nobody the mail already reached, and never to the author under a Reply-To', () => {
    const dave = { address: 'dave@customer.example', name: 'Dave' };
    const result = replyFanOut(
      facts({
        participants: [person(ann, 'requester'), person(bob), person(carol, 'added', true), person(dave)],
        mail: {
          from: bob,
          replyTo: [{ address: 'Bob@Customer.example', name: '' }],
          to: [dave],
          cc: [],
          classification: message.classification!,
        },
      }),
    );
    expect(result.deliveries.map((d) => d.recipient.address)).toEqual(['ann@customer.example']);
  });

  it('adds a new Cc as a participant with the notice once, and does not relay to them (they have the mail)', () => {
    const result = replyFanOut(facts({ mail: { ...facts().mail, cc: [{ address: 'Carol@Customer.example', name: 'Carol' }, ann] } }));

    expect(result.added).toEqual([{ address: 'carol@customer.example', name: 'Carol', role: 'cc', unsubscribed: false }]);
    expect(result.deliveries.map((d) => [d.kind, d.recipient.address])).toEqual([['participant-added', 'carol@customer.example']]);
    expect(result.deliveries[0]).toMatchObject({ id: 'id-notice:carol@customer.example', content: { authorName: null } });
  });

  it('adds nobody past the participant cap, nor a desk address', () => {
    const full = Array.from({ length: MAX_PARTICIPANTS - 1 }, (_, i) => person({ address: `p${i}@customer.example`, name: '' }));
    const result = replyFanOut(
      facts({
        participants: [person(ann, 'requester'), ...full.slice(0, MAX_PARTICIPANTS - 2), person(bob)],
        mail: {
          ...facts().mail,
          cc: [{ address: 'support+x@desk.localhost', name: '' }, carol, { address: 'eve@customer.example', name: '' }],
        },
      }),
    );
    expect(result.added.map((p) => p.address)).toEqual([]);
    const roomForOne = replyFanOut(facts({ mail: { ...facts().mail, cc: [{ address: 'support@desk.localhost', name: '' }, carol] } }));
    expect(roomForOne.added.map((p) => p.address)).toEqual(['carol@customer.example']);
  });

  it('with ccOnReplies ignore adds nobody; with relay off relays nothing', () => {
    const withCc = { ...facts().mail, cc: [carol] };
    expect(replyFanOut(facts({ mail: withCc, settings: { relay: true, ccOnReplies: 'ignore' } })).added).toEqual([]);
    expect(replyFanOut(facts({ settings: { relay: false, ccOnReplies: 'add' } })).deliveries).toEqual([]);
  });

  it('does nothing for a stranger (even with a valid reply token), a spoofed participant, or an auto-reply', () => {
    const stranger = replyFanOut(facts({ mail: { ...facts().mail, from: { address: 'mallory@evil.example', name: '' }, cc: [carol] } }));
    expect(stranger).toMatchObject({ added: [], deliveries: [] });
    expect(stranger.skipped).toMatch(/not the requester or a participant/);

    const spoofed = replyFanOut(facts({ authenticity: { verdict: 'fail', reason: 'DMARC failed' } }));
    expect(spoofed).toMatchObject({ added: [], deliveries: [] });
    expect(spoofed.skipped).toMatch(/failed authentication/);

    const auto = replyFanOut(
      facts({ mail: { ...facts().mail, classification: { kind: 'auto-reply', reason: 'Auto-Submitted', failedRecipients: [] } } }),
    );
    expect(auto).toMatchObject({ added: [], deliveries: [], skipped: "not a person's reply (Auto-Submitted)" });
  });
});
