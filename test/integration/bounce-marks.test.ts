// integration: a bounce for good or a complaint that comes back after SES accepted our mail marks its ticket once (by SES
// notification or by mail, redelivered or not), tells the assignee and the webhook once, and a retry takes the mark off;
// a transient bounce marks nothing, and a forged report marks no ticket it names
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, LOCAL_REGION } from '../../bin/local/aws-clients';
import { createBouncesHandler } from '../../functions/bounces/create-handler';
import { createBouncesDeps } from '../../functions/bounces/deps';
import { keys } from '../../functions/contracts';
import { parseDeskConfig } from '../../functions/core/config/desk-config';
import { newId } from '../../functions/core/ids';
import type { Delivery } from '../../functions/core/notify/notify-ports';
import type { WebhookEvent } from '../../functions/core/workflow/webhook-events';
import { deliveryStatusReport, feedbackReport, header, plainMail, sesStoredMail } from '../support/mail';
import { countCommands, sentMessageId, startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';
import { uniqueCustomer } from '../support/shared-desk';

const ADA = 'ada@desk.localhost';
const DESK = 'support@desk.localhost';

interface TicketJson {
  id: string;
  number: number;
  failedDeliveries?: string[];
  deliveries: { id: string; kind: string; status: string; lastError: string | null }[];
}
type Listed = { items: { id: string; failedDeliveries?: string[] }[] };

let h: RuntimeHarness;
let hooks: { server: Server; received: WebhookEvent[] };

/** A webhook receiver that keeps every event it is sent. */
function startReceiver(): Promise<{ server: Server; url: string; received: WebhookEvent[] }> {
  const received: WebhookEvent[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookEvent);
      response.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received }),
    ),
  );
}

beforeAll(async () => {
  const receiver = await startReceiver();
  hooks = receiver;
  const config = parseDeskConfig({
    domain: 'desk.localhost',
    desks: [{ id: 'support', address: DESK, name: 'Acme Support' }],
    team: [{ email: ADA, name: 'Ada Agent' }],
    webhooks: [{ url: receiver.url, secret: 'whsec-test-0123456789', events: ['delivery.failed'] }],
  });
  h = await startRuntimeHarness({ name: 'bouncemarks', config });
});
afterAll(async () => {
  await h.stop();
  await new Promise((resolve) => hooks.server.close(resolve));
});

/** A ticket of `customer` assigned to Ada, its acknowledgement sent; with the acknowledgement's delivery item. */
async function answeredTicket(customer: string) {
  const messageId = `<${newId()}@customer.example>`;
  const opened = await h.receive(plainMail({ from: customer, subject: `Printer on fire ${customer}`, body: 'It smokes.', messageId }));
  expect(opened.outcome).toBe('ticket-created');
  const ticketId = opened.ticketId!;
  expect((await h.call('PATCH', `/api/tickets/${ticketId}`, { body: { assignee: ADA } })).status).toBe(200);
  await h.settled();
  const ack = (await deliveries(ticketId)).find((d) => d.kind === 'ack')!;
  expect(ack).toMatchObject({ status: 'sent' });
  return { ticketId, ack, messageId };
}

async function deliveries(ticketId: string): Promise<Delivery[]> {
  return (await h.items()).filter((i) => i.pk === `TICKET#${ticketId}` && String(i.sk).startsWith('OUT#')) as unknown as Delivery[];
}

const ticketOf = async (id: string) => (await h.call<TicketJson>('GET', `/api/tickets/${id}`)).json;
const failedList = async () => (await h.call<Listed>('GET', '/api/tickets', { query: { delivery: 'failed' } })).json.items.map((t) => t.id);
/** The team's "could not be delivered" notices about a ticket, as stored (each one email). */
const failureNotices = async (ticketId: string) =>
  (await deliveries(ticketId)).filter((d) => d.kind === 'agent-notice' && /could not be delivered/.test(d.content.body));
