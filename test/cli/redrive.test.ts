// cli: `sesdesk redrive` finds a deployed stack's table and queue through its outputs, and says what is wrong when it cannot
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../functions/adapters/aws-clients';
import { redriveDeliveries } from '../../functions/core/notify/redrive';
import { command, formatRedrive } from '../../bin/cli/commands/redrive';
import { explainAwsError } from '../../bin/cli/aws-stack';
import { awsRedriveTarget } from '../../bin/cli/redrive-target';

const cfn = mockClient(CloudFormationClient);
const sqs = mockClient(SQSClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const clients = () => ({
  cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
  documents: documentClient(new DynamoDBClient({ region: 'eu-west-1' })),
  sqs: new SQSClient({ region: 'eu-west-1' }),
});

describe('sesdesk redrive against a deployed stack', () => {
  afterEach(() => {
    cfn.reset();
    sqs.reset();
    dynamo.reset();
    vi.restoreAllMocks();
  });

  it('reads the table and the failure queue from the outputs of SesDesk-<stage>', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'SesDesk-staging' }).resolves({
      Stacks: [
        {
          StackName: 'SesDesk-staging',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'TableName', OutputValue: 'SesDesk-staging-Table-1' },
            { OutputKey: 'NotifyFailureQueueUrl', OutputValue: 'https://sqs.eu-west-1.amazonaws.com/1/failures' },
          ],
        },
      ],
    });
    sqs.on(ReceiveMessageCommand).resolves({});
    dynamo.on(ScanCommand).resolves({ Items: [] });

    const target = await awsRedriveTarget('staging', clients(), quiet);
    const summary = await redriveDeliveries(target.deps, { olderThanMs: 0, dryRun: false });

    expect(target.description).toBe('SesDesk-staging in eu-west-1');
    expect(summary).toMatchObject({ redriven: [], failedBatches: 0 });
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/1/failures');
    expect(dynamo.commandCalls(ScanCommand)[0]!.args[0].input).toMatchObject({ TableName: 'SesDesk-staging-Table-1' });
  });

  it('names a stack that does not exist, and an output an old stack lacks', async () => {
    cfn
      .on(DescribeStacksCommand, { StackName: 'SesDesk-nope' })
      .rejects(Object.assign(new Error('Stack with id SesDesk-nope does not exist'), { name: 'ValidationError' }));
    cfn.on(DescribeStacksCommand, { StackName: 'SesDesk-old' }).resolves({
      Stacks: [
        {
          StackName: 'SesDesk-old',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'TableName', OutputValue: 't' }],
        },
      ],
    });

    await expect(awsRedriveTarget('nope', clients(), quiet)).rejects.toThrow('There is no stack SesDesk-nope in eu-west-1');
    await expect(awsRedriveTarget('old', clients(), quiet)).rejects.toThrow('Stack SesDesk-old has no output NotifyFailureQueueUrl');
  });

  it('explains missing credentials and an unreachable endpoint', () => {
    expect(
      explainAwsError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
    ).toMatch(/^no AWS credentials .*configure them/);
    expect(explainAwsError(new Error('getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com'))).toMatch(/^AWS could not be reached/);
  });
});

describe('sesdesk redrive arguments and output', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    [['--older-than', 'soon'], /--older-than must be a number of minutes/],
    [['--older-than=-1'], /--older-than must be a number of minutes/],
    [['--region', 'eu-west-1'], /--region needs --stage/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with exit 2', async (args, message) => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));

    expect(await command.run(args)).toBe(2);
    expect(errors.join('\n')).toMatch(message);
  });

  it('prints one line per re-driven delivery and the totals', () => {
    const text = formatRedrive(
      {
        redriven: [
          {
            ticketId: 't1',
            deliveryId: 'd1',
            status: 'pending',
            updatedAt: '2026-12-01T11:00:00.000Z',
            leaseUntil: null,
            reason: 'pending',
          },
          {
            ticketId: 't2',
            deliveryId: 'd2',
            status: 'sending',
            updatedAt: '2026-12-01T11:00:00.000Z',
            leaseUntil: '2026-12-01T11:01:00.000Z',
            reason: 'lease-expired',
          },
        ],
        inFlight: 1,
        movedOn: 0,
        failedBatches: 3,
        removedBatches: 3,
      },
      { dryRun: false, olderThanMinutes: 5, target: 'SesDesk-prod in eu-west-1' },
    );

    expect(text.split('\n')).toEqual([
      '  re-driven t1/d1 (pending since 2026-12-01T11:00:00.000Z)',
      '  re-driven t2/d2 (lease over since 2026-12-01T11:01:00.000Z)',
      'sesdesk redrive: SesDesk-prod in eu-west-1: 2 deliveries re-driven, 1 still in flight (younger than 5 min or under a live lease), 3 failed stream batch(es) removed from the queue',
    ]);
  });
});
