import { describe, expect, it } from 'vitest';
import { decideAgentNotices, noticeDeliveries, type NoticeContext } from '../../../functions/core/workflow/agent-notices';
import { DEFAULT_AGENT_PREFERENCES, parseAgentPreferences } from '../../../functions/core/workflow/agent-preferences';
import type { TableChange } from '../../../functions/core/workflow/table-change';
import { delivery } from '../notify/notify-fixtures';
import { TEST_TOKEN_KEYS } from '../../support/secret';
import { added, message, TEAM_CONFIG, ticket } from './workflow-fixtures';

const context = (overrides: Partial<NoticeContext> = {}): NoticeContext => ({
  ticket: ticket(),
  team: TEAM_CONFIG.team,
  notifyTeam: 'everyone',
  preferences: new Map(),
  ...overrides,
});
const recipients = (change: TableChange, ctx: NoticeContext) =>
  decideAgentNotices(change, ctx).map((n) => `${n.kind} ${n.recipient.email}`);

describe('decideAgentNotices', () => {
  it('mails the whole team about a customer’s new ticket, quoting them escaped', () => {
    const notices = decideAgentNotices(added(message()), context());
    expect(notices.map((n) => n.recipient.email)).toEqual(['ada@help.example.com', 'bob@help.example.com']);
    expect(notices[0]!.markdown).toBe(
      'New ticket #7 from Ann \\<ann\\@customer\\.example\\>: **Printer \\*on\\* fire**\n\n> It smokes\\. \\[click\\]\\(https\\:\\/\\/evil\\.example\\)',
    );
  });

  it('follows the desk’s notifyTeam setting for new tickets', () => {
    expect(recipients(added(message()), context({ notifyTeam: 'nobody' }))).toEqual([]);
    expect(recipients(added(message()), context({ notifyTeam: 'unassigned' }))).toHaveLength(2);
    const assigned = ticket({ assignee: 'bob@help.example.com' });
    expect(recipients(added(message()), context({ notifyTeam: 'unassigned', ticket: assigned }))).toEqual([
      'new-ticket bob@help.example.com',
    ]);
    expect(recipients(added(message()), context({ notifyTeam: 'nobody', ticket: assigned }))).toEqual(['new-ticket bob@help.example.com']);
  });

  it('never mails about spam, bounces, complaints, auto-replies, notes or agents’ replies', () => {
    expect(recipients(added(message()), context({ ticket: ticket({ status: 'spam' }) }))).toEqual([]);
    for (const kind of ['auto-reply', 'bounce', 'complaint'] as const) {
      expect(recipients(added(message({ classification: { kind, reason: kind, failedRecipients: [] } })), context())).toEqual([]);
    }
    expect(recipients(added(message({ direction: 'outbound', author: 'ada@help.example.com' })), context())).toEqual([]);
    expect(recipients(added(message({ direction: 'note', author: 'ada@help.example.com' })), context())).toEqual([]);
  });

  it('mails a customer’s reply to the assignee only', () => {
    const reply = added(message({ id: 'msg2', threadedBy: 'reply-token' }));
    expect(recipients(reply, context())).toEqual([]);
    expect(recipients(reply, context({ ticket: ticket({ assignee: 'ada@help.example.com' }) }))).toEqual([
      'customer-reply ada@help.example.com',
    ]);
  });

  it('tells only that a held message awaits review: nothing of its sender or words', () => {
    const held = added(
      message({ id: 'msg3', threadedBy: 'message-id', held: true, from: { address: 'mallory@evil.example', name: 'Mallory' } }),
    );
    const notices = decideAgentNotices(held, context({ ticket: ticket({ assignee: 'ada@help.example.com' }) }));
    expect(notices.map((n) => `${n.kind} ${n.recipient.email}`)).toEqual(['held-message ada@help.example.com']);
    expect(notices[0]!.markdown).toBe('A held message awaits review on ticket #7.');
    expect(JSON.stringify(notices)).not.toMatch(/mallory|smokes/i);
  });

  it('mails a new assignee, unless they assigned themselves', () => {
    const change = (changedBy: string): TableChange => ({
      kind: 'ticket-changed',
      source: 'ticket:tkt1:v2',
      before: ticket(),
      after: ticket({ assignee: 'bob@help.example.com', version: 2, changedBy }),
    });
    const notices = decideAgentNotices(change('ada@help.example.com'), context());
    expect(notices.map((n) => `${n.kind} ${n.recipient.email}`)).toEqual(['assigned bob@help.example.com']);
    expect(notices[0]!.markdown).toBe('Ada Agent assigned ticket #7 to you.');
    expect(recipients(change('bob@help.example.com'), context())).toEqual([]);
  });

  it('never mails an assignee outside the team', () => {
    const change: TableChange = {
      kind: 'ticket-changed',
      source: 'ticket:tkt1:v2',
      before: ticket(),
      after: ticket({ assignee: 'stranger@example.com', version: 2, changedBy: 'ada@help.example.com' }),
    };
    expect(recipients(change, context())).toEqual([]);
  });

  it('mails the assignee when customer mail failed for good, never about a failed notification', () => {
    const t = ticket({ assignee: 'ada@help.example.com' });
    const failed = (kind: 'reply' | 'agent-notice'): TableChange => ({
      kind: 'delivery-failed',
      source: 'delivery:x',
      delivery: delivery({ kind, status: 'failed', lastError: 'MessageRejected' }),
    });
    expect(recipients(failed('reply'), context({ ticket: t }))).toEqual(['delivery-failed ada@help.example.com']);
    expect(recipients(failed('agent-notice'), context({ ticket: t }))).toEqual([]);
  });

  it('keys the rate limit on the sender of customer mail, on the ticket for held mail, and not at all for agents’ actions', () => {
    const limitKeys = (change: TableChange, ctx: NoticeContext) => decideAgentNotices(change, ctx).map((n) => n.limitKey);
    const assigned = context({ ticket: ticket({ assignee: 'ada@help.example.com' }) });
    expect(limitKeys(added(message({ from: { address: 'Ann@Customer.example', name: 'Ann' } })), context())).toEqual([
      'sender:ann@customer.example',
      'sender:ann@customer.example',
    ]);
    expect(limitKeys(added(message({ id: 'msg2', threadedBy: 'reply-token' })), assigned)).toEqual(['sender:ann@customer.example']);
    expect(limitKeys(added(message({ id: 'msg3', threadedBy: 'message-id', held: true })), assigned)).toEqual(['held:tkt1']);
    const assignment: TableChange = {
      kind: 'ticket-changed',
      source: 'ticket:tkt1:v2',
      before: ticket(),
      after: ticket({ assignee: 'bob@help.example.com', version: 2, changedBy: 'ada@help.example.com' }),
    };
    expect(limitKeys(assignment, context())).toEqual([null]);
  });

  it('leaves out whoever turned that kind off', () => {
    const preferences = new Map([['bob@help.example.com', parseAgentPreferences({ 'new-ticket': false })]]);
    expect(recipients(added(message()), context({ preferences }))).toEqual(['new-ticket ada@help.example.com']);
  });
});

