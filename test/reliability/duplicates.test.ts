// Reliability: at-least-once delivery made exactly-once: every S3 event 2–3 times, every stream batch twice, at once.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryToItem } from '../../functions/adapters/dynamo-items';
import { newId } from '../../functions/core/ids';
import type { NewDelivery } from '../../functions/core/ports';
import type { Ticket } from '../../functions/core/types';
import { plainMail } from '../support/mail';
import { type RuntimeHarness, sentMessageId, startRuntimeHarness } from '../support/runtime-harness';

let fx: RuntimeHarness;
let notifyCalls = 0;

beforeAll(async () => {
  fx = await startRuntimeHarness({
    name: 'dup',
    // Every batch twice at the same time: two pollers, or Lambda retrying while the first invocation still runs.
    onBatch: async (notify, event) => {
      notifyCalls += 2;
      const results = await Promise.all([notify(event), notify(event)]);
      const failures = results.flatMap((r: DynamoDBBatchResponse) => r.batchItemFailures);
      return { batchItemFailures: failures };
    },
  });
});
afterAll(async () => {
  await fx.stop();
});

/** What the API writes for a public agent answer: one delivery item per participant. */
async function agentReply(ticket: Ticket, body: string): Promise<void> {
  for (const participant of ticket.participants) {
    const delivery: NewDelivery = {
      id: newId(),
      kind: 'reply',
      ticketId: ticket.id,
      deskId: ticket.deskId,
      recipient: { address: participant.address, name: participant.name },
      messageItemId: newId(),
      content: {
        ticketNumber: ticket.number,
        subject: ticket.subject,
        body,
        authorName: 'Ada Agent',
        inReplyTo: null,
        references: ticket.threadMessageIds,
        attachments: [],
      },
      createdAt: new Date().toISOString(),
    };
    await fx.documents.send(new PutCommand({ TableName: fx.tableName, Item: deliveryToItem(delivery) }));
  }
}

describe('duplicate events', () => {
  it('creates one ticket per email and sends one email per delivery when every event arrives two or three times', async () => {
    // Arrange: six new threads and three replies, stored once each
    const originals = Array.from({ length: 6 }, (_, i) => ({
      from: `dup${i}@customer.example`,
      subject: `Duplicate test ${i}`,
      messageId: `<dup-${i}-${fx.tableName}@customer.example>`,
    }));
    const keys: string[] = [];
    for (const m of originals) keys.push(await fx.put(plainMail(m)));

    // Act: each S3 event delivered 2 or 3 times, concurrently
    const outcomes = (
      await Promise.all(keys.flatMap((key, i) => Array.from({ length: 2 + (i % 2) }, () => fx.ingest(fx.event(key)))))
    ).flat();
    const replies = [];
    for (const [i, m] of originals.slice(0, 3).entries()) {
      const key = await fx.put(
        plainMail({
          from: m.from,
          subject: `Re: ${m.subject}`,
          messageId: `<dup-reply-${i}-${fx.tableName}@customer.example>`,
          inReplyTo: m.messageId,
          body: 'Any news?',
        }),
      );
      replies.push(...(await Promise.all([fx.ingest(fx.event(key)), fx.ingest(fx.event(key)), fx.ingest(fx.event(key))])).flat());
    }
    await fx.settled();
    const tickets = (await fx.items()).filter((item) => item.type === 'ticket') as unknown as Ticket[];
    for (const ticket of tickets.slice(0, 2)) await agentReply(ticket, 'We are on it.');
    await fx.settled();

    // Assert: one ticket per email, replies added once
    expect(outcomes.filter((o) => o.outcome === 'ticket-created')).toHaveLength(6);
    expect(outcomes.filter((o) => o.outcome !== 'ticket-created').every((o) => o.outcome === 'duplicate')).toBe(true);
    expect(replies.filter((o) => o.outcome === 'reply-added')).toHaveLength(3);
    const items = await fx.items();
    expect(
      items
        .filter((item) => item.type === 'ticket')
        .map((t) => t.subject)
        .sort(),
    ).toEqual(originals.map((m) => m.subject).sort());
    expect(items.filter((item) => item.type === 'message')).toHaveLength(9);

    // Assert: one email per delivery (6 acknowledgements, 2 agent answers, plus the team's notifications of the
    // 6 new tickets), none sent twice, all recorded sent
    const deliveries = items.filter((item) => item.type === 'delivery');
    expect(deliveries.filter((d) => d.kind !== 'agent-notice')).toHaveLength(8);
    expect(deliveries.filter((d) => d.kind === 'agent-notice')).toHaveLength(6);
    expect(deliveries.every((d) => d.status === 'sent')).toBe(true);
    const ids = fx.sent.map((s) => sentMessageId(s.raw));
    expect(ids).toHaveLength(14);
    expect(new Set(ids).size).toBe(14);
    expect(notifyCalls).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