const failureEvents = (ticketId: string) => hooks.received.filter((e) => e.type === 'delivery.failed' && e.ticket.id === ticketId);
const addressItem = async (address: string) => (await h.items()).find((i) => i.pk === keys.address(address).pk) ?? null;

function snsEvent(notification: object, snsId: string): SNSEvent {
  return { Records: [{ Sns: { Message: JSON.stringify(notification), MessageId: snsId } }] } as unknown as SNSEvent;
}
const permanentBounce = (ack: Delivery, address: string) => ({
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [{ emailAddress: address, status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
  },
  mail: { messageId: ack.sesMessageId },
});

/** Hands notify every stream batch it saw about the ticket once more, as Lambda may. */
async function redeliverStream(ticketId: string): Promise<void> {
  for (const batch of h.events.filter((e) => JSON.stringify(e).includes(ticketId))) await h.notify(batch);
  await h.settled();
}

describe('a late bounce or complaint marks the ticket', () => {
  it('marks the ticket once for a permanent SES bounce delivered twice, tells the assignee and the webhook once', async () => {
    // Arrange
    const ann = uniqueCustomer('ann');
    const { ticketId, ack } = await answeredTicket(ann);
    expect(await failedList()).not.toContain(ticketId);

    // The bounces function over a client of its own, to count what each notification costs.
    const documents = createDocumentClient(inject('dynamoEndpoint'));
    const requests = countCommands(documents);
    const bounces = createBouncesHandler(async () =>
      createBouncesDeps({ documents, tableName: h.tableName, region: LOCAL_REGION, log: h.log }),
    );

    // Act: SNS delivers the notification twice, and Lambda the stream records it caused.
    await bounces(snsEvent(permanentBounce(ack, ann), 'sns-a1'));
    const first = Object.fromEntries(requests.counts);
    requests.reset();
    await h.settled();
    await bounces(snsEvent(permanentBounce(ack, ann), 'sns-a2'));
    const second = Object.fromEntries(requests.counts);
    await h.settled();
    await redeliverStream(ticketId);

    // Assert
    const ticket = await ticketOf(ticketId);
    expect(ticket.failedDeliveries).toEqual([ack.id]);
    expect(ticket.deliveries.find((d) => d.id === ack.id)).toMatchObject({ status: 'bounced', lastError: 'Permanent bounce (General)' });
    expect(await failedList()).toContain(ticketId);
    const notices = await failureNotices(ticketId);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ recipient: { address: ADA }, status: 'sent' });
    expect(failureEvents(ticketId)).toHaveLength(1);
    expect(failureEvents(ticketId)[0]!.delivery).toEqual({
      id: ack.id,
      recipient: ann,
      status: 'bounced',
      error: 'Permanent bounce (General)',
    });
    // The second copy wrote nothing at all: the address counted one bounce. Reads: the Message-ID item and the delivery.
    expect(await addressItem(ann)).toMatchObject({ state: 'undeliverable', bounces: 1 });
    expect(first).toEqual({ GetItemCommand: 2, TransactWriteItemsCommand: 1 });
    expect(second).toEqual({ GetItemCommand: 2 });
  });

  it('marks the ticket once for a bounce by mail matched to our email, redelivered, stored twice and reported twice', async () => {
    // Arrange
    const bob = uniqueCustomer('bob');
    const { ticketId, ack } = await answeredTicket(bob);
    const returned = h.sent.find((s) => s.to === bob)!.raw;
    const dsn = sesStoredMail(deliveryStatusReport({ failed: [bob], original: returned, from: 'MAILER-DAEMON@mx.customer.example' }));

    // Act: the DSN, its S3 event again, the same mail under a second key, and a second MTA's DSN about the same email.
    const first = await h.deliver(dsn);
    await h.ingest(h.event(first.key));
    const copy = await h.receive(dsn);
    const second = await h.receive(sesStoredMail(deliveryStatusReport({ failed: [bob], original: returned })));
    await h.settled();
    await redeliverStream(ticketId);

    // Assert
    expect(first.results[0]).toMatchObject({ outcome: 'bounce', ticketId });
    expect(copy.outcome).toBe('duplicate');
    expect(second).toMatchObject({ outcome: 'bounce', ticketId });
    const ticket = await ticketOf(ticketId);
    expect(ticket.failedDeliveries).toEqual([ack.id]);
    expect(ticket.deliveries.find((d) => d.id === ack.id)).toMatchObject({ status: 'bounced' });
    expect(await failedList()).toContain(ticketId);
    expect(await failureNotices(ticketId)).toHaveLength(1);
    expect(failureEvents(ticketId)).toHaveLength(1);
  });

  it('marks nothing for a transient bounce, by SES notification or by mail', async () => {
    const [slow, full] = [uniqueCustomer('slow'), uniqueCustomer('full')];
    const bySes = await answeredTicket(slow);
    const byMail = await answeredTicket(full);
    const transient = {
      notificationType: 'Bounce',
      bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: slow, status: '4.2.2' }] },
      mail: { messageId: bySes.ack.sesMessageId },
    };
    const delayed = deliveryStatusReport({ failed: [full], original: h.sent.find((s) => s.to === full)!.raw })
      .replace('Action: failed', 'Action: delayed')
      .replace('Status: 5.1.1', 'Status: 4.2.2')
      .replace('550 5.1.1', '452 4.2.2');

    await h.bounces(snsEvent(transient, 'sns-transient'));
    const result = await h.receive(delayed);
    await h.settled();

    expect(result.outcome).toBe('bounce');
    for (const { ticketId, ack } of [bySes, byMail]) {
      const ticket = await ticketOf(ticketId);
      expect(ticket.failedDeliveries, ticketId).toBeUndefined();
      expect(
        ticket.deliveries.find((d) => d.id === ack.id),
        ticketId,
      ).toMatchObject({ status: 'sent' });
      expect(await failedList()).not.toContain(ticketId);
      expect(await failureNotices(ticketId)).toEqual([]);
      expect(failureEvents(ticketId)).toEqual([]);
    }
  });

  it('takes the mark off when an agent clears the address and retries, and the mail goes out', async () => {
    // Arrange: a bounced acknowledgement.
    const cy = uniqueCustomer('cy');
    const { ticketId, ack } = await answeredTicket(cy);
    await h.bounces(snsEvent(permanentBounce(ack, cy), 'sns-c1'));
    await h.settled();
    expect((await ticketOf(ticketId)).failedDeliveries).toEqual([ack.id]);

    // Act
    const cleared = await h.call('POST', `/api/tickets/${ticketId}/addresses/${encodeURIComponent(cy)}/clear`, {
      body: { reason: 'Cy fixed the mailbox' },
    });
    const retried = await h.call('POST', `/api/tickets/${ticketId}/deliveries/${ack.id}/retry`);
    await h.settled();

    // Assert
    expect(cleared.status).toBe(200);
    expect(retried.status).toBe(200);
    const ticket = await ticketOf(ticketId);
    expect(ticket.failedDeliveries).toBeUndefined();
    expect(ticket.deliveries.find((d) => d.id === ack.id)).toMatchObject({ status: 'sent' });
    expect(await failedList()).not.toContain(ticketId);
    expect(await h.outboxFor(cy)).toHaveLength(2);
    // The bounce of the first send, delivered late once more, says nothing about the second.
    await h.bounces(snsEvent(permanentBounce(ack, cy), 'sns-c2'));
    await h.settled();
    expect((await ticketOf(ticketId)).failedDeliveries).toBeUndefined();
    expect((await deliveries(ticketId)).find((d) => d.id === ack.id)).toMatchObject({ status: 'sent' });
  });

  it('lets an agent retry an answer held back for an undeliverable address: suppressed again until the address is cleared', async () => {
    // Arrange: Dee's address bounced for good, then Ada answers: the answer is suppressed and marks the ticket.
    const dee = uniqueCustomer('dee');
    const { ticketId, ack } = await answeredTicket(dee);
    await h.bounces(snsEvent(permanentBounce(ack, dee), 'sns-d1'));
    await h.settled();
    expect((await h.call('POST', `/api/tickets/${ticketId}/messages`, { body: { body: 'Fixed it.', internal: false } })).status).toBe(201);
    await h.settled();
    const answer = (await deliveries(ticketId)).find((d) => d.kind === 'reply')!;
    expect(answer).toMatchObject({ status: 'suppressed', lastError: 'undeliverable' });
    expect((await ticketOf(ticketId)).failedDeliveries).toEqual(expect.arrayContaining([answer.id]));

    // Act: a retry before the address is cleared, then one after.
    const early = await h.call('POST', `/api/tickets/${ticketId}/deliveries/${answer.id}/retry`);
    await h.settled();
    const stillHeld = (await deliveries(ticketId)).find((d) => d.id === answer.id);
    const markedAgain = (await ticketOf(ticketId)).failedDeliveries;
    await h.call('POST', `/api/tickets/${ticketId}/addresses/${encodeURIComponent(dee)}/clear`, {
      body: { reason: 'Dee has a new mailbox' },
    });
    const late = await h.call('POST', `/api/tickets/${ticketId}/deliveries/${answer.id}/retry`);
    await h.settled();

    // Assert
    expect(early.status).toBe(200);
    expect(stillHeld).toMatchObject({ status: 'suppressed', lastError: 'undeliverable' });
    expect(markedAgain).toEqual(expect.arrayContaining([answer.id]));
    expect(late.status).toBe(200);
    expect((await deliveries(ticketId)).find((d) => d.id === answer.id)).toMatchObject({ status: 'sent' });
    expect((await ticketOf(ticketId)).failedDeliveries ?? []).not.toContain(answer.id);
    expect((await h.outboxFor(dee)).map((m) => m.body.text)).toEqual(expect.arrayContaining([expect.stringContaining('Fixed it.')]));
  });

  it('marks the ticket for a complaint, ends the delivery complained, and tells nobody it failed (it arrived)', async () => {
    const dee = uniqueCustomer('dee');
    const { ticketId, ack } = await answeredTicket(dee);
    const complaint = {
      notificationType: 'Complaint',
      complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: dee }] },
      mail: { messageId: ack.sesMessageId },
    };

    await h.bounces(snsEvent(complaint, 'sns-d1'));
    await h.bounces(snsEvent(complaint, 'sns-d2'));
    await h.settled();

    const ticket = await ticketOf(ticketId);
    expect(ticket.failedDeliveries).toEqual([ack.id]);
    expect(ticket.deliveries.find((d) => d.id === ack.id)).toMatchObject({ status: 'complained', lastError: 'complaint (abuse)' });
    expect(await failedList()).toContain(ticketId);
    expect(await addressItem(dee)).toMatchObject({ state: 'complained', bounces: 1 });
    expect(await failureNotices(ticketId)).toEqual([]);
    expect(failureEvents(ticketId)).toEqual([]);
  });
  it('marks the ticket once for an ARF complaint by mail that returns our email, delivered twice', async () => {
    const eli = uniqueCustomer('eli');
    const { ticketId, ack } = await answeredTicket(eli);
    const arf = feedbackReport({ failed: [eli], original: h.sent.find((s) => s.to === eli)!.raw });

    const first = await h.deliver(arf);
    await h.ingest(h.event(first.key));
    await h.settled();

    expect(first.results[0]).toMatchObject({ outcome: 'complaint', ticketId });
    const ticket = await ticketOf(ticketId);
    expect(ticket.failedDeliveries).toEqual([ack.id]);
    expect(ticket.deliveries.find((d) => d.id === ack.id)).toMatchObject({ status: 'complained' });
    expect(await failedList()).toContain(ticketId);
    expect(await addressItem(eli)).toMatchObject({ state: 'complained', bounces: 1 });
    expect(await failureNotices(ticketId)).toEqual([]);
  });
});

