import { describe, expect, it } from 'vitest';
import { deliverWebhook } from '../../../functions/core/workflow/deliver-webhook';
import type { TableChange } from '../../../functions/core/workflow/table-change';
import { webhookDeliveries, webhookEvents, type NewWebhookDelivery } from '../../../functions/core/workflow/webhook-events';
import { verifyWebhookSignature, webhookSignature } from '../../../functions/core/workflow/webhook-signature';
import type { WebhookAttempt, WebhookDelivery, WorkflowRepository } from '../../../functions/core/workflow/workflow-ports';
import { MemoryLog } from '../../support/logs';
import { TEST_TOKEN_KEYS } from '../../support/secret';
import { added, message, TEAM_CONFIG, ticket } from './workflow-fixtures';

const options = { keys: TEST_TOKEN_KEYS, dashboardUrl: 'https://desk.example.com', now: '2025-01-02T03:04:06.000Z' };

describe('webhookEvents', () => {
  it('makes one event per change with an id derived from it', () => {
    const created: TableChange = { kind: 'ticket-created', source: 'ticket:tkt1:created', ticket: ticket() };
    const [event] = webhookEvents(created, ticket(), options);
    expect(event).toMatchObject({
      type: 'ticket.created',
      deskId: 'support',
      ticket: { id: 'tkt1', url: 'https://desk.example.com/#/tickets/tkt1' },
    });
    expect(webhookEvents(created, ticket(), { ...options, now: 'later' })[0]!.id).toBe(event!.id);
    expect(webhookEvents({ ...created, source: 'ticket:tkt2:created' }, ticket(), options)[0]!.id).not.toBe(event!.id);
  });

  it('reports what changed on a ticket, and nothing for activity alone', () => {
    const before = ticket();
    const change = (after: Partial<typeof before>): TableChange => ({
      kind: 'ticket-changed',
      source: 'v2',
      before,
      after: ticket({ ...after, version: 2 }),
    });
    expect(webhookEvents(change({ status: 'closed', labels: ['x'] }), ticket(), options)[0]!.changes).toEqual({
      status: { from: 'open', to: 'closed' },
      labels: { from: [], to: ['x'] },
    });
    expect(webhookEvents(change({ messageCount: 5, preview: 'new' }), ticket(), options)).toEqual([]);
  });

  it('sends nothing about a held message, nor about spam', () => {
    expect(webhookEvents(added(message({ held: true })), ticket(), options)).toEqual([]);
    expect(webhookEvents(added(message()), ticket({ status: 'spam' }), options)).toEqual([]);
    expect(webhookEvents(added(message()), ticket(), options).map((e) => e.type)).toEqual(['message.received']);
    expect(webhookEvents(added(message({ direction: 'outbound' })), ticket(), options).map((e) => e.type)).toEqual(['message.sent']);
    expect(webhookEvents(added(message({ direction: 'note' })), ticket(), options)).toEqual([]);
  });

  it('sends each event to the hooks that want its type, as Slack text where asked', () => {
    const config = {
      webhooks: [
        { url: 'https://a.example/hook', secret: 's'.repeat(16), events: ['ticket.updated' as const], format: 'json' as const },
        { url: 'https://hooks.slack.com/x', secret: 's'.repeat(16), events: ['ticket.created' as const], format: 'slack' as const },
      ],
    };
    const events = webhookEvents(
      { kind: 'ticket-created', source: 's', ticket: ticket({ subject: '<!channel> help' }) },
      ticket({ subject: '<!channel> help' }),
      options,
    );
    const deliveries = webhookDeliveries(events, config);
    expect(deliveries.map((d) => d.hookIndex)).toEqual([1]);
    expect(JSON.parse(deliveries[0]!.body)).toEqual({
      text: 'New ticket: <https://desk.example.com/#/tickets/tkt1|#7 &lt;!channel&gt; help>',
    });
  });
});

describe('webhook signatures', () => {
  it('verify only the exact body with the right secret', () => {
    const signature = webhookSignature('{"id":"1"}', 'secret-of-16-chars');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('{"id":"1"}', 'secret-of-16-chars', signature)).toBe(true);
    expect(verifyWebhookSignature('{"id":"2"}', 'secret-of-16-chars', signature)).toBe(false);
    expect(verifyWebhookSignature('{"id":"1"}', 'another-secret-16', signature)).toBe(false);
    expect(verifyWebhookSignature('{"id":"1"}', 'secret-of-16-chars', undefined)).toBe(false);
  });
});

describe('deliverWebhook', () => {
  const stored: NewWebhookDelivery = {
    ticketId: 'tkt1',
    eventId: 'evt1',
    eventType: 'ticket.created',
    hookIndex: 0,
    url: TEAM_CONFIG.webhooks[0]!.url,
    body: '{"id":"evt1"}',
    createdAt: options.now,
  };
  function fakeRepository(status: WebhookDelivery['status'] = 'pending') {
    const attempts: WebhookAttempt[] = [];
    let current: WebhookDelivery = { ...stored, status, attempts: 0, lastError: null, lastStatus: null, updatedAt: options.now };
    const repository: Pick<WorkflowRepository, 'claimWebhook' | 'recordWebhookAttempt'> = {
      claimWebhook: async () =>
        current.status === 'pending'
          ? { kind: 'claimed', delivery: (current = { ...current, status: 'sending' }) }
          : { kind: 'taken', status: current.status, leaseUntil: null },
      recordWebhookAttempt: async (_key, _claim, attempt) => {
        attempts.push(attempt);
        current = { ...current, status: attempt.status };
      },
    };
    return { repository: repository as WorkflowRepository, attempts };
  }
  const deps = (repository: WorkflowRepository, answers: number[], sleeps: number[]) => {
    const posts: { headers: Record<string, string> }[] = [];
    return {
      posts,
      deps: {
        repository,
        sender: {
          post: async (_url: string, _body: string, headers: Readonly<Record<string, string>>) => (
            posts.push({ headers: { ...headers } }),
            answers.shift() ?? 200
          ),
        },
        config: TEAM_CONFIG,
        clock: () => new Date(options.now),
        log: new MemoryLog(),
        retryDelaysMs: [10, 40],
        sleep: async (ms: number) => void sleeps.push(ms),
      },
    };
  };

  it('retries with backoff, the same signed body every time, until the receiver takes it', async () => {
    const { repository, attempts } = fakeRepository();
    const sleeps: number[] = [];
    const { deps: d, posts } = deps(repository, [500, 503, 200], sleeps);
    expect(await deliverWebhook(d, stored, 60_000)).toBe('sent');
    expect(sleeps).toEqual([10, 40]);
    expect(new Set(posts.map((p) => p.headers['X-Sesdesk-Signature'])).size).toBe(1);
    expect(posts[0]!.headers['X-Sesdesk-Event-Id']).toBe('evt1');
    expect(attempts.map((a) => a.status)).toEqual(['sending', 'sending', 'sent']);
  });

  it('keeps it failed after the last retry, with the reason', async () => {
    const { repository, attempts } = fakeRepository();
    const { deps: d } = deps(repository, [500, 500, 500], []);
    expect(await deliverWebhook(d, stored, 60_000)).toBe('failed');
    expect(attempts.at(-1)).toMatchObject({ status: 'failed', error: 'the receiver answered HTTP 500 (gave up after 3 attempts)' });
  });

  it('posts nothing for a delivery already sent (a redelivered record)', async () => {
    const { repository } = fakeRepository('sent');
    const { deps: d, posts } = deps(repository, [], []);
    expect(await deliverWebhook(d, stored, 60_000)).toBe('skipped');
    expect(posts).toEqual([]);
  });
});
