// integration: a desk's intake rules applied by the real ingest handler, on DynamoDB Local and the SES stand-in
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keys } from '../../functions/contracts';
import { parseDeskConfig } from '../../functions/core/config/desk-config';
import { replayIngest } from '../../functions/core/ingest/replay-ingest';
import { plainMail, sesStoredMail } from '../support/mail';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';

const BOB = 'bob@desk.localhost';
const config = parseDeskConfig({
  domain: 'desk.localhost',
  desks: [{ id: 'support', address: 'support@desk.localhost', name: 'Support' }],
  team: [
    { email: 'ada@desk.localhost', name: 'Ada Agent' },
    { email: BOB, name: 'Bob Agent' },
    { email: 'cy@desk.localhost', name: 'Cy Agent' },
    { email: 'dee@desk.localhost', name: 'Dee Agent' },
  ],
});
let h: RuntimeHarness;

beforeAll(async () => {
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

it('assigns 30 new tickets round-robin 10/10/10 among three agents; replaying and redelivering all 30 moves nothing', async () => {
  // Arrange: a fresh runtime (settings are cached per container), a rotation among three of the four members.
  const rr = await startRuntimeHarness({ name: 'intake-rr', config, pollStream: false });
  const agents = ['ada@desk.localhost', BOB, 'cy@desk.localhost'];
  const current = await rr.call<Record<string, unknown>>('GET', '/api/settings/support');
  const outsider = await rr.call('PUT', '/api/settings/support', {
    body: { ...current.json, rules: [{ name: 'rotate', when: {}, then: { roundRobin: { agents: [BOB, 'eve@example.com'] } } }] },
  });
  expect(outsider.status).toBe(400);
  expect(outsider.json.error.message).toContain('eve@example.com is not a member of the team');
  const rules = [{ name: 'rotate', when: { subject: 'rotate' }, then: { labels: ['rr'], roundRobin: { agents } } }];
  expect((await rr.call('PUT', '/api/settings/support', { body: { ...current.json, rules } })).status).toBe(200);
  const counter = async () =>
    (await rr.documents.send(new GetCommand({ TableName: rr.tableName, Key: keys.roundRobin('support', 'rotate'), ConsistentRead: true })))
      .Item?.turns;
  const assignees = async (ids: readonly string[]) => {
    const counts: Record<string, number> = {};
    for (const ticket of (await rr.runtime.ingest.tickets.getTickets(ids)).values()) {
      counts[ticket.assignee ?? '-none-'] = (counts[ticket.assignee ?? '-none-'] ?? 0) + 1;
    }
    return counts;
  };

  // Act: 30 matching mails and one that matches no rotation.
  const keysOf: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const { key, results } = await rr.deliver(plainMail({ from: `c${i}-${rr.tableName}@customer.example`, subject: `Please rotate ${i}` }));
    keysOf.push(key);
    ids.push(results[0]!.ticketId!);
  }
  const other = await rr.receive(plainMail({ from: `x-${rr.tableName}@customer.example`, subject: 'Something else' }));
  const before = await assignees(ids);
  const turns = await counter();
  const redelivered = await Promise.all(keysOf.map((key) => rr.ingest(rr.event(key))));
  const replayed = await replayIngest(rr.runtime.ingest, { bucket: rr.bucket, selection: { kind: 'keys', keys: keysOf } });

  // Assert
  expect(new Set(ids).size).toBe(30);
  expect(before).toEqual({ 'ada@desk.localhost': 10, [BOB]: 10, 'cy@desk.localhost': 10 });
  expect(turns).toBe(30);
  expect((await rr.runtime.ingest.tickets.getTicket(other.ticketId!))!.assignee).toBeNull();
  expect(redelivered.flat().map((r) => r.outcome)).toEqual(Array(30).fill('duplicate'));
  expect(replayed.byOutcome).toEqual({ duplicate: 30 });
  expect(await assignees(ids)).toEqual(before);
  expect(await counter()).toBe(30);
  await rr.stop();
});

it("applies SES verdict conditions only to the verdicts SES wrote on top: not to failing ones, a sender's forged copy, or a forward's customer", async () => {
  // Arrange: a fresh runtime (settings are cached per container); a bad verdict is refused by field before any mail.
  const v = await startRuntimeHarness({ name: 'intake-verdicts', config, pollStream: false });
  const current = await v.call<Record<string, unknown>>('GET', '/api/settings/support');
  const save = (rules: unknown[]) => v.call('PUT', '/api/settings/support', { body: { ...current.json, rules } });
  const unknownValue = await save([{ name: 'x', when: { verdicts: { spf: 'ok' } }, then: {} }]);
  expect(unknownValue.status).toBe(400);
  expect(unknownValue.json.error.message).toMatch(/^rules\.0\.when\.verdicts\.spf: /);
  const spamFail = await save([{ name: 'x', when: { verdicts: { spam: 'FAIL' } }, then: {} }]);
  expect(spamFail.json.error.message).toContain('rules.0.when.verdicts.spam: FAIL never reaches the rules');
  const rules = [
    { name: 'signed', when: { verdicts: { dkim: 'pass', dmarc: 'pass', spam: 'PASS' } }, then: { labels: ['signed'], assignee: BOB } },
    { name: 'vip', when: { fromDomain: 'bigcorp.example' }, then: { labels: ['vip'] } },
    { name: 'unverified', when: { authenticated: false }, then: { labels: ['unverified'] } },
  ];
  expect((await save(rules)).status).toBe(200);
  const from = `ceo-${v.tableName}@bigcorp.example`;
  const mail = (subject: string, headers: string[] = []) => plainMail({ from, subject, headers });
  const passing = { spam: 'PASS', virus: 'PASS', spf: 'pass', dkim: 'pass', dmarc: 'pass' };
  const failing = { spam: 'PASS', virus: 'PASS', spf: 'fail', dkim: 'fail', dmarc: 'fail' };
  // The sender's own verdict lines, right below SES's block: a copy SES did not write.
  const forgedLines = [
    'Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass',
    'Received-SPF: pass',
    'X-SES-Spam-Verdict: PASS',
  ];
  const ada = config.team[0]!;
  const forward = plainMail({
    from: `${ada.name} <${ada.email}>`,
    subject: 'Fwd: Order 4',
    body: `Can you take this?\n\n---------- Forwarded message ---------\nFrom: CEO <${from}>\nDate: Mon, 2 Nov 2026 at 10:00\nSubject: Order 4\nTo: <${ada.email}>\n\nWhere is it?`,
  });

  // Act
  const signed = await v.deliver(sesStoredMail(mail('Order 1'), passing));
  const failed = await v.receive(sesStoredMail(mail('Order 2'), failing));
  const forged = await v.receive(sesStoredMail(mail('Order 3', forgedLines), { ...failing, spam: 'GRAY' }));
  const forwarded = await v.receive(sesStoredMail(forward, passing));
  const redelivered = await v.ingest(v.event(signed.key));

  // Assert: only SES's passing verdicts earned the rules' treatment; the rest count as not authenticated.
  const ticket = async (id: string | null | undefined) => (await v.runtime.ingest.tickets.getTicket(id!))!;
  expect(await ticket(signed.results[0]!.ticketId)).toMatchObject({ labels: ['signed', 'vip'], assignee: BOB });
  expect(await ticket(failed.ticketId)).toMatchObject({ labels: ['unverified'], assignee: null });
  expect(await ticket(forged.ticketId)).toMatchObject({ labels: ['unverified'], assignee: null });
  expect(await ticket(forwarded.ticketId)).toMatchObject({ requester: { address: from }, labels: ['unverified'], assignee: null });
  expect(redelivered.map((r) => r.outcome)).toEqual(['duplicate']);
  expect(await ticket(signed.results[0]!.ticketId)).toMatchObject({ labels: ['signed', 'vip'], assignee: BOB });
  await v.stop();
});
