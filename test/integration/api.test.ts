// integration: every dashboard API route through the real handler, DynamoDB Local and s3rver
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/contracts';
import type { IngestRecord } from '../../functions/core/ports';
import type { Delivery } from '../../functions/core/notify/notify-ports';
import { unsubscribeSignature } from '../../functions/core/notify/unsubscribe';
import type { DeskSettings } from '../../functions/core/settings/desk-settings';
import type { Participant, Ticket, TicketMessage } from '../../functions/core/types';
import { DEFAULT_DESK_CONFIG, parseDeskConfig } from '../../functions/core/config/desk-config';
import { plainMail } from '../support/mail';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';

type TicketJson = Omit<Ticket, 'threadMessageIds'>;
type Page = { items: TicketJson[]; cursor: string | null };
type DeliveryJson = Pick<Delivery, 'id' | 'kind' | 'recipient' | 'status' | 'attempts' | 'lastError' | 'messageItemId' | 'updatedAt'>;
type Detail = TicketJson & {
  messages: TicketMessage[];
  deliveries: DeliveryJson[];
  addressStates: Record<string, { state: string; reason: string }>;
};

/** The agent the calls act as (the first team member), and a second one to assign tickets to. */
const AGENT = { email: 'agent@desk.localhost', name: 'Ada Agent' };
const config = parseDeskConfig({ ...DEFAULT_DESK_CONFIG, team: [AGENT, { email: 'bo@desk.localhost', name: 'Bo Agent' }] });
const runId = randomUUID().slice(0, 8);

// No stream poller: deliveries stay as the API wrote them.
let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({ name: 'api', config, pollStream: false });
});

/** Ingests a new ticket from a unique requester and returns its id and requester address. */
async function newTicket(subject: string, extra: { cc?: string; body?: string } = {}) {
  const requester = `ann-${randomUUID().slice(0, 8)}@example.com`;
  const result = await h.receive(
    plainMail({ from: `Ann <${requester}>`, subject, body: extra.body ?? 'The printer is on fire.', cc: extra.cc }),
  );
  expect(result.outcome).toBe('ticket-created');
  return { id: result.ticketId!, requester };
}

