// integration: team notifications and webhooks from the table's real stream, on DynamoDB Local and the SES stand-in
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeskConfig } from '../../functions/core/config/desk-config';
import { newId } from '../../functions/core/ids';
import type { Ticket, TicketMessage } from '../../functions/core/types';
import { verifyWebhookSignature } from '../../functions/core/workflow/webhook-signature';
import type { WebhookEvent } from '../../functions/core/workflow/webhook-events';
import { plainMail, sesStoredMail } from '../support/mail';
import { startRuntimeHarness, type RuntimeHarness } from '../support/runtime-harness';

const SECRET = 'whsec-test-0123456789';
const ADA = 'ada@desk.localhost';
const BOB = 'bob@desk.localhost';

interface Received {
  readonly body: string;
  readonly event: WebhookEvent;
  readonly signature: string | undefined;
  readonly status: number;
}

/** A local webhook receiver: answers 500 to the next `failures.get(subject)` POSTs about a ticket with that subject. */
function startReceiver(): Promise<{ server: Server; url: string; received: Received[]; failures: Map<string, number> }> {
  const received: Received[] = [];
  const failures = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const event = JSON.parse(body) as WebhookEvent;
      const left = failures.get(event.ticket.subject) ?? 0;
      if (left > 0) failures.set(event.ticket.subject, left - 1);
      const status = left > 0 ? 500 : 204;
      received.push({ body, event, signature: request.headers['x-sesdesk-signature'] as string | undefined, status });
      response.writeHead(status).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/hook`, received, failures });
    }),
  );
}

let h: RuntimeHarness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let n = 0;
const customer = () => `cust-${h.tableName}-${++n}@customer.example`;

beforeAll(async () => {
  receiver = await startReceiver();
  const config = parseDeskConfig({
    domain: 'desk.localhost',
    desks: [{ id: 'support', address: 'support@desk.localhost', name: 'Acme Support' }],
    team: [
      { email: ADA, name: 'Ada Agent' },
      { email: BOB, name: 'Bob Agent' },
    ],
    webhooks: [{ url: receiver.url, secret: SECRET }],
  });
  h = await startRuntimeHarness({ name: 'workflow', config });
});
afterAll(async () => {
  await h.stop();
  await new Promise((resolve) => receiver.server.close(resolve));
});

const noticesFor = (ticket: Ticket, to: string) => h.sent.filter((m) => m.to === to && m.raw.includes(`agents.${ticket.id}@`));
const hooksFor = (ticket: Ticket) => receiver.received.filter((r) => r.event.ticket.id === ticket.id);
const batchesWith = (ticketId: string): DynamoDBStreamEvent[] => h.events.filter((e) => JSON.stringify(e).includes(ticketId));

async function openTicket(
  subject: string,
  extra: { headers?: string[] } = {},
): Promise<{ ticket: Ticket; messageId: string; from: string }> {
  const from = customer();
  const messageId = `<${newId()}@customer.example>`;
  const result = await h.receive(plainMail({ from: `Ann <${from}>`, subject, body: 'It smokes.', messageId, headers: extra.headers }));
  expect(result.outcome).toBe('ticket-created');
  await h.settled();
  return { ticket: (await h.runtime.ingest.tickets.getTicket(result.ticketId!))!, messageId, from };
}

describe('team notifications', () => {
  it('mails the team once about a new ticket, linking it, even when every stream record comes again', async () => {
    const { ticket } = await openTicket('Printer on fire');

    for (const agent of [ADA, BOB]) expect(noticesFor(ticket, agent)).toHaveLength(1);
    const mail = await simpleParser(noticesFor(ticket, ADA)[0]!.raw);
    expect(mail.subject).toBe(`Re: Printer on fire [#${ticket.number}]`);
    expect(mail.text).toContain(`New ticket #${ticket.number} from Ann`);
    expect(mail.text).toContain(`/#/tickets/${ticket.id}`);
    expect(mail.references).toContain(`<agents.${ticket.id}@desk.localhost>`);
    expect(mail.headers.get('list-unsubscribe')).toBeUndefined();

    // Redeliver every batch that carried this ticket's records, as Lambda may.
    const sentBefore = h.sent.length;
    const itemsBefore = (await h.items()).length;
    expect(batchesWith(ticket.id).length).toBeGreaterThan(0);
    for (const batch of batchesWith(ticket.id)) await h.notify(batch);
    await h.settled();
    expect(h.sent.length).toBe(sentBefore);
    expect((await h.items()).length).toBe(itemsBefore);
  });

  it('mails nobody on the team about spam or an auto-reply', async () => {
    const verdicts =
      'Received: from mx.example (mx.example [192.0.2.1])\r\n by inbound-smtp.us-east-1.amazonaws.com with SMTP id abc\r\n for support@desk.localhost; Mon, 20 Mar 2023 03:11:44 +0000 (UTC)\r\nX-SES-Spam-Verdict: FAIL\r\nX-SES-Virus-Verdict: PASS\r\n';
    const spamResult = await h.receive(verdicts + plainMail({ from: customer(), subject: 'Win money' }));
    const autoReply = await h.receive(plainMail({ from: customer(), subject: 'Out of office', headers: ['Auto-Submitted: auto-replied'] }));
    await h.settled();

    const spamTicket = (await h.runtime.ingest.tickets.getTicket(spamResult.ticketId!))!;
    expect(spamTicket.status).toBe('spam');
    expect(noticesFor(spamTicket, ADA)).toHaveLength(0);
    expect(hooksFor(spamTicket)).toHaveLength(0);
    expect(autoReply.outcome).toBe('ignored');
  });

  it('mails an assignee about the assignment and each customer reply once; an agent’s own answer mails nobody on the team', async () => {
    const { ticket, messageId, from } = await openTicket('Where is my order');

    const assigned = await h.call('PATCH', `/api/tickets/${ticket.id}`, { body: { assignee: BOB } });
    expect(assigned.status).toBe(200);
    await h.settled();
    expect(
      noticesFor(ticket, BOB)
        .map((m) => m.raw)
        .filter((raw) => raw.includes('assigned ticket')),
    ).toHaveLength(1);

    const reply = await h.receive(
      plainMail({ from, subject: `Re: Where is my order [#${ticket.number}]`, inReplyTo: messageId, body: 'Any news?' }),
    );
    expect(reply.outcome).toBe('reply-added');
    await h.settled();
    const replies = noticesFor(ticket, BOB).filter((m) => m.raw.includes('replied on ticket'));
    expect(replies).toHaveLength(1);
    expect(noticesFor(ticket, ADA).filter((m) => m.raw.includes('replied on ticket'))).toHaveLength(0);

    const teamMailBefore = h.sent.filter((m) => m.to === ADA || m.to === BOB).length;
    const answer = await h.call('POST', `/api/tickets/${ticket.id}/messages`, {
      body: { body: 'On its way.', internal: false },
      claims: { email: BOB },
    });
    expect(answer.status).toBe(201);
    await h.settled();
    expect(h.sent.filter((m) => m.to === ADA || m.to === BOB)).toHaveLength(teamMailBefore);
    expect(h.sent.filter((m) => m.to === from)).not.toHaveLength(0);
  });

  it('does not mail an agent who assigned the ticket to themselves, nor one who turned assignments off', async () => {
    const { ticket } = await openTicket('Self service');
    await h.call('PATCH', `/api/tickets/${ticket.id}`, { body: { assignee: ADA }, claims: { email: ADA } });
    const prefs = await h.call('PUT', '/api/me/notifications', { body: { assigned: false }, claims: { email: BOB } });
    expect(prefs.status).toBe(200);
    await h.call('PATCH', `/api/tickets/${ticket.id}`, { body: { assignee: BOB }, claims: { email: ADA } });
    await h.settled();
    expect(noticesFor(ticket, ADA).filter((m) => m.raw.includes('assigned ticket'))).toHaveLength(0);
    expect(noticesFor(ticket, BOB).filter((m) => m.raw.includes('assigned ticket'))).toHaveLength(0);
  });
});