describe('agent preferences', () => {
  it('start with everything on and refuse unknown kinds by name', () => {
    expect(Object.values(DEFAULT_AGENT_PREFERENCES).every(Boolean)).toBe(true);
    expect(() => parseAgentPreferences({ 'new-tickets': false })).toThrow(/new-tickets/);
  });
});

describe('noticeDeliveries', () => {
  it('derives the same ids from the same change, and threads every notice of a ticket together', () => {
    const change = added(message());
    const notices = decideAgentNotices(change, context());
    const options = { keys: TEST_TOKEN_KEYS, domain: 'help.example.com', now: '2025-01-02T03:04:06.000Z' };
    const first = noticeDeliveries(notices, change, ticket(), options);
    const again = noticeDeliveries(notices, change, ticket(), { ...options, now: '2025-01-02T04:00:00.000Z' });
    expect(first.map((d) => d.id)).toEqual(again.map((d) => d.id));
    expect(new Set(first.map((d) => d.id)).size).toBe(2);
    expect(first[0]).toMatchObject({ kind: 'agent-notice', recipient: { address: 'ada@help.example.com' } });
    expect(first[0]!.content.references).toEqual(['<agents.tkt1@help.example.com>']);
    expect(first[0]!.noticeLimitKey).toBe('sender:ann@customer.example');
  });
});
