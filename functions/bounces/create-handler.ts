// adapter: SNS event carrying SES bounce/complaint notifications → recordSesFeedback per record (SNS invokes it only
// from the feedback topic, to which only SES publishes: see OutboundMail)
import type { SNSEvent } from 'aws-lambda';
import { InvalidInputError } from '../core/errors';
import { recordSesFeedback, type FeedbackDeps, type FeedbackResult } from '../core/notify/record-ses-feedback';

/**
 * Builds the bounces handler. A message that is not an SES notification is logged and dropped (a retry
 * cannot fix it); any other error is thrown after the remaining records, so SNS's retries deliver the
 * event again: a copy of a notification about one of our deliveries finds its end recorded and writes nothing (one
 * about no delivery of ours counts its bounce again, and changes nothing else).
 */
export const createBouncesHandler =
  (deps: () => Promise<FeedbackDeps>) =>
  async (event: SNSEvent): Promise<FeedbackResult[]> => {
    const resolved = await deps();
    const results: FeedbackResult[] = [];
    const errors: unknown[] = [];
    for (const record of event.Records ?? []) {
      try {
        results.push(await recordSesFeedback(resolved, parseJson(record.Sns.Message)));
      } catch (error) {
        if (error instanceof InvalidInputError) {
          resolved.log.warn('SNS message ignored', { messageId: record.Sns.MessageId, reason: error.message });
          continue;
        }
        resolved.log.error('SES notification could not be recorded', { messageId: record.Sns.MessageId, error: String(error) });
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} records of the event failed`);
    return results;
  };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`SNS message is not JSON: ${(error as Error).message}`, { cause: error });
  }
}
