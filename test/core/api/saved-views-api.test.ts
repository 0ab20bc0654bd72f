// unit: /api/views through the API handler: each agent's own views, a repeated save that makes no second view, 400s
// that say what to fix, and a save that races another tab
import { describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../functions/api/create-handler';
import type { ApiDeps } from '../../../functions/core/api/api-ports';
import { parseDeskConfig } from '../../../functions/core/config/desk-config';
import { ConcurrentUpdateError } from '../../../functions/core/errors';
import type { SavedView } from '../../../functions/core/workflow/saved-views';
import type { StoredViews } from '../../../functions/core/workflow/workflow-ports';
import { callApi, type CallOptions, type ErrorBody } from '../../support/api-call';
import { MemoryLog } from '../../support/logs';

const ADA = 'ada@help.example.com';
const BOB = 'bob@help.example.com';
const CONFIG = parseDeskConfig({
  domain: 'help.example.com',
  desks: [
    { id: 'support', address: 'support@help.example.com', name: 'Support' },
    { id: 'sales', address: 'sales@help.example.com', name: 'Sales' },
  ],
  team: [
    { email: ADA, name: 'Ada Agent' },
    { email: BOB, name: 'Bob Agent' },
  ],
});

/** Saved views in memory with the table's rule: a write names the version it read, or fails as a conflict. */
class MemoryViews {
  readonly stored = new Map<string, StoredViews>();
  writes = 0;
  /** Runs once before the next write, as another tab saving in between. */
  beforeNextPut: (() => void) | null = null;

  getSavedViews(email: string): Promise<StoredViews> {
    const found = this.stored.get(email);
    return Promise.resolve(found ? { views: [...found.views], version: found.version } : { views: [], version: 0 });
  }

  putSavedViews(email: string, views: readonly SavedView[], version: number): Promise<void> {
    const interfere = this.beforeNextPut;
    this.beforeNextPut = null;
    interfere?.();
    if ((this.stored.get(email)?.version ?? 0) !== version) return Promise.reject(new ConcurrentUpdateError('changed meanwhile'));
    this.writes += 1;
    this.stored.set(email, { views: [...views], version: version + 1 });
    return Promise.resolve();
  }
}

function setUp() {
  const views = new MemoryViews();
  const deps = {
    config: CONFIG,
    workflow: views,
    clock: () => new Date('2026-11-29T20:00:00Z'),
    log: new MemoryLog(),
  } as unknown as ApiDeps;
  const handler = createApiHandler(deps);
  const as = (email: string) => ({ email, 'cognito:groups': '[team]' });
  const call = <T = ErrorBody>(method: string, path: string, options: CallOptions = {}) =>
    callApi<T>(handler, CONFIG, method, path, { claims: as(ADA), ...options });
  return { views, call, as };
}

const urgent = { name: 'Urgent sales', query: { desk: 'sales', priority: 'urgent', sort: 'created', order: 'asc' } };

describe('saved views API', () => {
  it('creates a view (201), and the same POST again answers 200 with the same view: one view, one write', async () => {
    const { views, call } = setUp();

    const first = await call<SavedView>('POST', '/api/views', { body: urgent });
    const again = await call<SavedView>('POST', '/api/views', { body: urgent });

    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ name: 'Urgent sales', query: urgent.query });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect((await call<{ items: SavedView[] }>('GET', '/api/views')).json.items).toEqual([first.json]);
    expect(views.writes).toBe(1);
  });

  it('replaces the query of a view saved again under its name (200, same id)', async () => {
    const { call } = setUp();
    const { json: created } = await call<SavedView>('POST', '/api/views', { body: urgent });

    const changed = await call<SavedView>('POST', '/api/views', { body: { name: 'urgent SALES', query: { delivery: 'failed' } } });

    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ id: created.id, name: 'urgent SALES', query: { delivery: 'failed' } });
    expect((await call<{ items: SavedView[] }>('GET', '/api/views')).json.items).toHaveLength(1);
  });

  it('keeps views to their agent: another agent neither lists nor deletes them', async () => {
    const { call, as } = setUp();
    const { json: adas } = await call<SavedView>('POST', '/api/views', { body: urgent });
    await call('POST', '/api/views', { body: { name: 'Zebra', query: {} }, claims: as(BOB) });
    await call('POST', '/api/views', { body: { name: 'Alpha', query: { label: 'vip' } } });

    const bobs = await call<{ items: SavedView[] }>('GET', '/api/views', { claims: as(BOB) });
    const bobDeletes = await call('DELETE', `/api/views/${adas.id}`, { claims: as(BOB) });

    expect(bobs.json.items.map((v) => v.name)).toEqual(['Zebra']);
    expect(bobDeletes.status).toBe(404);
    expect(bobDeletes.json.error.message).toBe(`you have no saved view ${adas.id}`);
    expect((await call<{ items: SavedView[] }>('GET', '/api/views')).json.items.map((v) => v.name)).toEqual(['Alpha', 'Urgent sales']);
  });

  it('deletes a view of the caller (204); a second delete is 404', async () => {
    const { call } = setUp();
    const { json: created } = await call<SavedView>('POST', '/api/views', { body: urgent });

    expect((await call('DELETE', `/api/views/${created.id}`)).status).toBe(204);
    expect((await call('DELETE', `/api/views/${created.id}`)).status).toBe(404);
    expect((await call<{ items: SavedView[] }>('GET', '/api/views')).json.items).toEqual([]);
  });

  it.each([
    [{ name: 'X', query: { cursor: 'abc' } }, 'query: "cursor" is not a list parameter; a view may hold q, status, label'],
    [{ name: 'X', query: { status: 'done' } }, 'query.status: Invalid option: expected one of "open"|"pending"|"closed"|"spam"'],
    [{ name: 'X', query: { desk: 'billing' } }, 'query.desk: there is no desk "billing" (desks: support, sales)'],
    [{ name: '', query: {} }, 'name: must not be empty'],
    [{ query: {} }, 'name: Invalid input: expected string, received undefined'],
  ])('answers 400 VALIDATION naming what to fix for %j', async (body, message) => {
    const { call, views } = setUp();

    const answer = await call('POST', '/api/views', { body });

    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe('VALIDATION');
    expect(answer.json.error.message).toContain(message);
    expect(views.writes).toBe(0);
  });

  it('saves once when another tab saved the same name in between: the retry finds it and changes it', async () => {
    const { call, views } = setUp();
    views.beforeNextPut = () => {
      views.stored.set(ADA, {
        views: [
          {
            id: 'other-tab',
            name: 'Urgent sales',
            query: {},
            createdAt: '2026-11-29T19:59:00.000Z',
            updatedAt: '2026-11-29T19:59:00.000Z',
          },
        ],
        version: 1,
      });
    };

    const answer = await call<SavedView>('POST', '/api/views', { body: urgent });

    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ id: 'other-tab', query: urgent.query });
    expect(views.stored.get(ADA)!.views).toHaveLength(1);
  });

  it('answers 409 when the views keep changing under every attempt', async () => {
    const { call, views } = setUp();
    const interfere = () => {
      const now = views.stored.get(ADA) ?? { views: [], version: 0 };
      views.stored.set(ADA, { ...now, version: now.version + 1 });
      views.beforeNextPut = interfere;
    };
    views.beforeNextPut = interfere;

    const answer = await call('POST', '/api/views', { body: urgent });

    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe('CONFLICT');
  });
});
