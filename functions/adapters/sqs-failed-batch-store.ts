// adapter: FailedBatchStore on the notify function's SQS on-failure queue
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { parseFailedBatch, type FailedBatchStore, type FailedStreamBatch } from '../core/notify/redrive';

/** How long a received message stays hidden from other readers: long enough for a scan of the table. */
const VISIBILITY_SECONDS = 15 * 60;
/** SQS hands out and deletes at most ten messages per call. */
const PAGE = 10;

/**
 * The queue Lambda sends the stream batches it gave up on. Receiving hides each message for a while, so a run that
 * fails before `remove` leaves them to reappear; a message that is not a stream on-failure record is left alone.
 */
export class SqsFailedBatchStore implements FailedBatchStore {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    /** At most this many messages per run; the rest wait for the next. */
    private readonly limit = 1000,
  ) {}

  async receive(): Promise<FailedStreamBatch[]> {
    const batches: FailedStreamBatch[] = [];
    for (let seen = 0; seen < this.limit;) {
      const { Messages = [] } = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: PAGE,
          VisibilityTimeout: VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
        }),
      );
      // SQS samples its servers; an empty answer means nothing more is visible now.
      if (Messages.length === 0) break;
      seen += Messages.length;
      for (const message of Messages) {
        const batch = message.ReceiptHandle ? parseFailedBatch(message.Body ?? '', message.ReceiptHandle) : null;
        if (batch) batches.push(batch);
      }
    }
    return batches;
  }

  async remove(batches: readonly FailedStreamBatch[]): Promise<void> {
    for (let i = 0; i < batches.length; i += PAGE) {
      const page = batches.slice(i, i + PAGE);
      const { Failed = [] } = await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: page.map((batch, n) => ({ Id: String(i + n), ReceiptHandle: batch.handle })),
        }),
      );
      if (Failed.length > 0) {
        throw new Error(`SQS kept ${Failed.length} failure record(s): ${Failed.map((f) => f.Message ?? f.Code).join('; ')}`);
      }
    }
  }
}
