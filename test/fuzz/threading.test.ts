// Fuzz: threading never crosses desks, never threads a stranger or a spoofed sender by Message-ID or subject tag, and only trusts verified tokens
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { createReplyToken } from '../../functions/core/threading/reply-token';
import { resolveThread, type ThreadFacts } from '../../functions/core/threading/resolve-thread';
import { threadCandidates } from '../../functions/core/threading/thread-candidates';
import type { ParsedMail, Participant, Ticket } from '../../functions/core/types';
import { fuzzOptions } from './fuzz-settings';

const DESKS = ['support', 'sales'] as const;
const TICKET_IDS = ['t0', 't1', 't2', 't3', 't4', 't5'] as const;
const PEOPLE = ['ann@example.com', 'bob@example.org', 'eve@evil.test', 'support@desk.localhost'] as const;
const MESSAGE_IDS = ['<m0@x>', '<m1@x>', '<m2@x>', '<m3@x>', '<m4@x>'] as const;

/** Random case, as senders write their own addresses. */
const anyCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(''));

function ticket(id: string, deskId: string, people: readonly string[]): Ticket {
  // Ingest stores participant addresses lowercased; resolveThread relies on that.
  const participants: Participant[] = people.map((address, i) => ({
    address,
    name: '',
    role: i === 0 ? 'requester' : 'cc',
    unsubscribed: false,
  }));
  return {
    id,
    deskId,
    number: 1,
    subject: 's',
    status: 'open',
    requester: { address: people[0] ?? 'x@example.com', name: '' },
    participants,
    assignee: null,
    labels: [],
    priority: 'normal',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    messageCount: 1,
    threadMessageIds: [],
    preview: '',
    version: 0,
  };
}

const factsArb: fc.Arbitrary<ThreadFacts> = fc
  .record({
    tickets: fc.array(fc.tuple(fc.constantFrom(...TICKET_IDS), fc.constantFrom(...DESKS), fc.subarray([...PEOPLE])), { maxLength: 6 }),
    tokenTicketIds: fc.array(fc.constantFrom(...TICKET_IDS, 'ghost'), { maxLength: 3 }),
    messageIds: fc.subarray([...MESSAGE_IDS]),
    messageIdTickets: fc.array(fc.tuple(fc.constantFrom(...MESSAGE_IDS), fc.constantFrom(...TICKET_IDS, 'ghost')), { maxLength: 5 }),
    taggedTicketId: fc.option(fc.constantFrom(...TICKET_IDS, 'ghost'), { nil: null }),
    sender: fc.constantFrom(...PEOPLE).chain(anyCase),
    verdict: fc.constantFrom('pass', 'fail', 'unknown'),
    deskId: fc.constantFrom(...DESKS),
  })
  .map((r) => ({
    candidates: {
      tokenTicketIds: [...new Set(r.tokenTicketIds)],
      tokens: [],
      rejectedTokens: [],
      messageIds: r.messageIds,
      subjectTag: r.taggedTicketId === null ? null : 1,
    },
    tickets: new Map(r.tickets.map(([id, deskId, people]) => [id, ticket(id, deskId, people)])),
    messageIdTickets: new Map(r.messageIdTickets),
    taggedTicketId: r.taggedTicketId,
    sender: r.sender,
    authenticity: { verdict: r.verdict, reason: 'fuzz' },
    deskId: r.deskId,
  }));

describe('threading under fuzzing', () => {
  it('never returns a ticket of another desk or a missing one, and holds every untrusted Message-ID or tag match', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const decision = resolveThread(facts);
        const onDesk = (id: string | null | undefined) => id != null && facts.tickets.get(id)?.deskId === facts.deskId;
        const sender = facts.sender.toLowerCase();
        const trusted = (id: string) =>
          facts.authenticity.verdict !== 'fail' && (facts.tickets.get(id)?.participants.some((p) => p.address === sender) ?? false);
        // Rule 2 (newest id first), then rule 3, each on this desk.
        const weak = [
          ...facts.candidates.messageIds.map((m) => ({ rule: 'message-id', id: facts.messageIdTickets.get(m) })),
          { rule: 'subject-tag', id: facts.taggedTicketId },
        ].filter((m): m is { rule: string; id: string } => onDesk(m.id));

        if (decision.rule === 'new-ticket') {
          // Nothing could have matched: no usable token, no usable Message-ID, no tag on this desk.
          expect(facts.candidates.tokenTicketIds.some(onDesk)).toBe(false);
          expect(weak).toEqual([]);
          return;
        }
        const picked = facts.tickets.get(decision.ticketId);
        expect(picked?.deskId).toBe(facts.deskId);
        if (decision.rule === 'reply-token') {
          expect(decision.ticketId).toBe(facts.candidates.tokenTicketIds.find(onDesk));
          expect(decision.held).toBeNull();
          return;
        }
        expect(facts.candidates.tokenTicketIds.some(onDesk)).toBe(false);
        const firstTrusted = weak.find((m) => trusted(m.id));
        if (decision.held === null) {
          // Threaded: the first match the sender is trusted on, never a stranger's or a spoofed sender's.
          expect(trusted(decision.ticketId)).toBe(true);
          expect({ rule: decision.rule, id: decision.ticketId }).toEqual(firstTrusted);
        } else {
          // Held: no match trusted the sender, and the mail waits on the first match.
          expect(firstTrusted).toBeUndefined();
          expect({ rule: decision.rule, id: decision.ticketId }).toEqual(weak[0]);
        }
      }),
      fuzzOptions(2_000, 20261128),
    );
  });

  it('reads a ticket id only from tokens that verify on a desk address, whatever else the recipients hold', () => {
    const keys = { secrets: ['fuzz-secret'] };
    const idArb = fc.string({ unit: fc.constantFrom(...'0123456789abcdefghjkmnpqrstvwxyz'), minLength: 26, maxLength: 26 });
    const recipientArb = fc.oneof(
      idArb.chain((id) =>
        fc
          .constantFrom('support', 'other')
          .chain((local) => anyCase(`${local}+${createReplyToken(keys, id)}@desk.localhost`))
          .map((address) => ({ address, id: address.toLowerCase().startsWith('support+') ? id : null })),
      ),
      idArb.map((id) => ({ address: `support+${createReplyToken({ secrets: ['forger'] }, id)}@desk.localhost`, id: null })),
      fc.tuple(idArb, fc.nat({ max: 53 }), fc.string({ minLength: 1, maxLength: 2 })).map(([id, at, junk]) => {
        const address = `support+${createReplyToken(keys, id)}@desk.localhost`;
        const altered = address.slice(0, at) + junk + address.slice(at + 1);
        return { address: altered, id: altered.toLowerCase() === address ? id : null };
      }),
      fc.string({ maxLength: 80 }).map((address) => ({ address, id: null })),
    );

    fc.assert(
      fc.property(fc.array(recipientArb, { maxLength: 6 }), (recipients) => {
        const mail = {
          envelopeRecipients: recipients.map((r) => r.address),
          inReplyTo: null,
          references: [],
          subject: '',
        } as Partial<ParsedMail> as ParsedMail;
        const expected = [...new Set(recipients.flatMap((r) => (r.id === null ? [] : [r.id])))];

        const candidates = threadCandidates(mail, DEFAULT_DESK_CONFIG, keys);

        expect(candidates.tokenTicketIds).toEqual(expected);
      }),
      fuzzOptions(500, 20261129),
    );
  });
});
