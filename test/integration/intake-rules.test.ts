// integration: a desk's intake rules applied by the real ingest handler, on DynamoDB Local and the SES stand-in
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseDeskConfig } from '../../functions/core/config/desk-config';
import { plainMail } from '../support/mail';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';

const BOB = 'bob@desk.localhost';
let h: RuntimeHarness;

beforeAll(async () => {
  const config = parseDeskConfig({
    domain: 'desk.localhost',
    desks: [{ id: 'support', address: 'support@desk.localhost', name: 'Support' }],
    team: [
      { email: 'ada@desk.localhost', name: 'Ada Agent' },
      { email: BOB, name: 'Bob Agent' },
    ],
  });
  h = await startRuntimeHarness({ name: 'intake', config });
});
afterAll(async () => {
  await h.stop();
});

it('labels, assigns and prioritises a new ticket at ingest, skips its acknowledgement, and ignores an unproven From', async () => {
  // Arrange: rules saved through the API before any mail (ingest caches settings per container).
  const current = await h.call<Record<string, unknown>>('GET', '/api/settings/support');
  const refused = await h.call('PUT', '/api/settings/support', {
    body: { ...current.json, rules: [{ name: 'x', when: {}, then: { assignee: 'stranger@example.com' } }] },
  });
  expect(refused.status).toBe(400);
  expect(refused.json.error.message).toContain('stranger@example.com is not a member of the team');
  const rules = [
    {
      name: 'outage',
      when: { subject: 'outage' },
      then: { labels: ['outage'], assignee: BOB, priority: 'urgent', skipAcknowledgement: true },
    },
    { name: 'vip', when: { fromDomain: 'bigcorp.example' }, then: { labels: ['vip'] } },
  ];
  expect((await h.call('PUT', '/api/settings/support', { body: { ...current.json, rules } })).status).toBe(200);
  const from = `ceo-${h.tableName}@bigcorp.example`;

  // Act
  const result = await h.receive(plainMail({ from, subject: 'Total outage since 9:00', body: 'Nothing works.' }));
  const plain = await h.receive(plainMail({ from: `other-${h.tableName}@customer.example`, subject: 'A question' }));
  await h.settled();

  // Assert: the first rule acted; the sender rule did not (no SES verdicts locally: the From line is unproven).
  const ticket = (await h.runtime.ingest.tickets.getTicket(result.ticketId!))!;
  expect(ticket).toMatchObject({ labels: ['outage'], assignee: BOB, priority: 'urgent' });
  expect(h.sent.filter((m) => m.to === from)).toHaveLength(0);
  expect(h.sent.filter((m) => m.to === BOB && m.raw.includes(`agents.${ticket.id}@`))).toHaveLength(1);
  expect(await h.runtime.ingest.tickets.getTicket(plain.ticketId!)).toMatchObject({ labels: [], assignee: null, priority: 'normal' });
});
