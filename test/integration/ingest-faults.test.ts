// Faults mid-ingest (scripted with the fault injector, on the real DynamoDB Local), then Lambda's retry of the same event.
import { describe, expect, it } from 'vitest';
import { createFaultInjector } from '../../bin/local/faults';
import { composeMail } from '../support/mail';
import { countCommands, startRuntimeHarness } from '../support/runtime-harness';
import { TERM_KEY_PREFIX } from '../../functions/contracts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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

  it('counts DynamoDB requests per email: new ticket ≤ 3, reply ≤ 3, duplicate event ≤ 1, besides the search index', async () => {
    const { h, handler, event } = await setup('requests');
    const counter = countCommands(h.runtime.documents);
    const terms = countTermRequests(h.runtime.documents);
    const count = () => counter.total() - terms.total();

    let before = count();
    let termsBefore = terms.snapshot();
    const [created] = await handler(event);
    const newTicketRequests = count() - before;
    const newTicketTerms = terms.since(termsBefore);

    before = count();
    termsBefore = terms.snapshot();
    await handler(event);
    const duplicateRequests = count() - before;
    expect(terms.since(termsBefore)).toEqual({ reads: 0, writes: 0 });

    /** Ann replies by the ticket's Message-ID; returns the outcome, the requests it took and its index requests. */
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
      const startTerms = terms.snapshot();
      const [result] = await handler(replyEvent);
      return { result, requests: count() - start, index: terms.since(startTerms) };
    };
    const { result: replied, requests: firstReplyRequests, index: firstReplyIndex } = await reply('more');
    const { result: repliedAgain, requests: replyRequests, index: replyIndex } = await reply('and more');

    expect(replied?.outcome).toBe('reply-added');
    expect(repliedAgain?.outcome).toBe('reply-added');
    // The first mail in a container also reads the desk's settings (intake rules for a new ticket; relays and Cc's for
    // a reply), cached from then on: one request more for the new ticket, none for the replies.
    expect(newTicketRequests).toBeGreaterThanOrEqual(2);
    expect(newTicketRequests).toBeLessThanOrEqual(3 + 1);
    expect(firstReplyRequests).toBe(replyRequests);
    // The search index: a new ticket writes its terms in one batch (up to 25); a reply reads which of its terms the
    // ticket holds and writes the others ("more" once, then nothing: "and" is a stop word).
    expect(newTicketTerms).toEqual({ reads: 0, writes: 1 });
    expect(firstReplyIndex).toEqual({ reads: 1, writes: 1 });
    expect(replyIndex).toEqual({ reads: 1, writes: 0 });
    expect(replyRequests).toBeGreaterThanOrEqual(1);
    expect(replyRequests).toBeLessThanOrEqual(3);
    expect(duplicateRequests).toBe(1);
  });
});

/** Counts the requests that read or write search-term entries only (BatchGetItem and BatchWriteItem on `TERM#` keys). */
function countTermRequests(client: DynamoDBDocumentClient) {
  const counts = { reads: 0, writes: 0 };
  // The low-level command sees marshalled keys (`{ pk: { S: 'TERM#…' } }`).
  const pkOf = (key: { pk?: unknown }) => (typeof key.pk === 'object' && key.pk !== null ? (key.pk as { S?: string }).S : key.pk);
  const onlyTerms = (keys: { pk?: unknown }[]) => keys.length > 0 && keys.every((k) => String(pkOf(k)).startsWith(TERM_KEY_PREFIX));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { RequestItems?: Record<string, unknown> };
      const requests = Object.values(input.RequestItems ?? {});
      if (context.commandName === 'BatchGetItemCommand' && onlyTerms(requests.flatMap((r) => (r as { Keys: { pk?: unknown }[] }).Keys))) {
        counts.reads += 1;
      }
      if (context.commandName === 'BatchWriteItemCommand') counts.writes += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countTermRequests' },
  );
  return {
    total: () => counts.reads + counts.writes,
    snapshot: () => ({ ...counts }),
    since: (earlier: { reads: number; writes: number }) => ({
      reads: counts.reads - earlier.reads,
      writes: counts.writes - earlier.writes,
    }),
  };
}
