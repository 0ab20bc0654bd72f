// adapter: the notify on-failure queue read and emptied through SQS (aws-sdk-client-mock)
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsFailedBatchStore } from '../../functions/adapters/sqs-failed-batch-store';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/notify-failures';
const sqs = mockClient(SQSClient);

const onFailure = (start: string) =>
  JSON.stringify({
    requestContext: { condition: 'RetryAttemptsExhausted' },
    DDBStreamBatchInfo: { shardId: 'shard-1', startSequenceNumber: start, endSequenceNumber: `${start}9`, batchSize: 2 },
  });
const message = (n: number, body = onFailure(String(n))) => ({ MessageId: `m${n}`, ReceiptHandle: `rh-${n}`, Body: body });

describe('SqsFailedBatchStore', () => {
  afterEach(() => sqs.reset());

  it('receives page after page until the queue answers empty, hiding each message for the run', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: Array.from({ length: 10 }, (_, i) => message(i)) })
      .resolvesOnce({ Messages: [message(10), message(11, '{"something":"else"}')] })
      .resolves({});

    const batches = await new SqsFailedBatchStore(new SQSClient({}), QUEUE).receive();

    expect(batches.map((b) => b.handle)).toEqual([...Array.from({ length: 11 }, (_, i) => `rh-${i}`)]);
    expect(batches[3]).toEqual({
      handle: 'rh-3',
      shardId: 'shard-1',
      startSequenceNumber: '3',
      endSequenceNumber: '39',
      batchSize: 2,
      condition: 'RetryAttemptsExhausted',
    });
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(3);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toMatchObject({
      QueueUrl: QUEUE,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 900,
    });
  });

  it('stops at its limit of messages per run', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: Array.from({ length: 10 }, (_, i) => message(i)) });

    await new SqsFailedBatchStore(new SQSClient({}), QUEUE, 25).receive();

    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(3);
  });

  it('deletes what was re-driven ten at a time, and never a message it did not understand', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [...Array.from({ length: 12 }, (_, i) => message(i)), message(99, 'junk')] })
      .resolves({});
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const store = new SqsFailedBatchStore(new SQSClient({}), QUEUE);

    await store.remove(await store.receive());

    const deletes = sqs.commandCalls(DeleteMessageBatchCommand).map((call) => call.args[0].input.Entries!.map((e) => e.ReceiptHandle));
    expect(deletes).toEqual([Array.from({ length: 10 }, (_, i) => `rh-${i}`), ['rh-10', 'rh-11']]);
    expect(deletes.flat()).not.toContain('rh-99');
  });

  it('fails loudly when SQS keeps a message it was asked to delete', async () => {
    sqs
      .on(DeleteMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'expired' }] });

    await expect(
      new SqsFailedBatchStore(new SQSClient({}), QUEUE).remove([
        { handle: 'rh-0', shardId: 's', startSequenceNumber: '1', endSequenceNumber: '2', batchSize: 1, condition: 'x' },
      ]),
    ).rejects.toThrow('SQS kept 1 failure record(s): expired');
  });
});
