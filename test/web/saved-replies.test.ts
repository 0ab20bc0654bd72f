import { describe, expect, it } from 'vitest';
import type { SavedReply } from '../../web/src/api/types';
import {
  fillSavedReply,
  savedReplyActions,
  savedReplyActs,
  savedReplyPatch,
  savedReplyQuery,
  savedReplyValues,
} from '../../web/src/lib/saved-replies';

const reply = (overrides: Partial<SavedReply> = {}): SavedReply => ({
  id: 'r1',
  title: 'Fixed',
  body: 'Hi {{customer.firstName}}, #{{ticket.number}} is fixed. {{unknown}}',
  status: 'closed',
  labels: ['solved'],
  assignee: null,
  updatedAt: '2025-01-01T00:00:00.000Z',
  updatedBy: 'ada@x.example',
  ...overrides,
});

describe('saved replies in the composer', () => {
  it('fill the ticket’s values and leave anything else as written', () => {
    const values = savedReplyValues(
      { number: 7, subject: 'Login', requester: { address: 'frank@x.example', name: 'Frank Fixer' } },
      'Ada',
      'Support',
    );
    expect(fillSavedReply(reply().body, values)).toBe('Hi Frank, #7 is fixed. {{unknown}}');
    expect(
      savedReplyValues({ number: 7, subject: 'Login', requester: { address: 'frank@x.example', name: '' } }, 'Ada', 'Support')[
        'customer.name'
      ],
    ).toBe('frank@x.example');
  });

  it('say and make the change the reply’s actions ask for, adding labels to the ticket’s own', () => {
    expect(savedReplyActions(reply(), [])).toEqual(['close the ticket', 'add solved']);
    const team = [{ email: 'bob@x.example', name: 'Bob Builder' }];
    expect(savedReplyActions(reply({ status: null, labels: [], assignee: 'bob@x.example' }), team)).toEqual(['assign to Bob Builder']);
    expect(savedReplyPatch(reply(), { labels: ['billing', 'solved'] })).toEqual({ labels: ['billing', 'solved'] });
    expect(savedReplyPatch(reply({ labels: [] }), { labels: [] })).toBeNull();
    expect(savedReplyActs(reply({ status: null, labels: [] }))).toBe(false);
    expect(savedReplyActs(reply({ labels: [] }))).toBe(true);
  });

  it('open on `;` and a word typed at the start of a word only', () => {
    expect(savedReplyQuery('Hello ;fix', 10)).toEqual({ start: 6, query: 'fix' });
    expect(savedReplyQuery(';', 1)).toEqual({ start: 0, query: '' });
    expect(savedReplyQuery('a;b', 3)).toBeNull();
    expect(savedReplyQuery('Hello ;fix now', 14)).toBeNull();
  });
});
