// integration: saved views on DynamoDB Local: one item per agent, written only on the version read, so saves from
// several tabs at once neither duplicate a name nor lose a view
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoTable } from '../../functions/adapters/dynamo-table';
import { DynamoWorkflowRepository } from '../../functions/adapters/dynamo-workflow-repository';
import { keys } from '../../functions/contracts';
import { ConcurrentUpdateError } from '../../functions/core/errors';
import type { SavedView } from '../../functions/core/workflow/saved-views';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';

let h: RuntimeHarness;
let n = 0;
/** A team member of the Cognito group of their own for each test, so tests share no views. */
const agent = () => `agent-${++n}@desk.localhost`;
const claims = (email: string) => ({ email, 'cognito:groups': '[team]' });

beforeAll(async () => {
  h = await startRuntimeHarness({ name: 'views', pollStream: false });
});

async function stored(email: string) {
  const { Item } = await h.documents.send(new GetCommand({ TableName: h.tableName, Key: keys.savedViews(email), ConsistentRead: true }));
  return Item as { views: SavedView[]; version: number; type: string } | undefined;
}

describe('saved views on the table', () => {
  it('makes one view of five simultaneous saves of one name, written once', async () => {
    const email = agent();
    const body = { name: 'Failed mail', query: { delivery: 'failed', sort: 'created' } };

    const answers = await Promise.all(
      Array.from({ length: 5 }, () => h.call<SavedView>('POST', '/api/views', { body, claims: claims(email) })),
    );

    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
    expect(await stored(email)).toMatchObject({ type: 'saved-views', version: 1, views: [answers[0]!.json] });
  });

  it('keeps every view of three different names saved at once (each retry reads the others)', async () => {
    const email = agent();

    const answers = await Promise.all(
      ['Urgent', 'Billing', 'Mine'].map((name) =>
        h.call<SavedView>('POST', '/api/views', { body: { name, query: { label: name } }, claims: claims(email) }),
      ),
    );

    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    const listed = await h.call<{ items: SavedView[] }>('GET', '/api/views', { claims: claims(email) });
    expect(listed.json.items.map((v) => v.name)).toEqual(['Billing', 'Mine', 'Urgent']);
    expect((await stored(email))!.version).toBe(3);
  });

  it('shows an agent only their own views, and lets only them delete one', async () => {
    const [ada, bob] = [agent(), agent()];
    const { json: view } = await h.call<SavedView>('POST', '/api/views', {
      body: { name: 'Sales', query: { desk: 'support' } },
      claims: claims(ada),
    });

    expect((await h.call<{ items: SavedView[] }>('GET', '/api/views', { claims: claims(bob) })).json.items).toEqual([]);
    expect((await h.call('DELETE', `/api/views/${view.id}`, { claims: claims(bob) })).status).toBe(404);
    expect((await h.call('DELETE', `/api/views/${view.id}`, { claims: claims(ada) })).status).toBe(204);
    expect(await stored(ada)).toMatchObject({ views: [], version: 2 });
  });

  it('refuses a write on a version that is no longer the stored one', async () => {
    const email = agent();
    const repository = new DynamoWorkflowRepository(new DynamoTable(h.documents, h.tableName));
    const view: SavedView = {
      id: 'v1',
      name: 'A',
      query: {},
      createdAt: '2026-11-29T20:00:00.000Z',
      updatedAt: '2026-11-29T20:00:00.000Z',
    };
    await repository.putSavedViews(email, [view], 0, view.createdAt);

    await expect(repository.putSavedViews(email, [], 0, view.createdAt)).rejects.toThrow(ConcurrentUpdateError);
    await expect(repository.putSavedViews(email, [], 5, view.createdAt)).rejects.toThrow(ConcurrentUpdateError);
    expect(await repository.getSavedViews(email)).toEqual({ views: [view], version: 1 });
  });
});