describe('identity routes', () => {
  it('answers /api/me with the caller from the authorizer claims', async () => {
    const { status, json } = await h.call<{ email: string; name: string }>('GET', '/api/me');
    expect(status).toBe(200);
    expect(json).toEqual(AGENT);
  });

  it('lists the desks', async () => {
    const { json } = await h.call<{ items: unknown[] }>('GET', '/api/desks');
    expect(json.items).toEqual([{ id: 'support', address: 'support@desk.localhost', name: 'Support' }]);
  });

  it('lists the team by address and name, for the dashboard to show agents by name', async () => {
    const { json } = await h.call<{ items: unknown[] }>('GET', '/api/team');
    expect(json.items).toEqual([AGENT, { email: 'bo@desk.localhost', name: 'Bo Agent' }]);
  });

  it('answers 401 without authorizer claims and 403 for a signed-in user outside the team', async () => {
    const anonymous = await h.call('GET', '/api/tickets', { claims: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe('UNAUTHENTICATED');

    const stranger = await h.call('GET', '/api/tickets', { claims: { email: 'eve@example.com', 'cognito:groups': '[]' } });
    expect(stranger.status).toBe(403);
    expect(stranger.json.error.message).toContain('eve@example.com');
  });

  it('accepts a Cognito user of the team group who is not in the configuration', async () => {
    const { status, json } = await h.call<{ email: string }>('GET', '/api/me', {
      claims: { email: 'cy@example.com', 'cognito:groups': '[team]' },
    });
    expect(status).toBe(200);
    expect(json.email).toBe('cy@example.com');
  });

  it('has no local sign-in when the handler is built without one (as in AWS)', async () => {
    const { status } = await h.call('POST', '/api/auth/local', { claims: null, body: { email: AGENT.email, code: '123456' } });
    expect(status).toBe(404);
  });

  it('answers 404 for an unknown route and 405 for a wrong method', async () => {
    expect((await h.call('GET', '/api/nothing')).status).toBe(404);
    expect((await h.call('DELETE', '/api/tickets')).status).toBe(405);
  });
});

describe('inbox views', () => {
  const count = 250;
  const base = Date.parse('2030-01-01T00:00:00.000Z');
  let created: Ticket[] = [];

  beforeAll(async () => {
    // 250 closed tickets with shuffled activity times (and some ties), written through the ticket repository.
    created = Array.from({ length: count }, (_, i) => {
      const at = new Date(base + ((i * 7919) % count) * 60_000 - (i % 5 === 0 ? 0 : 1)).toISOString();
      const id = `page${runId}${String(i).padStart(4, '0')}`;
      return {
        id,
        deskId: 'support',
        number: 100_000 + i,
        subject: `Paging ticket ${i}`,
        status: 'closed',
        requester: { address: `pager-${runId}@example.com`, name: 'Pager' },
        participants: [],
        assignee: i % 3 === 0 ? AGENT.email : null,
        labels: [],
        priority: 'normal',
        createdAt: at,
        updatedAt: at,
        messageCount: 1,
        threadMessageIds: [`<${id}@example.com>`],
        preview: `preview ${i}`,
        version: 0,
      } satisfies Ticket;
    });
    for (let start = 0; start < count; start += 25) {
      await Promise.all(
        created.slice(start, start + 25).map((ticket) =>
          h.runtime.ingest.tickets.createTicket({
            ingest: {
              key: `seed/${ticket.id}`,
              bucket: h.bucket,
              outcome: 'ticket-created',
              reason: 'seed',
              ticketId: ticket.id,
              messageId: null,
              at: ticket.createdAt,
              attempts: 1,
              from: null,
              subject: null,
            },
            claims: { fingerprint: null, messageId: null },
            ticket,
            message: seedMessage(ticket),
            deliveries: [],
            terms: [],
          }),
        ),
      );
    }
  }, 120_000);

  it('pages through 250 tickets with no ticket missing or repeated, newest activity first', async () => {
    const seen: TicketJson[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { status: 'closed', limit: '37', ...(cursor ? { cursor } : {}) };
      const { status, json } = await h.call<Page>('GET', '/api/tickets', { query });
      expect(status).toBe(200);
      expect(json.items.length).toBeLessThanOrEqual(37);
      seen.push(...json.items);
      cursor = json.cursor;
      pages += 1;
    } while (cursor && pages < 20);

    expect(seen).toHaveLength(count);
    expect(new Set(seen.map((t) => t.id)).size).toBe(count);
    const order = seen.map((t) => `${t.updatedAt}#${t.id}`);
    expect(order).toEqual([...order].sort().reverse());
    expect(pages).toBeGreaterThanOrEqual(7);
  });

  it('lists the tickets assigned to me, and the unassigned ones, per status', async () => {
    const mine = await h.call<Page>('GET', '/api/tickets', { query: { status: 'closed', view: 'mine', limit: '100' } });
    expect(mine.json.items).toHaveLength(84);
    expect(mine.json.items.every((t) => t.assignee === AGENT.email)).toBe(true);

    const unassigned = await h.call<Page>('GET', '/api/tickets', {
      query: { status: 'closed', view: 'unassigned', limit: '100' },
    });
    expect(unassigned.json.items).toHaveLength(100);
    expect(unassigned.json.items.every((t) => t.assignee === null)).toBe(true);
  });

  it('counts each view', async () => {
    const { json } = await h.call<Record<string, number>>('GET', '/api/counts');
    expect(json.closed).toBe(count);
    expect(Object.keys(json).sort()).toEqual(['closed', 'mine', 'open', 'pending', 'spam', 'unassigned']);
  });

  it('refuses a tampered cursor and a cursor from another view with 400', async () => {
    const first = await h.call<Page>('GET', '/api/tickets', { query: { status: 'closed', limit: '5' } });
    const cursor = first.json.cursor!;
    const other = await h.call('GET', '/api/tickets', { query: { status: 'open', cursor } });
    expect(other.status).toBe(400);
    expect(other.json.error.message).toMatch(/^cursor: /);

    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, string>;
    const forged = Buffer.from(JSON.stringify({ ...decoded, pk: 'INGEST#x', sk: 'INGEST' })).toString('base64url');
    expect((await h.call('GET', '/api/tickets', { query: { status: 'closed', cursor: forged } })).status).toBe(400);
    expect((await h.call('GET', '/api/tickets', { query: { status: 'closed', cursor: 'not*base64' } })).status).toBe(400);
  });

  it('says which query field is wrong', async () => {
    const bad = await h.call('GET', '/api/tickets', { query: { status: 'archived', limit: '500' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('status:');
    expect(bad.json.error.message).toContain('limit:');
  });

  it("lists a requester's history, newest first", async () => {
    const { json } = await h.call<{ items: TicketJson[] }>(
      'GET',
      `/api/requesters/${encodeURIComponent(`pager-${runId}@example.com`)}/tickets`,
    );
    expect(json.items).toHaveLength(100);
    const created = json.items.map((t) => t.createdAt);
    expect(created).toEqual([...created].sort().reverse());
  });
});

describe('search', () => {
  it('finds a ticket by number, with or without #', async () => {
    const { id } = await newTicket('Numbered request');
    const ticket = await h.runtime.ingest.tickets.getTicket(id);
    for (const q of [`#${ticket!.number}`, String(ticket!.number)]) {
      const { json } = await h.call<{ items: TicketJson[] }>('GET', '/api/search', { query: { q } });
      expect(json.items.map((t) => t.id)).toEqual([id]);
    }
  });

  it('finds tickets whose subject has every word of the query', async () => {
    const word = `zebra${runId}`;
    const both = await newTicket(`Invoice ${word} missing`);
    await newTicket(`Invoice question ${runId}`);
    await newTicket(`${word} parade`);
    const { json } = await h.call<{ items: TicketJson[] }>('GET', '/api/search', { query: { q: `invoice ${word}` } });
    expect(json.items.map((t) => t.id)).toEqual([both.id]);
  });

  it('finds tickets by requester address, in any case', async () => {
    const { id, requester } = await newTicket('Requester search');
    const { json } = await h.call<{ items: TicketJson[] }>('GET', '/api/search', { query: { q: requester.toUpperCase() } });
    expect(json.items.map((t) => t.id)).toEqual([id]);
  });

  it('answers 400 for an empty query', async () => {
    const { status, json } = await h.call('GET', '/api/search', { query: { q: '  ' } });
    expect(status).toBe(400);
    expect(json.error.message).toContain('q:');
  });
});

describe('ticket detail', () => {
  it('returns the thread in order with threadedBy, deliveries and address states', async () => {
    // Arrange: a ticket, a reply threaded by Message-ID, and a Cc participant whose address bounced
    const bob = `bob-${randomUUID().slice(0, 8)}@example.com`;
    const requester = `ann-${randomUUID().slice(0, 8)}@example.com`;
    const first = await h.receive(
      plainMail({ from: requester, cc: bob, subject: 'Thread me', body: 'First', messageId: `<first-${runId}@example.com>` }),
    );
    await h.receive(plainMail({ from: requester, subject: 'Re: Thread me', body: 'Second', inReplyTo: `<first-${runId}@example.com>` }));
    await h.documents.send(
      new PutCommand({
        TableName: h.tableName,
        Item: { ...keys.address(bob), type: 'address', state: 'undeliverable', reason: '5.1.1 unknown user' },
      }),
    );

    // Act
    const { status, json } = await h.call<Detail>('GET', `/api/tickets/${first.ticketId}`);

    // Assert
    expect(status).toBe(200);
    expect(json.messages.map((m) => [m.direction, m.reply, m.threadedBy])).toEqual([
      ['inbound', 'First', 'new-ticket'],
      ['inbound', 'Second', 'message-id'],
    ]);
    // Ann's second mail is relayed to Bob, the other person on the ticket (issue 12).
    expect(json.deliveries.map((d) => [d.kind, d.recipient.address]).sort()).toEqual([
      ['ack', requester],
      ['relay', bob],
    ]);
    expect(json.deliveries.find((d) => d.kind === 'ack')).toMatchObject({ status: 'pending' });
    expect(json.addressStates).toEqual({ [bob]: { state: 'undeliverable', reason: '5.1.1 unknown user' } });
    expect(json.participants.map((p) => p.address)).toEqual([requester, bob]);
  });

  it('loads bodies kept in S3 back into the message', async () => {
    const long = `${'All work and no play. '.repeat(6000)}END`;
    const { id } = await newTicket('Huge body', { body: long });
    const { json } = await h.call<Detail>('GET', `/api/tickets/${id}`);
    expect(json.messages[0]!.text.trim().endsWith('END')).toBe(true);
    expect(json.messages[0]!.text.length).toBeGreaterThan(100_000);
  });

  it('answers 404 for an unknown or malformed ticket id', async () => {
    expect((await h.call('GET', '/api/tickets/0000000000000000000000000z')).status).toBe(404);
    expect((await h.call('GET', '/api/tickets/..%2Fetc')).status).toBe(404);
  });
});

describe('replies and notes', () => {
  it('emails a public reply to the requester and the Cc participants, in one write with the message', async () => {
    // Arrange
    const bob = `bob-${randomUUID().slice(0, 8)}@example.com`;
    const { id, requester } = await newTicket('Reply to all', { cc: `Bob <${bob}>, Support <support@desk.localhost>` });
    const before = await h.runtime.ingest.tickets.getTicket(id);

    // Act
    const { status, json } = await h.call<TicketMessage>('POST', `/api/tickets/${id}/messages`, {
      body: { body: '**Fixed**, thanks!', internal: false },
    });

    // Assert
    expect(status).toBe(201);
    expect(json).toMatchObject({ direction: 'outbound', author: AGENT.email, threadedBy: 'agent', text: '**Fixed**, thanks!' });
    const detail = (await h.call<Detail>('GET', `/api/tickets/${id}`)).json;
    expect(detail.status).toBe('pending');
    expect(detail.messageCount).toBe(2);
    expect(detail.preview).toBe('**Fixed**, thanks!');
    const replies = detail.deliveries.filter((d) => d.kind === 'reply');
    expect(replies.map((d) => (typeof d.recipient === 'string' ? d.recipient : d.recipient.address)).sort()).toEqual(
      [bob, requester].sort(),
    );
    expect(replies.every((d) => d.messageItemId === json.id && d.status === 'pending')).toBe(true);
    const stored = await h.documents.send(new GetCommand({ TableName: h.tableName, Key: keys.delivery(id, replies[0]!.id) }));
    expect(stored.Item?.content).toEqual({
      ticketNumber: before!.number,
      subject: 'Reply to all',
      body: '**Fixed**, thanks!',
      authorName: AGENT.name,
      inReplyTo: before!.threadMessageIds.at(-1),
      references: before!.threadMessageIds,
      attachments: [],
    });
  });

  it('keeps the status the agent asks for instead of pending', async () => {
    const { id } = await newTicket('Close on reply');
    await h.call('POST', `/api/tickets/${id}/messages`, { body: { body: 'Done.', internal: false, status: 'closed' } });
    expect((await h.runtime.ingest.tickets.getTicket(id))!.status).toBe('closed');
  });

  it('stores an internal note without emailing anyone or changing the status', async () => {
    const { id } = await newTicket('Just a note');
    const { status, json } = await h.call<TicketMessage>('POST', `/api/tickets/${id}/messages`, {
      body: { body: 'Customer is a VIP', internal: true },
    });
    expect(status).toBe(201);
    expect(json.direction).toBe('note');
    const detail = (await h.call<Detail>('GET', `/api/tickets/${id}`)).json;
    expect(detail.status).toBe('open');
    expect(detail.deliveries.filter((d) => d.kind !== 'ack')).toEqual([]);
    expect(detail.messages.map((m) => m.direction)).toEqual(['inbound', 'note']);
  });

  it('answers 409 when the ticket changed since the version the agent saw', async () => {
    const { id } = await newTicket('Conflicting');
    const { version } = (await h.runtime.ingest.tickets.getTicket(id))!;
    expect((await h.call('PATCH', `/api/tickets/${id}`, { body: { labels: ['vip'] } })).status).toBe(200);
    const stale = await h.call('POST', `/api/tickets/${id}/messages`, { body: { body: 'Hello', internal: false, version } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('CONFLICT');
    expect((await h.runtime.ingest.tickets.getTicket(id))!.messageCount).toBe(1);
  });

  it('answers 400 naming the field for an invalid message', async () => {
    const { id } = await newTicket('Bad message');
    const empty = await h.call('POST', `/api/tickets/${id}/messages`, { body: { body: '   ', internal: 'no' } });
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toContain('body: must not be empty');
    expect(empty.json.error.message).toContain('internal:');
    const foreignKey = await h.call('POST', `/api/tickets/${id}/messages`, {
      body: { body: 'x', internal: false, attachments: [{ key: 'inbound/raw', filename: 'a', contentType: 'text/plain', size: 1 }] },
    });
    expect(foreignKey.json.error.message).toContain('attachments.0.key');
    const notJson = await h.call('POST', `/api/tickets/${id}/messages`, { body: '{oops' });
    expect(notJson.json.error.message).toBe('body: not valid JSON');
    expect((await h.call('POST', '/api/tickets/0000000000000000000000000z/messages', { body: { body: 'x', internal: true } })).status).toBe(
      404,
    );
  });
});

describe('ticket changes', () => {
  it('changes status, assignee and labels and moves the ticket between views', async () => {
    const { id } = await newTicket('Triage me');
    const { status, json } = await h.call<TicketJson>('PATCH', `/api/tickets/${id}`, {
      body: { status: 'pending', assignee: 'Bo@Desk.localhost', labels: ['billing', 'billing', 'vip'] },
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: 'pending', assignee: 'bo@desk.localhost', labels: ['billing', 'vip'] });
    const bo = { email: 'bo@desk.localhost', 'cognito:groups': '[team]' };
    const mine = await h.call<Page>('GET', '/api/tickets', { query: { status: 'pending', view: 'mine' }, claims: bo });
    expect(mine.json.items.map((t) => t.id)).toContain(id);
    const open = await h.call<Page>('GET', '/api/tickets', { query: { status: 'open', limit: '100' } });
    expect(open.json.items.map((t) => t.id)).not.toContain(id);

    const unassign = await h.call<TicketJson>('PATCH', `/api/tickets/${id}`, { body: { assignee: null } });
    expect(unassign.json.assignee).toBeNull();
  });

  it('starts every ticket at normal priority and changes it by PATCH, refusing an unknown priority', async () => {
    const { id } = await newTicket('Prioritise me');
    expect((await h.call<TicketJson>('GET', `/api/tickets/${id}`)).json.priority).toBe('normal');

    const urgent = await h.call<TicketJson>('PATCH', `/api/tickets/${id}`, { body: { priority: 'urgent' } });
    expect(urgent.json).toMatchObject({ priority: 'urgent', status: 'open' });
    expect((await h.call<TicketJson>('GET', `/api/tickets/${id}`)).json.priority).toBe('urgent');

    const bad = await h.call('PATCH', `/api/tickets/${id}`, { body: { priority: 'asap' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^priority: /);
  });

  it('answers 400 for an empty or unknown patch', async () => {
    const { id } = await newTicket('Patch errors');
    const empty = await h.call('PATCH', `/api/tickets/${id}`, { body: {} });
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toContain('at least one of status, assignee, labels');
    const unknown = await h.call('PATCH', `/api/tickets/${id}`, { body: { subject: 'new' } });
    expect(unknown.status).toBe(400);
    const badAssignee = await h.call('PATCH', `/api/tickets/${id}`, { body: { assignee: 'nobody' } });
    expect(badAssignee.json.error.message).toMatch(/^assignee: /);
  });

  it('assigns only team members: a stranger is refused with 400 naming the fix, and the ticket keeps its owner', async () => {
    const { id } = await newTicket('Assign a stranger');
    const stranger = await h.call('PATCH', `/api/tickets/${id}`, { body: { assignee: 'stranger@example.com' } });
    expect(stranger.status).toBe(400);
    expect(stranger.json.error.message).toContain('stranger@example.com is not a member of the team');
    expect(stranger.json.error.message).toContain("add them to the desk configuration's team");
    const after = await h.call<TicketJson>('GET', `/api/tickets/${id}`);
    expect(after.json.assignee).toBeNull();
  });

  it('adds a participant once, with a notice delivery, and removes them again; the thread records both as events', async () => {
    const { id } = await newTicket('Participants');
    const added = await h.call<Participant>('POST', `/api/tickets/${id}/participants`, {
      body: { address: 'Cy@Example.com', name: 'Cy' },
    });
    expect(added.status).toBe(201);
    expect(added.json).toEqual({ address: 'cy@example.com', name: 'Cy', role: 'added', unsubscribed: false });
    const again = await h.call<Participant>('POST', `/api/tickets/${id}/participants`, { body: { address: 'cy@EXAMPLE.com' } });
    expect(again.status).toBe(200);

    let detail = (await h.call<Detail>('GET', `/api/tickets/${id}`)).json;
    expect(detail.participants.filter((p) => p.address === 'cy@example.com')).toHaveLength(1);
    expect(detail.deliveries.filter((d) => d.kind === 'participant-added')).toMatchObject([
      { recipient: { address: 'cy@example.com' }, status: 'pending' },
    ]);
    const addedEvent = detail.messages.find((m) => m.id === detail.deliveries.find((d) => d.kind === 'participant-added')!.messageItemId);
    expect(addedEvent).toMatchObject({
      direction: 'note',
      event: 'participant-added',
      text: 'Ada Agent added cy@example.com to the ticket.',
    });

    const removed = await h.call('DELETE', `/api/tickets/${id}/participants/${encodeURIComponent('cy@example.com')}`);
    expect(removed.status).toBe(204);
    detail = (await h.call<Detail>('GET', `/api/tickets/${id}`)).json;
    expect(detail.participants.map((p) => p.address)).not.toContain('cy@example.com');
    expect(detail.messages.map((m) => m.event ?? null)).toEqual([null, 'participant-added', 'participant-removed']);
    expect((await h.call('DELETE', `/api/tickets/${id}/participants/${encodeURIComponent('cy@example.com')}`)).status).toBe(404);
  });

  it('refuses to remove the requester, to add the desk, and to go beyond 10 participants', async () => {
    const { id, requester } = await newTicket('Participant rules');
    expect((await h.call('DELETE', `/api/tickets/${id}/participants/${encodeURIComponent(requester)}`)).status).toBe(400);
    expect((await h.call('POST', `/api/tickets/${id}/participants`, { body: { address: 'support@desk.localhost' } })).status).toBe(400);
    for (let i = 0; i < 9; i += 1) {
      expect((await h.call('POST', `/api/tickets/${id}/participants`, { body: { address: `p${i}@example.com` } })).status).toBe(201);
    }
    const full = await h.call('POST', `/api/tickets/${id}/participants`, { body: { address: 'p10@example.com' } });
    expect(full.status).toBe(400);
    expect(full.json.error.message).toContain('10 participants');
  });

  it('retries a failed delivery once, and only a failed one', async () => {
    const { id } = await newTicket('Retry me');
    const [ack] = (await h.call<Detail>('GET', `/api/tickets/${id}`)).json.deliveries;
    const path = `/api/tickets/${id}/deliveries/${ack!.id}/retry`;
    expect((await h.call('POST', path)).status).toBe(409);

    await h.documents.send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: keys.delivery(id, ack!.id),
        UpdateExpression: 'SET #s = :failed, lastError = :e',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed', ':e': 'MessageRejected' },
      }),
    );
    const retried = await h.call<DeliveryJson>('POST', path);
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ id: ack!.id, status: 'pending' });
    expect((await h.call('POST', path)).status).toBe(409);
    expect((await h.call('POST', `/api/tickets/${id}/deliveries/0000000000000000000000000z/retry`)).status).toBe(404);
  });

  it('retries a delivery left sending by a dead invocation only once its lease is over', async () => {
    const { id } = await newTicket('Stuck in sending');
    const [ack] = (await h.call<Detail>('GET', `/api/tickets/${id}`)).json.deliveries;
    const path = `/api/tickets/${id}/deliveries/${ack!.id}/retry`;
    const stick = (leaseUntil: string) =>
      h.documents.send(
        new UpdateCommand({
          TableName: h.tableName,
          Key: keys.delivery(id, ack!.id),
          UpdateExpression: 'SET #s = :sending, leaseUntil = :lease',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':lease': leaseUntil },
        }),
      );

    await stick(new Date(Date.now() + 60_000).toISOString());
    expect((await h.call('POST', path)).status).toBe(409);

    await stick(new Date(Date.now() - 1_000).toISOString());
    const retried = await h.call<DeliveryJson>('POST', path);
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ id: ack!.id, status: 'pending' });
  });
});

describe('files', () => {
  it('gives an upload URL that s3rver accepts, and a download URL that returns the bytes as an attachment', async () => {
    // Arrange
    const bytes = new TextEncoder().encode('<svg onload="alert(1)"></svg>');
    const upload = await h.call<{ key: string; url: string }>('POST', '/api/uploads', {
      body: { filename: 'evil drawing.svg', contentType: 'image/svg+xml', size: bytes.length },
    });
    expect(upload.status).toBe(200);
    expect(upload.json.key).toMatch(/^uploads\/[a-z0-9]{26}\/evil_drawing\.svg$/);
    expect(new URL(upload.json.url).searchParams.get('X-Amz-Expires')).toBe('900');

    // Act
    const put = await fetch(upload.json.url, { method: 'PUT', body: bytes, headers: { 'content-type': 'image/svg+xml' } });
    const download = await h.call<{ url: string }>('GET', '/api/attachments/url', { query: { key: upload.json.key } });
    const got = await fetch(download.json.url);

    // Assert
    expect(put.status).toBe(200);
    expect(new URL(download.json.url).searchParams.get('X-Amz-Expires')).toBe('300');
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; filename="evil_drawing.svg"/);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);
  });

  it('attaches an uploaded file to a reply and its deliveries, as a copy of its own under attachments/', async () => {
    const { id } = await newTicket('With attachment');
    const upload = await h.call<{ key: string; url: string }>('POST', '/api/uploads', {
      body: { filename: 'log.txt', contentType: 'text/plain', size: 3 },
    });
    await fetch(upload.json.url, { method: 'PUT', body: 'log', headers: { 'content-type': 'text/plain' } });
    const attachment = { key: upload.json.key, filename: 'log.txt', contentType: 'text/plain', size: 3 };

    const { json } = await h.call<TicketMessage>('POST', `/api/tickets/${id}/messages`, {
      body: { body: 'See log', internal: false, attachments: [attachment] },
    });

    // uploads/ expires after a few days; the message keeps a copy where ingest keeps a mail's attachments.
    const copy = { ...attachment, key: `attachments/${id}/${json.id}/0-log.txt`, inline: false, cid: null };
    expect(json.attachments).toEqual([copy]);
    const reply = (await h.call<Detail>('GET', `/api/tickets/${id}`)).json.deliveries.find((d) => d.kind === 'reply')!;
    const stored = await h.documents.send(new GetCommand({ TableName: h.tableName, Key: keys.delivery(id, reply.id) }));
    expect(stored.Item?.content.attachments).toEqual([copy]);
    const download = await h.call<{ url: string }>('GET', '/api/attachments/url', { query: { key: copy.key } });
    expect(await (await fetch(download.json.url)).text()).toBe('log');
  });

  it('refuses a reply whose upload is gone, naming the attachment', async () => {
    const { id } = await newTicket('Expired upload');
    const upload = await h.call<{ key: string }>('POST', '/api/uploads', {
      body: { filename: 'old.txt', contentType: 'text/plain', size: 3 },
    });

    const answer = await h.call('POST', `/api/tickets/${id}/messages`, {
      body: {
        body: 'See file',
        internal: false,
        attachments: [{ key: upload.json.key, filename: 'old.txt', contentType: 'text/plain', size: 3 }],
      },
    });

    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toMatch(/^attachments\.0\.key: the uploaded file is gone/);
  });

  it('refuses uploads that are too large and downloads of raw mail', async () => {
    const big = await h.call('POST', '/api/uploads', {
      body: { filename: 'x.bin', contentType: 'application/octet-stream', size: 50 * 1024 * 1024 },
    });
    expect(big.status).toBe(400);
    expect(big.json.error.message).toMatch(/^size: /);
    const raw = await h.call('GET', '/api/attachments/url', { query: { key: 'inbound/abc' } });
    expect(raw.status).toBe(400);
  });
});