describe('a forged report marks no ticket', () => {
  it('marks nothing for a DSN naming a ticket by token, tag and its customer’s Message-ID, without an email of ours', async () => {
    // Arrange: Eve knows everything about Fay's ticket a customer can see, except an email the desk sent elsewhere.
    const fay = uniqueCustomer('fay');
    const { ticketId, ack, messageId } = await answeredTicket(fay);
    const { number } = await ticketOf(ticketId);
    const ackRaw = h.sent.find((s) => s.to === fay)!.raw;
    const replyTo = header(ackRaw, 'Reply-To')!;
    const fakeOriginal = plainMail({ from: DESK, to: fay, subject: `Re: Printer on fire [#${number}]`, messageId });
    const forged = deliveryStatusReport({ failed: [fay], original: fakeOriginal, to: replyTo, from: 'MAILER-DAEMON@evil.example' })
      .replace(
        'Subject: Undelivered Mail Returned to Sender',
        `Subject: Undelivered Mail Returned to Sender [#${number}]\r\nIn-Reply-To: ${messageId}`,
      )
      .replace(/^Message-ID: .*$/m, `Message-ID: <${newId()}@evil.example>\r\nReferences: ${messageId} <${newId()}@${h.config.domain}>`);

    // Act
    const result = await h.receive(sesStoredMail(forged));
    await h.settled();

    // Assert
    expect(result.outcome).toBe('ignored');
    expect(result.reason).toMatch(/^bounce not acted on: it refers to no email the desk sent/);
    const ticket = await ticketOf(ticketId);
    expect(ticket.failedDeliveries).toBeUndefined();
    expect(ticket.deliveries.find((d) => d.id === ack.id)).toMatchObject({ status: 'sent' });
    expect(await failedList()).not.toContain(ticketId);
    expect(await addressItem(fay)).toBeNull();
    expect(await failureNotices(ticketId)).toEqual([]);
  });

  it('marks only the ticket of the email a DSN returns, never the one its tag and token name, and nobody it names besides', async () => {
    // Arrange: Gil's DSN really returns our email to Gil, but its subject tag and token name Hal's ticket, and it names Hal.
    const [gil, hal] = [uniqueCustomer('gil'), uniqueCustomer('hal')];
    const gils = await answeredTicket(gil);
    const hals = await answeredTicket(hal);
    const halNumber = (await ticketOf(hals.ticketId)).number;
    const halToken = header(h.sent.find((s) => s.to === hal)!.raw, 'Reply-To')!;
    const returned = h.sent.find((s) => s.to === gil)!.raw;
    expect(sentMessageId(returned)).toBe(`<${gils.ack.id}@${h.config.domain}>`);
    const dsn = deliveryStatusReport({ failed: [gil, hal], original: returned, to: halToken }).replace(
      'Subject: Undelivered Mail Returned to Sender',
      `Subject: Undelivered Mail Returned to Sender [#${halNumber}]`,
    );

    // Act
    const result = await h.receive(sesStoredMail(dsn));
    await h.settled();

    // Assert
    expect(result).toMatchObject({ outcome: 'bounce', ticketId: gils.ticketId });
    expect((await ticketOf(gils.ticketId)).failedDeliveries).toEqual([gils.ack.id]);
    expect((await ticketOf(hals.ticketId)).failedDeliveries).toBeUndefined();
    expect(await failedList()).not.toContain(hals.ticketId);
    expect(await addressItem(hal)).toBeNull();
    expect(await failureNotices(hals.ticketId)).toEqual([]);
  });
});