describe('answering a team notification by email', () => {
  const messagesOf = async (ticketId: string) =>
    (await h.call<{ messages: TicketMessage[] }>('GET', `/api/tickets/${ticketId}`)).json.messages;

  it('adds the member’s answer as an internal note, mailing nobody; a redelivery adds nothing; a forged or spoofed From gets no note', async () => {
    // Arrange: a new ticket's notice to Ada, and the Reply-To it carries.
    const { ticket, from } = await openTicket('Kettle leaks');
    const notice = await simpleParser(noticesFor(ticket, ADA)[0]!.raw);
    const replyTo = notice.replyTo!.value[0]!.address!;
    expect(replyTo).toMatch(/^support\+[0-9a-z]{48}@desk\.localhost$/);
    const answer = (sender: string, body: string) =>
      plainMail({
        from: sender,
        to: replyTo,
        subject: `Re: ${notice.subject}`,
        body: `${body}\r\n\r\nOn Thu, Ada's desk wrote:\r\n> New ticket #${ticket.number} from Ann`,
        inReplyTo: notice.messageId,
      });
    const sentBefore = h.sent.length;

    // Act
    const { key, results } = await h.deliver(answer(`Ada Agent <${ADA}>`, 'Check the warranty first.'));
    await h.settled();
    const redelivered = await h.ingest(h.event(key));
    await h.settled();

    // Assert: a note by Ada, not a customer message; nothing mailed to the customer or the team, no relay.
    expect(results[0]).toMatchObject({ outcome: 'reply-added', ticketId: ticket.id });
    expect(redelivered[0]!.outcome).toBe('duplicate');
    const messages = await messagesOf(ticket.id);
    const notes = messages.filter((m) => m.direction === 'note' && m.author === ADA);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ text: 'Check the warranty first.', from: { address: ADA } });
    expect(messages.filter((m) => m.direction === 'inbound')).toHaveLength(1);
    const after = (await h.runtime.ingest.tickets.getTicket(ticket.id))!;
    expect(after).toMatchObject({ status: ticket.status, preview: ticket.preview, threadMessageIds: ticket.threadMessageIds });
    expect(h.sent.slice(sentBefore)).toEqual([]);
    expect(h.sent.filter((m) => m.to === from)).toHaveLength(1); // the acknowledgement only

    // Act: the same token with Ada's From that SES found spoofed, and with another member's From (Bob's notice has its own token).
    const spoofed = await h.receive(sesStoredMail(answer(`Ada Agent <${ADA}>`, 'Refund everything.'), { dmarc: 'fail', spf: 'fail' }));
    const otherMember = await h.receive(answer(`Bob Agent <${BOB}>`, 'Bob writes on Ada’s token.'));
    await h.settled();

    // Assert: neither is a note; both are handled as mail on the ticket always was.
    const later = await messagesOf(ticket.id);
    expect(later.find((m) => m.text.includes('Refund'))?.direction).toBe('inbound');
    expect(later.filter((m) => m.direction === 'note' && m.author === ADA)).toHaveLength(1);
    expect(spoofed.outcome).not.toBe('duplicate');
    expect(otherMember.outcome).not.toBe('duplicate');
    expect(later.find((m) => m.text.includes('Bob writes'))?.direction).toBe('inbound');
  });
});

