import { describe, expect, it } from 'vitest';
import { DEFAULT_DESK_CONFIG } from '../../../functions/core/config/desk-config';
import { newId } from '../../../functions/core/ids';
import { resolveThread, type ThreadFacts } from '../../../functions/core/threading/resolve-thread';
import { createReplyToken } from '../../../functions/core/threading/reply-token';
import { subjectTag, threadCandidates } from '../../../functions/core/threading/thread-candidates';
import type { ParsedMail, Ticket } from '../../../functions/core/types';
import { TEST_TOKEN_KEYS } from '../../support/secret';

const keys = TEST_TOKEN_KEYS;

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: newId(),
    deskId: 'support',
    number: 42,
    subject: 'Printer broken',
    status: 'open',
    requester: { address: 'ann@example.com', name: 'Ann' },
    participants: [
      { address: 'ann@example.com', name: 'Ann', role: 'requester', unsubscribed: false },
      { address: 'bob@example.com', name: 'Bob', role: 'cc', unsubscribed: false },
    ],
    assignee: null,
    labels: [],
    priority: 'normal',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    messageCount: 1,
    threadMessageIds: ['<first@example.com>'],
    preview: '',
    version: 0,
    ...overrides,
  };
}

function mail(overrides: Partial<ParsedMail> = {}): ParsedMail {
  return {
    messageId: '<new@example.com>',
    inReplyTo: null,
    references: [],
    from: { address: 'ann@example.com', name: 'Ann' },
    replyTo: [],
    to: [{ address: 'support@desk.localhost', name: '' }],
    cc: [],
    subject: 'Hello',
    date: null,
    text: 'hi',
    reply: 'hi',
    replyConfidence: 'high',
    html: null,
    attachments: [],
    classification: { kind: 'normal', reason: 'test', failedRecipients: [] },
    envelopeRecipients: ['support@desk.localhost'],
    verdicts: { spam: null, virus: null },
    messageIdDerived: false,
    warnings: [],
    dropped: [],
    authentication: { spf: null, dkim: null, dmarc: null },
    attachmentContents: [],
    ...overrides,
  };
}

function facts(parsed: ParsedMail, tickets: Ticket[], extra: Partial<ThreadFacts> = {}): ThreadFacts {
  return {
    candidates: threadCandidates(parsed, DEFAULT_DESK_CONFIG, keys),
    tickets: new Map(tickets.map((t) => [t.id, t])),
    messageIdTickets: new Map(),
    taggedTicketId: null,
    sender: parsed.from.address,
    authenticity: { verdict: 'unknown', reason: 'no verdicts' },
    deskId: 'support',
    ...extra,
  };
}

