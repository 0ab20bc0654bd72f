// Faults mid-ingest (aws-sdk-client-mock in front of the real DynamoDB Local), then Lambda's retry of the same event.
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DynamoTable } from '../../functions/adapters/dynamo-table';
import { DynamoTicketRepository } from '../../functions/adapters/dynamo-ticket-repository';
import { createDocumentClient } from '../support/local-aws';
import { composeMail, createIngestFixture, s3Event } from '../support/ingest-fixture';

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: { httpStatusCode: 400 },
  });
const timedOut = () => Object.assign(new Error('socket hang up: request timed out'), { name: 'TimeoutError' });

/**
 * A document client whose every command goes to DynamoDB Local, except where a test scripts a fault.
 * The same client instance is handed to the repository, so faults hit exactly the calls ingest makes.
 */
function faultyClient() {
  const real = createDocumentClient(inject('dynamoEndpoint'));
  const faulty = DynamoDBDocumentClient.from(createDocumentClient(inject('dynamoEndpoint')));
  const mock = mockClient(faulty);
  mock.on(BatchGetCommand).callsFake((input) => real.send(new BatchGetCommand(input)));
  mock.on(GetCommand).callsFake((input) => real.send(new GetCommand(input)));
  mock.on(PutCommand).callsFake((input) => real.send(new PutCommand(input)));
  mock.on(UpdateCommand).callsFake((input) => real.send(new UpdateCommand(input)));
  mock.on(TransactWriteCommand).callsFake((input) => real.send(new TransactWriteCommand(input)));
  return { real, faulty, mock };
}

const mocks: ReturnType<typeof mockClient>[] = [];
afterEach(() => {
  for (const mock of mocks.splice(0)) mock.restore();
});

async function setup(name: string) {
  const client = faultyClient();
  mocks.push(client.mock);
  const fx = await createIngestFixture(name);
  const repository = new DynamoTicketRepository(new DynamoTable(client.faulty, fx.tableName));
  const deps = { ...fx.deps, tickets: repository };
  const { createIngestHandler } = await import('../../functions/ingest/create-handler');
  const handler = createIngestHandler(async () => deps);
  const raw = await composeMail({ from: 'ann@example.com', to: 'support@desk.localhost', subject: `Fault ${name}`, text: 'Hello' });
  const key = `inbound/${name}-${Date.now()}`;
  await fx.store.put(fx.bucket, key, raw, 'message/rfc822');
  const tickets = async () => (await fx.items()).filter((item) => item.type === 'ticket');
  return { ...client, fx, handler, event: s3Event(fx.bucket, key), tickets };
}

describe('ingest under DynamoDB faults', () => {
  it('throttling on the transaction fails the invocation; the retried event yields exactly one ticket', async () => {
    const { mock, real, handler, event, tickets } = await setup('throttle');
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(throttled())
      .callsFake((input) => real.send(new TransactWriteCommand(input)));

    await expect(handler(event)).rejects.toThrow(/exceeds the allowed throughput/);
    expect(await tickets()).toHaveLength(0);

    const [result] = await handler(event);
    expect(result?.outcome).toBe('ticket-created');
    expect(await tickets()).toHaveLength(1);
  });

  it('a timeout after DynamoDB committed the transaction: the retry finds it and creates nothing more', async () => {
    const { mock, real, handler, event, tickets } = await setup('timeout');
    mock
      .on(TransactWriteCommand)
      .callsFakeOnce(async (input) => {
        await real.send(new TransactWriteCommand(input));
        throw timedOut();
      })
      .callsFake((input) => real.send(new TransactWriteCommand(input)));

    await expect(handler(event)).rejects.toThrow(/timed out/);
    expect(await tickets()).toHaveLength(1);

    const [retry] = await handler(event);
    expect(retry?.outcome).toBe('duplicate');
    expect(await tickets()).toHaveLength(1);
  });

  it('throttling on the first read fails fast and the retry completes normally', async () => {
    const { mock, real, handler, event, tickets } = await setup('read-throttle');
    mock
      .on(BatchGetCommand)
      .rejectsOnce(throttled())
      .callsFake((input) => real.send(new BatchGetCommand(input)));

    await expect(handler(event)).rejects.toThrow();
    const [result] = await handler(event);

    expect(result?.outcome).toBe('ticket-created');
    expect(await tickets()).toHaveLength(1);
  });

  it('a crash between the ticket counter and the transaction skips a number but never duplicates a ticket', async () => {
    const { mock, real, handler, event, tickets } = await setup('counter-crash');
    mock
      .on(UpdateCommand)
      .callsFakeOnce(async (input) => {
        await real.send(new UpdateCommand(input));
        throw timedOut();
      })
      .callsFake((input) => real.send(new UpdateCommand(input)));

    await expect(handler(event)).rejects.toThrow(/timed out/);
    const [result] = await handler(event);

    expect(result?.outcome).toBe('ticket-created');
    const all = await tickets();
    expect(all).toHaveLength(1);
    expect(all[0]?.number).toBe(2);
  });

  it('counts DynamoDB requests per email: new ticket ≤ 3, reply ≤ 3, duplicate event ≤ 1', async () => {
    const { mock, handler, event, fx } = await setup('requests');
    const count = () => mock.calls().length;

    let before = count();
    const [created] = await handler(event);
    const newTicketRequests = count() - before;

    before = count();
    await handler(event);
    const duplicateRequests = count() - before;

    const reply = await composeMail({
      from: 'ann@example.com',
      to: 'support@desk.localhost',
      subject: 'Re: Fault requests',
      text: 'more',
      inReplyTo: created!.messageId!,
    });
    await fx.store.put(fx.bucket, 'inbound/requests-reply', reply, 'message/rfc822');
    before = count();
    const [replied] = await handler(s3Event(fx.bucket, 'inbound/requests-reply'));
    const replyRequests = count() - before;

    expect(replied?.outcome).toBe('reply-added');
    expect(newTicketRequests).toBeLessThanOrEqual(3);
    expect(replyRequests).toBeLessThanOrEqual(3);
    expect(duplicateRequests).toBe(1);
  });
});
