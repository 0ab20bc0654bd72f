// integration: the notify function on DynamoDB Local's real stream, sending through the SES stand-in
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SNSEvent } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryToItem, messageToItem } from '../../functions/adapters/dynamo-items';
import { keys } from '../../functions/contracts';
import { newId, normalizeMessageId } from '../../functions/core/ids';
import type { Delivery } from '../../functions/core/notify/notify-ports';
import { sesHeaderMessageId } from '../../functions/core/notify/ses-message-id';
import { verifyUnsubscribe } from '../../functions/core/notify/unsubscribe';
import type { NewDelivery } from '../../functions/core/ports';
import { verifyReplyToken } from '../../functions/core/threading/reply-token';
import type { Ticket } from '../../functions/core/types';
import { LOCAL_REGION } from '../../bin/local/aws-clients';
import { parseDeskConfig } from '../../functions/core/config/desk-config';
import { plainMail } from '../support/mail';
import { countCommands, startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';
import { TEST_TOKEN_KEYS } from '../support/secret';

const config = parseDeskConfig({
  domain: 'desk.localhost',
  desks: [{ id: 'support', address: 'support@desk.localhost', name: 'Acme Support' }],
  team: [{ email: 'ada@desk.localhost', name: 'Ada Agent' }],
  ackLimitPerDay: 3,
  relayLimitPerDay: 2,
  dashboardUrl: 'http://localhost:3000',
});

let h: RuntimeHarness;
let n = 0;
/** A fresh customer address per test: the SES outbox is shared by every test file. */
const customer = (name: string) => `${name}-${h.tableName}-${++n}@customer.example`;

beforeAll(async () => {
  h = await startRuntimeHarness({ name: 'notify', config });
});
afterAll(async () => {
  await h.stop();
});

async function deliveriesOf(ticketId: string): Promise<Delivery[]> {
  const { Items = [] } = await h.documents.send(
    new QueryCommand({
      TableName: h.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :out)',
      ExpressionAttributeValues: { ':pk': `TICKET#${ticketId}`, ':out': 'OUT#' },
      ConsistentRead: true,
    }),
  );
  return Items as Delivery[];
}

async function newTicket(from: string, extra: { cc?: string; subject?: string } = {}): Promise<Ticket> {
  const result = await h.receive(
    plainMail({
      from,
      cc: extra.cc,
      subject: extra.subject ?? 'Printer on fire',
      body: 'It smokes.',
      messageId: `<${newId()}@customer.example>`,
    }),
  );
  expect(result.outcome).toBe('ticket-created');
  return (await h.runtime.ingest.tickets.getTicket(result.ticketId!))!;
}

/** What the API writes for a public agent reply (or ingest for a relayed one): one delivery per recipient. */
async function agentReply(
  ticket: Ticket,
  body: string,
  recipients = ticket.participants,
  kind: 'reply' | 'relay' = 'reply',
): Promise<NewDelivery[]> {
  const deliveries = recipients.map((p): NewDelivery => ({
    id: newId(),
    kind,
    ticketId: ticket.id,
    deskId: ticket.deskId,
    recipient: { address: p.address, name: p.name },
    messageItemId: newId(),
    content: {
      ticketNumber: ticket.number,
      subject: ticket.subject,
      body,
      authorName: 'Ada Agent',
      inReplyTo: ticket.threadMessageIds.at(-1) ?? null,
      references: ticket.threadMessageIds,
      attachments: [],
    },
    createdAt: new Date().toISOString(),
  }));
  for (const delivery of deliveries) await h.documents.send(new PutCommand({ TableName: h.tableName, Item: deliveryToItem(delivery) }));
  return deliveries;
}

