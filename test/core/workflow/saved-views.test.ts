// unit: what saving and deleting an agent's inbox views decides: names, limits, query keys and values
import { describe, expect, it } from 'vitest';
import { $ZodError } from 'zod/v4/core';
import { InvalidInputError, NotFoundError } from '../../../functions/core/errors';
import { MAX_SAVED_VIEWS, removeView, saveView, type SavedView } from '../../../functions/core/workflow/saved-views';

const AT = '2026-11-29T20:00:00.000Z';
const LATER = '2026-11-29T21:00:00.000Z';
const context = { id: 'v1', at: AT, deskIds: ['support', 'sales'] };

const view = (overrides: Partial<SavedView> = {}): SavedView => ({
  id: 'v0',
  name: 'Urgent',
  query: { priority: 'urgent' },
  createdAt: AT,
  updatedAt: AT,
  ...overrides,
});

describe('saveView', () => {
  it('adds a view with every list parameter, addresses lowercased, empty text dropped and keys in a stable order', () => {
    const change = saveView(
      [],
      {
        name: '  Sales, failed  ',
        query: {
          order: 'asc',
          sort: 'created',
          delivery: 'failed',
          requester: 'Ann@Customer.Example',
          priority: 'high',
          desk: 'sales',
          assignee: 'Ada@Help.Example.com',
          label: ' billing ',
          status: 'pending',
          q: '',
        },
      },
      context,
    );

    expect(change).toMatchObject({ created: true, changed: true });
    expect(change.view).toEqual({
      id: 'v1',
      name: 'Sales, failed',
      query: {
        status: 'pending',
        label: 'billing',
        assignee: 'ada@help.example.com',
        desk: 'sales',
        priority: 'high',
        requester: 'ann@customer.example',
        delivery: 'failed',
        sort: 'created',
        order: 'asc',
      },
      createdAt: AT,
      updatedAt: AT,
    });
    expect(Object.keys(change.view.query)).toEqual([
      'status',
      'label',
      'assignee',
      'desk',
      'priority',
      'requester',
      'delivery',
      'sort',
      'order',
    ]);
    expect(change.views).toEqual([change.view]);
  });

  it('takes a name the agent already uses, in any case or spacing, as that view: same id, new query, nothing added', () => {
    const before = [view(), view({ id: 'v9', name: 'Mine' })];

    const change = saveView(before, { name: 'urgent ', query: { priority: 'urgent', status: 'open' } }, { ...context, at: LATER });

    expect(change).toMatchObject({ created: false, changed: true });
    expect(change.view).toEqual({ ...before[0], name: 'urgent', query: { status: 'open', priority: 'urgent' }, updatedAt: LATER });
    expect(change.views.map((v) => v.id)).toEqual(['v0', 'v9']);
  });

  it('changes nothing when the same view is saved again (a double click, a retried request)', () => {
    const before = [view()];

    const change = saveView(before, { name: 'Urgent', query: { priority: 'urgent' } }, { ...context, at: LATER });

    expect(change).toEqual({ views: before, view: before[0], created: false, changed: false });
  });

  it(`refuses a new view beyond ${MAX_SAVED_VIEWS}, but still lets an existing one change`, () => {
    const full = Array.from({ length: MAX_SAVED_VIEWS }, (_, i) => view({ id: `v${i}`, name: `View ${i}` }));

    expect(() => saveView(full, { name: 'One more', query: {} }, context)).toThrow(InvalidInputError);
    expect(() => saveView(full, { name: 'One more', query: {} }, context)).toThrow(
      `name: you have ${MAX_SAVED_VIEWS} saved views, the most one agent may keep; delete one first`,
    );
    expect(saveView(full, { name: 'view 3', query: { label: 'x' } }, context).views).toHaveLength(MAX_SAVED_VIEWS);
  });

  it('names a query key that is not a list parameter, and the keys a view may hold', () => {
    expect(() => saveView([], { name: 'X', query: { cursor: 'abc', view: 'mine' } }, context)).toThrow(
      'query: "cursor", "view" are not a list parameter; a view may hold q, status, label, assignee, desk, priority, requester, delivery, sort, order',
    );
  });

  it('names a desk that does not exist, and the desks there are', () => {
    expect(() => saveView([], { name: 'X', query: { desk: 'billing' } }, context)).toThrow(
      'query.desk: there is no desk "billing" (desks: support, sales)',
    );
  });

  it.each([
    ['an empty name', { name: '   ', query: {} }, ['name']],
    ['a name too long', { name: 'x'.repeat(61), query: {} }, ['name']],
    ['a name with a control character', { name: 'a\u0007b', query: {} }, ['name']],
    ['an unknown status', { name: 'X', query: { status: 'done' } }, ['query', 'status']],
    ['an assignee that is no address', { name: 'X', query: { assignee: 'ada' } }, ['query', 'assignee']],
    ['an unknown sort', { name: 'X', query: { sort: 'subject' } }, ['query', 'sort']],
    ['a delivery filter other than failed', { name: 'X', query: { delivery: 'sent' } }, ['query', 'delivery']],
    ['a query that is a list', { name: 'X', query: ['status'] }, ['query']],
    ['an unknown field beside name and query', { name: 'X', query: {}, owner: 'bob@x.example' }, []],
  ])('refuses %s, naming the field', (_, input, path) => {
    let thrown: unknown;
    try {
      saveView([], input, context);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf($ZodError);
    expect((thrown as $ZodError).issues[0]!.path).toEqual(path);
  });
});

describe('removeView', () => {
  it('drops the view with that id and keeps the others in order', () => {
    expect(removeView([view(), view({ id: 'v2', name: 'B' }), view({ id: 'v3', name: 'C' })], 'v2').map((v) => v.id)).toEqual(['v0', 'v3']);
  });

  it('says so when the agent has no view with that id', () => {
    expect(() => removeView([view()], 'v7')).toThrow(NotFoundError);
  });
});
