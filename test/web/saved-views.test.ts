// unit: saved views in the inbox: what a view saves for the inbox as shown, and where applying one takes it
import { describe, expect, it } from 'vitest';
import { listParams } from '../../web/src/api/client';
import { inboxHref, inboxStateOf, showsView, viewQueryOf, type InboxState } from '../../web/src/lib/saved-views';

const ME = 'ada@desk.localhost';

describe('saved views in the inbox', () => {
  it('save a tab as its status, Mine and Unassigned as open tickets of the agent or of nobody, default order left out', () => {
    expect(viewQueryOf({ view: 'pending', search: null, filters: { label: 'vip', sort: 'updated', order: 'desc' } }, ME)).toEqual({
      status: 'pending',
      label: 'vip',
    });
    expect(
      viewQueryOf({ view: 'mine', search: null, filters: { priority: 'urgent', assignee: 'bob@x.example' } }, 'Ada@Desk.localhost'),
    ).toEqual({
      status: 'open',
      assignee: ME,
      priority: 'urgent',
    });
    expect(viewQueryOf({ view: 'unassigned', search: null, filters: { delivery: 'failed', sort: 'created', order: 'asc' } }, ME)).toEqual({
      status: 'open',
      assignee: 'none',
      delivery: 'failed',
      sort: 'created',
      order: 'asc',
    });
  });

  it('save a search as its text with the status filter, never the tab it was typed on', () => {
    expect(
      viewQueryOf({ view: 'open', search: 'printer', filters: { status: 'closed', desk: 'sales', requester: 'ann@x.example' } }, ME),
    ).toEqual({
      q: 'printer',
      status: 'closed',
      desk: 'sales',
      requester: 'ann@x.example',
    });
  });

  it('take the inbox back to what was saved, for every kind of view', () => {
    const states: InboxState[] = [
      { view: 'open', search: null, filters: {} },
      { view: 'mine', search: null, filters: { label: 'vip', sort: 'created' } },
      { view: 'unassigned', search: null, filters: { delivery: 'failed' } },
      { view: 'closed', search: null, filters: { assignee: 'bob@x.example', priority: 'low', order: 'asc' } },
      { view: 'open', search: 'ログイン', filters: { status: 'pending', assignee: 'none', desk: 'sales' } },
    ];
    for (const state of states) expect(inboxStateOf(viewQueryOf(state, ME), ME)).toEqual(state);
  });

  it('open a view saved without a status (through the API) on the open tab, and link each state', () => {
    const state = inboxStateOf({ label: 'vip' }, ME);
    expect(state).toEqual({ view: 'open', search: null, filters: { label: 'vip' } });
    expect(inboxHref(state)).toBe('#/inbox/open');
    expect(inboxHref(inboxStateOf({ q: 'printer / fire' }, ME))).toBe('#/search/printer%20%2F%20fire');
    expect(inboxHref(inboxStateOf({ status: 'open', assignee: ME }, ME))).toBe('#/inbox/mine');
  });

  it('know the view the inbox shows, whatever the order of its keys or default order said explicitly', () => {
    const query = { priority: 'urgent' as const, status: 'open' as const, sort: 'updated' as const };
    expect(showsView(query, { view: 'open', search: null, filters: { priority: 'urgent' } }, ME)).toBe(true);
    expect(showsView(query, { view: 'open', search: null, filters: { priority: 'urgent', label: 'x' } }, ME)).toBe(false);
    expect(showsView(query, { view: 'pending', search: null, filters: { priority: 'urgent' } }, ME)).toBe(false);
  });

  it('ask the API for what a view shows: no assignee over Mine, a status filter only for a search', () => {
    expect(listParams({ view: 'mine', filters: { assignee: 'bob@x.example', status: 'closed' } }).toString()).toBe('status=open&view=mine');
    expect(listParams({ view: 'open', filters: { assignee: 'none', desk: 'sales' } }).toString()).toBe(
      'status=open&assignee=none&desk=sales',
    );
    expect(listParams({ view: 'open', q: 'printer', filters: { status: 'closed' } }).toString()).toBe('q=printer&status=closed');
  });
});
