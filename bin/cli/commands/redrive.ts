// cli: `sesdesk redrive`: stuck outgoing mail back to the notify function, and the notify failure queue emptied
import { parseArgs } from 'node:util';
import { redriveDeliveries, type RedriveSummary } from '../../../functions/core/notify/redrive';
import type { Log } from '../../../functions/core/ports';
import { localEnv } from '../../local/local-env';
import { explainAwsError } from '../aws-stack';
import type { CliCommand } from '../main';
import { awsRedriveTarget, localRedriveTarget, type RedriveTarget } from '../redrive-target';

const USAGE = `Usage: sesdesk redrive [--stage NAME [--region REGION]] [--older-than MINUTES] [--dry-run]

Sends stuck outgoing mail again: deliveries still pending after --older-than minutes (default 5) and deliveries
left sending after their lease (the invocation that claimed them died). Each goes back to the notify function the
way an agent's Retry does; the notify function's conditional claim makes sure none is sent twice, however often
this runs. Then it empties the notify failure queue: stream batches Lambda gave up on name only stream positions,
and every delivery they concern was found above by its own state.
  --stage       the deployed stack SesDesk-<stage>, in the region of your AWS credentials or --region
                (needs cloudformation:DescribeStacks, dynamodb:Scan and UpdateItem on its table,
                sqs:ReceiveMessage and DeleteMessage on its NotifyFailureQueueUrl)
                without --stage: the local desk (\`npm start\` must be running; failures in .sesdesk/notify-failures.jsonl)
  --region      the AWS region of the stack (default: AWS_REGION or your profile's)
  --older-than  leave pending deliveries younger than this alone, in minutes (default 5)
  --dry-run     list what would be re-driven; change nothing
Deliveries that failed for good (status failed) are not touched: an agent retries them from the ticket.
The scan reads the whole table once (a few cents per GB in AWS).`;

/** A Log for a command line: nothing on info; warnings and errors on stderr. */
const cliLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, extra = {}) => console.error(`sesdesk redrive: ${message} ${JSON.stringify(extra)}`),
  error: (message, extra = {}) => console.error(`sesdesk redrive: ${message} ${JSON.stringify(extra)}`),
};

/** What a person reads after a run: one line per delivery, then the totals. */
export function formatRedrive(summary: RedriveSummary, options: { dryRun: boolean; olderThanMinutes: number; target: string }): string {
  const lines = summary.redriven.map(
    (d) =>
      `  ${options.dryRun ? 'would re-drive' : 're-driven'} ${d.ticketId}/${d.deliveryId} (${d.reason === 'pending' ? `pending since ${d.updatedAt}` : `lease over since ${d.leaseUntil}`})`,
  );
  const parts = [
    `${summary.redriven.length} ${summary.redriven.length === 1 ? 'delivery' : 'deliveries'} ${options.dryRun ? 'to re-drive' : 're-driven'}`,
    ...(summary.inFlight > 0
      ? [`${summary.inFlight} still in flight (younger than ${options.olderThanMinutes} min or under a live lease)`]
      : []),
    ...(summary.movedOn > 0 ? [`${summary.movedOn} moved on meanwhile`] : []),
    options.dryRun
      ? `${summary.failedBatches} failed stream batch(es) in the queue, left there`
      : `${summary.removedBatches} failed stream batch(es) removed from the queue`,
  ];
  lines.push(`sesdesk redrive: ${options.target}: ${parts.join(', ')}`);
  return lines.join('\n');
}

async function awsTarget(stage: string, region: string | undefined): Promise<RedriveTarget> {
  // Loaded on use: the local redrive needs none of these clients.
  const [{ CloudFormationClient }, { SQSClient }, { DynamoDBClient }, { documentClient }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('@aws-sdk/client-sqs'),
    import('@aws-sdk/client-dynamodb'),
    import('../../../functions/adapters/aws-clients'),
  ]);
  const config = region ? { region } : {};
  return awsRedriveTarget(
    stage,
    { cloudFormation: new CloudFormationClient(config), documents: documentClient(new DynamoDBClient(config)), sqs: new SQSClient(config) },
    cliLog,
  );
}

export const command: CliCommand = {
  async run(args) {
    let values: { stage?: string; region?: string; 'older-than'?: string; 'dry-run'?: boolean; help?: boolean };
    try {
      ({ values } = parseArgs({
        args,
        options: {
          stage: { type: 'string' },
          region: { type: 'string' },
          'older-than': { type: 'string' },
          'dry-run': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (error) {
      console.error(`sesdesk redrive: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const olderThanMinutes = values['older-than'] === undefined ? 5 : Number(values['older-than']);
    if (!Number.isFinite(olderThanMinutes) || olderThanMinutes < 0) {
      console.error(`sesdesk redrive: --older-than must be a number of minutes (0 or more), got ${JSON.stringify(values['older-than'])}`);
      return 2;
    }
    if (values.region && !values.stage) {
      console.error('sesdesk redrive: --region needs --stage (without it, the local desk is re-driven)');
      return 2;
    }
    const dryRun = values['dry-run'] === true;
    try {
      const target = values.stage ? await awsTarget(values.stage, values.region) : localRedriveTarget(localEnv(), cliLog);
      const summary = await redriveDeliveries(target.deps, { olderThanMs: olderThanMinutes * 60_000, dryRun });
      console.log(formatRedrive(summary, { dryRun, olderThanMinutes, target: target.description }));
      return 0;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
      if (!values.stage && /ECONNREFUSED/.test(`${(error as { code?: string }).code ?? ''} ${message} ${cause}`)) {
        console.error('sesdesk redrive: the local desk is not running; start it with `npm start` first (or pass --stage for AWS)');
      } else console.error(`sesdesk redrive: ${values.stage ? explainAwsError(error) : message}`);
      return 1;
    }
  },
};