describe('notify on the table stream', () => {
  it('sends exactly one acknowledgement for a new ticket, threaded to the customer mail', async () => {
    // Arrange
    const ann = customer('ann');

    // Act
    const ticket = await newTicket(`Ann <${ann}>`);
    await h.settled();

    // Assert
    const outbox = await h.outboxFor(ann);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.subject).toBe(`Re: Printer on fire [#${ticket.number}]`);
    expect(outbox[0]!.body.text).toContain(`ticket #${ticket.number}`);
    const [delivery] = await deliveriesOf(ticket.id);
    expect(delivery).toMatchObject({ kind: 'ack', status: 'sent', attempts: 1, sesMessageId: outbox[0]!.messageId });
    const { raw } = h.sent.find((sent) => sent.raw.includes(ann))!;
    const mail = await simpleParser(raw);
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.headers.get('x-auto-response-suppress')).toBe('All');
    expect(mail.inReplyTo).toBe(ticket.threadMessageIds[0]);
    const token = /^support\+([^@]+)@desk\.localhost$/.exec(mail.replyTo?.value[0]?.address ?? '')?.[1] ?? '';
    expect(verifyReplyToken(TEST_TOKEN_KEYS, token)).toBe(ticket.id);
  });

  it('stores the SES Message-ID and our own so replies find the ticket', async () => {
    const ticket = await newTicket(customer('ids'));
    await h.settled();

    const [delivery] = await deliveriesOf(ticket.id);
    for (const id of [sesHeaderMessageId(delivery!.sesMessageId!, LOCAL_REGION), `<${delivery!.id}@desk.localhost>`]) {
      const { Item } = await h.documents.send(new GetCommand({ TableName: h.tableName, Key: keys.messageId(normalizeMessageId(id)) }));
      expect(Item).toMatchObject({ ticketId: ticket.id, deliveryId: delivery!.id });
    }
  });

  it('sends an agent reply to the requester and to each Cc participant, with an unsubscribe link', async () => {
    // Arrange
    const [ann, bob, cat] = [customer('ann'), customer('bob'), customer('cat')];
    const ticket = await newTicket(ann, { cc: `Bob <${bob}>, ${cat}` });
    expect(ticket.participants.map((p) => p.address)).toEqual([ann, bob, cat]);

    // Act
    await agentReply(ticket, 'Please **unplug** it.');
    await h.settled();

    // Assert
    for (const address of [bob, cat]) {
      const outbox = await h.outboxFor(address);
      expect(outbox).toHaveLength(1);
      expect(outbox[0]!.from).toBe('"Ada Agent via Acme Support" <support@desk.localhost>');
      expect(outbox[0]!.body.html).toContain('<strong>unplug</strong>');
    }
    expect((await h.outboxFor(ann)).map((m) => m.body.text?.includes('unplug'))).toEqual([false, true]);
    const { raw } = h.sent.filter((sent) => sent.raw.includes(bob)).at(-1)!;
    const mail = await simpleParser(raw);
    const unsubscribe = new URL(
      /<([^>]+)>/.exec(mail.headerLines.find((l) => l.key === 'list-unsubscribe')!.line.replace(/\r\n\s+/g, ''))![1]!,
    );
    expect(unsubscribe.pathname).toBe('/api/unsubscribe');
    expect(verifyUnsubscribe(TEST_TOKEN_KEYS, unsubscribe.searchParams.get('ticket')!, bob, unsubscribe.searchParams.get('sig')!)).toBe(
      true,
    );
    expect(mail.headers.has('auto-submitted')).toBe(false);
    expect([mail.references].flat()).toEqual(ticket.threadMessageIds);
  });

  it('sends nothing for an internal note', async () => {
    const ann = customer('ann');
    const ticket = await newTicket(ann);
    await h.settled();
    const before = h.sent.length;

    await h.documents.send(
      new PutCommand({
        TableName: h.tableName,
        Item: messageToItem({
          id: newId(),
          ticketId: ticket.id,
          direction: 'note',
          from: { address: 'ada@desk.localhost', name: 'Ada Agent' },
          to: [],
          cc: [],
          subject: ticket.subject,
          text: 'internal: customer is grumpy',
          reply: 'internal: customer is grumpy',
          html: null,
          bodyKey: null,
          messageId: `<${newId()}@desk.localhost>`,
          threadedBy: 'agent',
          classification: null,
          attachments: [],
          createdAt: new Date().toISOString(),
          rawKey: null,
          author: 'ada@desk.localhost',
        }),
      }),
    );
    await h.settled();

    expect(h.sent.length).toBe(before);
    expect(await h.outboxFor(ann)).toHaveLength(1);
  });

  it('sends nothing new when the same stream batches are delivered again', async () => {
    // Arrange
    const ann = customer('ann');
    await newTicket(ann);
    await h.settled();
    const before = h.sent.length;

    // Act: every batch so far, again, as Lambda does after a failed invocation.
    for (const event of [...h.events]) await h.notify(event);

    // Assert
    expect(h.sent.length).toBe(before);
    expect(await h.outboxFor(ann)).toHaveLength(1);
  });

  it('gives an auto-reply no acknowledgement', async () => {
    const robot = customer('robot');

    const result = await h.receive(
      plainMail({
        from: robot,
        subject: 'Out of office',
        body: 'I am away.',
        messageId: `<${newId()}@customer.example>`,
        headers: ['Auto-Submitted: auto-replied'],
      }),
    );
    await h.settled();

    expect(result.outcome).toBe('ignored');
    expect(await h.outboxFor(robot)).toHaveLength(0);
  });

  it('stops at the daily acknowledgement limit and records why', async () => {
    const loop = customer('loop');

    const tickets: Ticket[] = [];
    for (let i = 0; i < 4; i += 1) tickets.push(await newTicket(loop, { subject: `Loop ${i}` }));
    await h.settled();

    expect(await h.outboxFor(loop)).toHaveLength(3);
    const last = await deliveriesOf(tickets[3]!.id);
    expect(last[0]).toMatchObject({ status: 'suppressed', lastError: 'rate-limited' });
  });

  it('stops relays to one address at the daily relay limit, counted apart from acknowledgements; answers are never limited', async () => {
    const ann = customer('relayed');
    const ticket = await newTicket(ann, { subject: 'Relay loop' });
    await h.settled();

    const relays: NewDelivery[] = [];
    for (let i = 0; i < 3; i += 1) relays.push(...(await agentReply(ticket, `Relayed ${i}`, ticket.participants, 'relay')));
    await h.settled();
    await agentReply(ticket, 'An agent answers.');
    await h.settled();

    const byId = new Map((await deliveriesOf(ticket.id)).map((d) => [d.id, d]));
    expect(relays.map((r) => byId.get(r.id)!.status).sort()).toEqual(['sent', 'sent', 'suppressed']);
    expect(relays.map((r) => byId.get(r.id)!).find((d) => d.status === 'suppressed')).toMatchObject({ lastError: 'rate-limited' });
    // The acknowledgement, two relays and the answer: the relay counter did not take from the acknowledgement's.
    expect(await h.outboxFor(ann)).toHaveLength(4);
  });

  it('marks an address undeliverable from an SES bounce and sends it nothing more', async () => {
    // Arrange: a sent reply that SES reports as a permanent bounce.
    const gone = customer('gone');
    const ticket = await newTicket(gone);
    await h.settled();
    const [ack] = await deliveriesOf(ticket.id);
    const notification = {
      notificationType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: gone, status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      },
      mail: { messageId: ack!.sesMessageId! },
    };

    // Act
    await h.bounces({ Records: [{ Sns: { Message: JSON.stringify(notification), MessageId: 'sns-1' } }] } as unknown as SNSEvent);
    await agentReply(ticket, 'Are you there?');
    await h.settled();

    // Assert
    const { Item: address } = await h.documents.send(new GetCommand({ TableName: h.tableName, Key: keys.address(gone) }));
    expect(address).toMatchObject({ state: 'undeliverable', reason: 'Permanent bounce (General): 5.1.1: smtp; 550 5.1.1 user unknown' });
    const deliveries = await deliveriesOf(ticket.id);
    expect(deliveries.find((d) => d.kind === 'ack')).toMatchObject({ status: 'bounced' });
    expect(deliveries.find((d) => d.kind === 'reply')).toMatchObject({ status: 'suppressed', lastError: 'undeliverable' });
    expect(await h.outboxFor(gone)).toHaveLength(1);
  });

  it('only counts a transient bounce, by SES notification or by mail: the address stays deliverable, the delivery sent', async () => {
    // Arrange: two customers whose acknowledgements went out.
    const [slow, full] = [customer('slow'), customer('full')];
    const [bySes, byMail] = [await newTicket(slow), await newTicket(full)];
    await h.settled();
    const [sesAck] = await deliveriesOf(bySes.id);
    const [mailAck] = await deliveriesOf(byMail.id);
    const notification = {
      notificationType: 'Bounce',
      mail: { messageId: sesAck!.sesMessageId },
      bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: slow, status: '4.2.2' }] },
    };
    const delayed = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
      'To: support@desk.localhost',
      'Subject: Delivery Status Notification (Delay)',
      `Message-ID: <${newId()}@mx.customer.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      `Delivery to ${full} has been delayed; we will keep trying.`,
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.example',
      '',
      `Final-Recipient: rfc822; ${full}`,
      'Action: delayed',
      'Status: 4.2.2',
      'Diagnostic-Code: smtp; 452 4.2.2 mailbox full',
      '',
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${mailAck!.id}@${h.config.domain}>`,
      'Subject: Re: Printer on fire [#1]',
      '--b--',
      '',
    ].join('\r\n');

    // Act
    await h.bounces({ Records: [{ Sns: { Message: JSON.stringify(notification), MessageId: 'sns-transient' } }] } as unknown as SNSEvent);
    const result = await h.receive(delayed);

    // Assert: both counted, neither address undeliverable, both deliveries still sent.
    expect(result.outcome).toBe('bounce');
    for (const address of [slow, full]) {
      const { Item } = await h.documents.send(new GetCommand({ TableName: h.tableName, Key: keys.address(address) }));
      expect(Item, address).toMatchObject({ transientBounces: 1 });
      expect(Item?.state, address).toBeUndefined();
    }
    expect((await deliveriesOf(bySes.id))[0]).toMatchObject({ status: 'sent' });
    expect((await deliveriesOf(byMail.id))[0]).toMatchObject({ status: 'sent' });
  });

  it('sends nothing more to a participant who unsubscribed from the ticket', async () => {
    const [ann, bob] = [customer('ann'), customer('bob')];
    const ticket = await newTicket(ann, { cc: bob });
    await h.settled();

    await h.runtime.notify.deliveries.unsubscribeParticipant(ticket.id, bob.toUpperCase());
    await agentReply(ticket, 'Update for everyone');
    await h.settled();

    expect(await h.outboxFor(bob)).toHaveLength(0);
    expect(await h.outboxFor(ann)).toHaveLength(2);
    const reply = (await deliveriesOf(ticket.id)).find((d) => d.kind === 'reply' && d.recipient.address === bob);
    expect(reply).toMatchObject({ status: 'suppressed', lastError: 'unsubscribed' });
    expect((await h.runtime.ingest.tickets.getTicket(ticket.id))!.participants.find((p) => p.address === bob)?.unsubscribed).toBe(true);
  });

  it('threads the customer reply to our email into the same ticket', async () => {
    // Arrange
    const ann = customer('ann');
    const ticket = await newTicket(ann);
    await agentReply(ticket, 'Try turning it off.', [ticket.participants[0]!]);
    await h.settled();
    const reply = (await deliveriesOf(ticket.id)).find((d) => d.kind === 'reply')!;
    const [, ours] = await h.outboxFor(ann);

    // Act: their client answers to Reply-To, quoting SES's Message-ID.
    const byToken = await h.receive(
      plainMail({
        from: ann,
        to: ours!.replyTo[0]!,
        subject: ours!.subject,
        body: 'Did that, still smoking.',
        messageId: `<${newId()}@customer.example>`,
        inReplyTo: sesHeaderMessageId(reply.sesMessageId!, LOCAL_REGION),
      }),
    );
    // …and once more to the plain desk address, so only the Message-ID can thread it.
    const byMessageId = await h.receive(
      plainMail({
        from: ann,
        subject: 'a new subject',
        body: 'And another thing.',
        messageId: `<${newId()}@customer.example>`,
        inReplyTo: `<${reply.sesMessageId}@email.amazonses.com>`,
      }),
    );

    // Assert
    expect(byToken).toMatchObject({ outcome: 'reply-added', ticketId: ticket.id, reason: 'threaded by reply-token' });
    expect(byMessageId).toMatchObject({ outcome: 'reply-added', ticketId: ticket.id, reason: 'threaded by message-id' });
  });

  it('costs two DynamoDB requests per sent email', async () => {
    // Arrange: settings are already cached by the sends above.
    const ann = customer('ann');
    const ticket = await newTicket(ann);
    await h.settled();
    const counter = countCommands(h.runtime.documents);

    // Act
    await agentReply(ticket, 'Counted.', [ticket.participants[0]!]);
    await h.settled();

    // Assert
    expect(Object.fromEntries(counter.counts)).toEqual({ TransactWriteItemsCommand: 2 });
  });
});
