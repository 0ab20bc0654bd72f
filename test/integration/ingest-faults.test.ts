// Faults mid-ingest (scripted with the fault injector, on the real DynamoDB Local), then Lambda's retry of the same event.
import { describe, expect, it } from 'vitest';
import { createFaultInjector } from '../../bin/local/faults';
import { composeMail } from '../support/mail';
import { countCommands, startRuntimeHarness } from '../support/runtime-harness';

/** A fresh table (ticket numbers start at 1) whose clients carry a fault injector, and one stored email's event. */
async function setup(name: string) {
  const faults = createFaultInjector({});
  const h = await startRuntimeHarness({ name: `faults-${name}`, faults, pollStream: false });
  const raw = await composeMail({ from: 'ann@example.com', to: 'support@desk.localhost', subject: `Fault ${name}`, text: 'Hello' });
  const event = h.event(await h.put(raw));
  const tickets = async () => (await h.items()).filter((item) => item.type === 'ticket');
  return { h, faults, handler: h.ingest, event, tickets };
}

describe('ingest under DynamoDB faults', () => {
  it('throttling on the transaction fails the invocation; the retried event yields exactly one ticket', async () => {
    const { faults, handler, event, tickets } = await setup('throttle');
    faults.failNext({ service: 'dynamodb', operation: 'TransactWriteItems', kind: 'throttle' });

    await expect(handler(event)).rejects.toThrow(/configured provisioned throughput/);
    expect(faults.stats.injected.get('dynamodb:throttle')).toBe(1);
    expect(await tickets()).toHaveLength(0);

    const [result] = await handler(event);
    expect(result?.outcome).toBe('ticket-created');
    expect(await tickets()).toHaveLength(1);
  });

  it('a timeout after DynamoDB committed the transaction: the retry finds it and creates nothing more', async () => {
    const { faults, handler, event, tickets } = await setup('timeout');
    faults.failNext({ service: 'dynamodb', operation: 'TransactWriteItems', kind: 'timeout-after' });

    await expect(handler(event)).rejects.toThrow(/timed out/);
    expect(faults.stats.injected.get('dynamodb:timeout-after')).toBe(1);
    expect(await tickets()).toHaveLength(1);

    const [retry] = await handler(event);
    expect(retry?.outcome).toBe('duplicate');
    expect(await tickets()).toHaveLength(1);
  });

  it('throttling on the first read fails fast and the retry completes normally', async () => {
    const { faults, handler, event, tickets } = await setup('read-throttle');
    faults.failNext({ service: 'dynamodb', operation: 'BatchGetItem', kind: 'throttle' });

    await expect(handler(event)).rejects.toThrow();
    expect(faults.stats.injected.get('dynamodb:throttle')).toBe(1);
    const [result] = await handler(event);

    expect(result?.outcome).toBe('ticket-created');
    expect(await tickets()).toHaveLength(1);
  });

  it('a crash between the ticket counter and the transaction skips a number but never duplicates a ticket', async () => {
    const { faults, handler, event, tickets } = await setup('counter-crash');
    faults.failNext({ service: 'dynamodb', operation: 'UpdateItem', kind: 'timeout-after' });

    await expect(handler(event)).rejects.toThrow(/timed out/);
    expect(faults.stats.injected.get('dynamodb:timeout-after')).toBe(1);
    const [result] = await handler(event);

    expect(result?.outcome).toBe('ticket-created');
    const all = await tickets();
    expect(all).toHaveLength(1);
    expect(all[0]?.number).toBe(2);
  });

  it('counts DynamoDB requests per email: new ticket ≤ 3, reply ≤ 3, duplicate event ≤ 1', async () => {
    const { h, handler, event } = await setup('requests');
    const counter = countCommands(h.runtime.documents);
    const count = () => counter.total();

    let before = count();
    const [created] = await handler(event);
    const newTicketRequests = count() - before;

    before = count();
    await handler(event);
    const duplicateRequests = count() - before;

    /** Ann replies by the ticket's Message-ID; returns the outcome and the requests it took. */
    const reply = async (text: string) => {
      const raw = await composeMail({
        from: 'ann@example.com',
        to: 'support@desk.localhost',
        subject: 'Re: Fault requests',
        text,
        inReplyTo: created!.messageId!,
      });
      const replyEvent = h.event(await h.put(raw));
      const start = count();
      const [result] = await handler(replyEvent);
      return { result, requests: count() - start };
    };
    const { result: replied, requests: firstReplyRequests } = await reply('more');
    const { result: repliedAgain, requests: replyRequests } = await reply('and more');

    expect(replied?.outcome).toBe('reply-added');
    expect(repliedAgain?.outcome).toBe('reply-added');
    // The first mail in a container also reads the desk's settings (intake rules for a new ticket; relays and Cc's for
    // a reply), cached from then on: one request more for the new ticket, none for the replies.
    expect(newTicketRequests).toBeGreaterThanOrEqual(2);
    expect(newTicketRequests).toBeLessThanOrEqual(3 + 1);
    expect(firstReplyRequests).toBe(replyRequests);
    expect(replyRequests).toBeGreaterThanOrEqual(1);
    expect(replyRequests).toBeLessThanOrEqual(3);
    expect(duplicateRequests).toBe(1);
  });
});