describe('settings, failed ingests and unsubscribe', () => {
  it('returns the default settings, saves a change and refuses an invalid template', async () => {
    const defaults = await h.call<DeskSettings>('GET', '/api/settings/support');
    expect(defaults.status).toBe(200);
    expect(defaults.json.updatedAt).toBeNull();

    const changed = {
      ...defaults.json,
      ackEnabled: false,
      templates: { ...defaults.json.templates, ack: { subject: 'We got it', body: 'Thanks!' } },
    };
    const saved = await h.call<DeskSettings>('PUT', '/api/settings/support', { body: changed });
    expect(saved.status).toBe(200);
    expect(saved.json.updatedAt).not.toBeNull();
    const read = await h.call<DeskSettings>('GET', '/api/settings/support');
    expect(read.json).toMatchObject({ ackEnabled: false, templates: { ack: { subject: 'We got it', body: 'Thanks!' } } });

    const invalid = await h.call('PUT', '/api/settings/support', {
      body: { ...changed, templates: { ...changed.templates, reply: { subject: '', body: 'x' } } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.message).toContain('templates.reply.subject');
    expect((await h.call('GET', '/api/settings/nodesk')).status).toBe(404);
  });

  it('lists failed ingests', async () => {
    const key = `inbound/missing-${runId}`;
    await h.runtime.ingest.tickets.recordIngest({
      key,
      bucket: h.bucket,
      outcome: 'failed',
      reason: 'raw mail not found',
      ticketId: null,
      messageId: null,
      at: new Date().toISOString(),
      attempts: 1,
      from: null,
      subject: null,
    });
    const { json } = await h.call<{ items: IngestRecord[] }>('GET', '/api/ingest/failed');
    expect(json.items.map((r) => r.key)).toContain(key);
  });

  it('unsubscribes a participant with a signed link, without a token, and refuses a forged one', async () => {
    const bob = `bob-${randomUUID().slice(0, 8)}@example.com`;
    const { id } = await newTicket('Unsubscribe', { cc: bob });
    const sig = unsubscribeSignature(h.runtime.tokenKeys, id, bob);

    const forged = await h.call('POST', '/api/unsubscribe', {
      claims: null,
      query: { ticket: id, address: bob, sig: 'a'.repeat(26) },
    });
    expect(forged.status).toBe(400);
    const page = await h.call('POST', '/api/unsubscribe', { claims: null, query: { ticket: id, address: bob, sig } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain(`${bob} will get no more email`);

    const ticket = await h.runtime.ingest.tickets.getTicket(id);
    expect(ticket!.participants.find((p) => p.address === bob)?.unsubscribed).toBe(true);
    const reply = await h.call<TicketMessage>('POST', `/api/tickets/${id}/messages`, { body: { body: 'Hi', internal: false } });
    expect(reply.json.to.map((m) => m.address)).not.toContain(bob);
  });
});

function seedMessage(ticket: Ticket): TicketMessage {
  const message: TicketMessage = {
    id: `m${ticket.id}`,
    ticketId: ticket.id,
    direction: 'inbound',
    from: ticket.requester,
    to: [],
    cc: [],
    subject: ticket.subject,
    text: ticket.preview,
    reply: ticket.preview,
    html: null,
    bodyKey: null,
    messageId: ticket.threadMessageIds[0]!,
    threadedBy: 'new-ticket',
    classification: null,
    attachments: [],
    createdAt: ticket.createdAt,
    rawKey: null,
    author: null,
  };
  return message;
}