describe('webhooks', () => {
  it('POSTs one signed event per change, in order, retrying a failure with the same id, and nothing again on redelivery', async () => {
    receiver.failures.set('Hooked', 1);
    const { ticket } = await openTicket('Hooked');
    await h.call('PATCH', `/api/tickets/${ticket.id}`, { body: { status: 'pending', labels: ['billing'] } });
    await h.call('POST', `/api/tickets/${ticket.id}/messages`, { body: { body: 'Looking into it.', internal: false } });
    await h.settled();

    const posts = hooksFor(ticket);
    for (const post of posts) expect(verifyWebhookSignature(post.body, SECRET, post.signature)).toBe(true);
    // The first POST failed and was retried with the same event (same id, same body).
    expect(posts[0]!.status).toBe(500);
    expect(posts[1]!.body).toBe(posts[0]!.body);
    const delivered = posts.filter((p) => p.status === 204).map((p) => p.event);
    expect(new Set(delivered.map((e) => e.id)).size).toBe(delivered.length);
    expect(delivered.map((e) => e.type).sort()).toEqual(['message.received', 'message.sent', 'ticket.created', 'ticket.updated'].sort());
    const updated = delivered.find((e) => e.type === 'ticket.updated')!;
    expect(updated.changes).toEqual({ status: { from: 'open', to: 'pending' }, labels: { from: [], to: ['billing'] } });
    // Per ticket in order: what the stream saw first was posted first.
    const order = delivered.map((e) => e.type);
    expect(order.indexOf('ticket.updated')).toBeGreaterThan(order.indexOf('message.received'));
    expect(order.indexOf('message.sent')).toBeGreaterThan(order.indexOf('ticket.updated'));

    const count = receiver.received.length;
    expect(batchesWith(ticket.id).length).toBeGreaterThan(0);
    for (const batch of batchesWith(ticket.id)) await h.notify(batch);
    await h.settled();
    expect(receiver.received.length).toBe(count);
  });

  it('keeps an event that failed every retry for inspection, and sends it again with the same id when an agent retries', async () => {
    receiver.failures.set('Receiver down', 3);
    const { ticket } = await openTicket('Receiver down');
    const first = hooksFor(ticket).filter((p) => p.event.type === 'ticket.created');
    expect(first.map((p) => p.status)).toEqual([500, 500, 500]);

    const failed = await h.call<{ items: { ticketId: string; eventId: string; hookIndex: number; attempts: number; lastError: string }[] }>(
      'GET',
      '/api/webhooks/failed',
    );
    const item = failed.json.items.find((i) => i.ticketId === ticket.id)!;
    expect(item).toMatchObject({ eventId: first[0]!.event.id, attempts: 3 });
    expect(item.lastError).toMatch(/HTTP 500 \(gave up after 3 attempts\)/);

    const retried = await h.call('POST', '/api/webhooks/retry', {
      body: { ticketId: ticket.id, eventId: item.eventId, hookIndex: item.hookIndex },
    });
    expect(retried.status).toBe(204);
    await h.settled();
    const again = hooksFor(ticket).filter((p) => p.event.type === 'ticket.created');
    expect(again.map((p) => p.status)).toEqual([500, 500, 500, 204]);
    expect(again[3]!.body).toBe(first[0]!.body);
    expect(
      (await h.call<{ items: { ticketId: string }[] }>('GET', '/api/webhooks/failed')).json.items.some((i) => i.ticketId === ticket.id),
    ).toBe(false);
    const twice = await h.call('POST', '/api/webhooks/retry', {
      body: { ticketId: ticket.id, eventId: item.eventId, hookIndex: item.hookIndex },
    });
    expect(twice.status).toBe(409);
  });
});

describe('checked templates', () => {
  it('refuses to save a template with an unknown placeholder, naming it, and keeps the saved one', async () => {
    const current = await h.call<{ templates: Record<string, { subject: string; body: string }> }>('GET', '/api/settings/support');
    const templates = { ...current.json.templates, reply: { subject: '{{ticket.subject}}', body: 'Ticket #{{ticket.numbr}}' } };

    const saved = await h.call('PUT', '/api/settings/support', { body: { ...current.json, templates } });

    expect(saved.status).toBe(400);
    expect(saved.json.error.message).toContain('templates.reply.body: unknown placeholder {{ticket.numbr}}');
    expect((await h.call('GET', '/api/settings/support')).json).toEqual(current.json);
  });

  it('previews a template with sample values, or names what is wrong', async () => {
    const ok = await h.call<{ text: string }>('POST', '/api/settings/support/preview', {
      body: { name: 'reply', subject: '{{ticket.subject}}', body: 'Hello {{customer.firstName}} from {{desk.name}}' },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.text).toBe('Hello Ann from Acme Support');
    const bad = await h.call('POST', '/api/settings/support/preview', { body: { name: 'ack', subject: 'x', body: '{{unsubscribe.url}}' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('{{unsubscribe.url}}');
  });
});