describe('threading', () => {
  it('threads by a verified reply token found in any recipient header', () => {
    const t = ticket();
    const token = createReplyToken(keys, t.id);
    const parsed = mail({ envelopeRecipients: ['someone@else.example', `support+${token}@desk.localhost`] });
    expect(resolveThread(facts(parsed, [t]))).toEqual({ rule: 'reply-token', ticketId: t.id, held: null });
  });

  it('never threads by a forged token, and reports it as rejected', () => {
    const t = ticket();
    const forged = `${t.id}${'0'.repeat(22)}`;
    const parsed = mail({ envelopeRecipients: [`support+${forged}@desk.localhost`] });
    const f = facts(parsed, [t]);
    expect(f.candidates.rejectedTokens).toEqual([forged]);
    expect(resolveThread(f)).toEqual({ rule: 'new-ticket', ticketId: null, held: null });
  });

  it('ignores plus addresses of domains that are not desks', () => {
    const t = ticket();
    const token = createReplyToken(keys, t.id);
    const parsed = mail({ envelopeRecipients: [`support+${token}@elsewhere.example`] });
    expect(threadCandidates(parsed, DEFAULT_DESK_CONFIG, keys).tokenTicketIds).toEqual([]);
  });

  it('threads by In-Reply-To before older References, matching case-insensitively', () => {
    const older = ticket();
    const newer = ticket();
    const parsed = mail({ inReplyTo: '<Latest@Example.com>', references: ['<first@example.com>', '<latest@example.com>'] });
    const result = resolveThread(
      facts(parsed, [older, newer], {
        messageIdTickets: new Map([
          ['<first@example.com>', older.id],
          ['<latest@example.com>', newer.id],
        ]),
      }),
    );
    expect(result).toEqual({ rule: 'message-id', ticketId: newer.id, held: null });
  });

  it('lets a token win over References that point elsewhere', () => {
    const byToken = ticket();
    const byRefs = ticket();
    const parsed = mail({
      references: ['<x@example.com>'],
      envelopeRecipients: [`support+${createReplyToken(keys, byToken.id)}@desk.localhost`],
    });
    const result = resolveThread(facts(parsed, [byToken, byRefs], { messageIdTickets: new Map([['<x@example.com>', byRefs.id]]) }));
    expect(result.rule).toBe('reply-token');
    expect(result.ticketId).toBe(byToken.id);
  });

  it('threads by subject tag when the sender is a participant of that ticket', () => {
    const t = ticket();
    const parsed = mail({ subject: 'Re: Printer broken [#42]', from: { address: 'bob@example.com', name: 'Bob' } });
    expect(resolveThread(facts(parsed, [t], { taggedTicketId: t.id }))).toEqual({ rule: 'subject-tag', ticketId: t.id, held: null });
  });

  it('holds a stranger who uses a subject tag on the tagged ticket, saying why', () => {
    const t = ticket();
    const parsed = mail({ subject: 'Re: Printer broken [#42]', from: { address: 'mallory@evil.example', name: '' } });
    expect(resolveThread(facts(parsed, [t], { taggedTicketId: t.id }))).toEqual({
      rule: 'subject-tag',
      ticketId: t.id,
      held: 'the sender mallory@evil.example is not the requester or a participant of ticket #42',
    });
  });

  it("holds a stranger's reply by Message-ID instead of threading it", () => {
    const t = ticket();
    const parsed = mail({ inReplyTo: '<first@example.com>', from: { address: 'mallory@evil.example', name: '' } });
    const result = resolveThread(facts(parsed, [t], { messageIdTickets: new Map([['<first@example.com>', t.id]]) }));
    expect(result).toMatchObject({ rule: 'message-id', ticketId: t.id });
    expect(result.held).toMatch(/mallory@evil\.example is not the requester or a participant/);
  });

  it('holds a participant whose mail SES found spoofed, by Message-ID and by subject tag alike', () => {
    const t = ticket();
    const spoofed = { verdict: 'fail', reason: 'DMARC failed: the From domain disowns this mail' } as const;
    const byId = mail({ inReplyTo: '<first@example.com>', from: { address: 'bob@example.com', name: 'Bob' } });
    const byTag = mail({ subject: 'Re: [#42]', from: { address: 'bob@example.com', name: 'Bob' } });
    const idFacts = facts(byId, [t], { messageIdTickets: new Map([['<first@example.com>', t.id]]), authenticity: spoofed });
    expect(resolveThread(idFacts).held).toMatch(/failed authentication \(DMARC failed/);
    expect(resolveThread(facts(byTag, [t], { taggedTicketId: t.id, authenticity: spoofed })).held).toMatch(/failed authentication/);
  });

  it('still threads a spoofed sender who holds a verified reply token: the token is signed and names the ticket', () => {
    const t = ticket();
    const parsed = mail({ envelopeRecipients: [`support+${createReplyToken(keys, t.id)}@desk.localhost`] });
    const result = resolveThread(facts(parsed, [t], { authenticity: { verdict: 'fail', reason: 'DMARC failed' } }));
    expect(result).toEqual({ rule: 'reply-token', ticketId: t.id, held: null });
  });

  it('prefers a ticket the sender takes part in over a newer References hit on a ticket they are a stranger to', () => {
    const foreign = ticket({ participants: [], requester: { address: 'zed@example.com', name: '' } });
    const own = ticket();
    const parsed = mail({ inReplyTo: '<foreign@example.com>', references: ['<own@example.com>', '<foreign@example.com>'] });
    const result = resolveThread(
      facts(parsed, [foreign, own], {
        messageIdTickets: new Map([
          ['<foreign@example.com>', foreign.id],
          ['<own@example.com>', own.id],
        ]),
      }),
    );
    expect(result).toEqual({ rule: 'message-id', ticketId: own.id, held: null });
  });

  it('trusts the requester even when the participants list does not name them', () => {
    const t = ticket({ participants: [] });
    const parsed = mail({ inReplyTo: '<first@example.com>', from: { address: 'ANN@example.com', name: 'Ann' } });
    const result = resolveThread(facts(parsed, [t], { messageIdTickets: new Map([['<first@example.com>', t.id]]) }));
    expect(result).toEqual({ rule: 'message-id', ticketId: t.id, held: null });
  });

  it('does not thread into a ticket of another desk', () => {
    const t = ticket({ deskId: 'sales' });
    const parsed = mail({ inReplyTo: '<first@example.com>' });
    const result = resolveThread(facts(parsed, [t], { messageIdTickets: new Map([['<first@example.com>', t.id]]) }));
    expect(result.rule).toBe('new-ticket');
  });

  it('reads subject tags and ignores look-alikes', () => {
    expect(subjectTag('Re: help [#7]')).toBe(7);
    expect(subjectTag('Re: help #7')).toBeNull();
    expect(subjectTag('[#]')).toBeNull();
  });
});
