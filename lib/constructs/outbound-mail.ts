// infra: outbound mail: stream → notify function → SES, and SES bounce/complaint events → bounces function
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, NOTIFY_STREAM_FILTERS } from '../../functions/contracts';
import type { StageNames } from '../names';
import { AppFunction, functionEntry } from './app-function';
import type { InboundMail } from './inbound-mail';
import type { TicketStore } from './ticket-store';

export interface OutboundMailProps {
  readonly names: StageNames;
  /** The mail domain: the verified identity the desks send from. */
  readonly domain: string;
  /** Desk addresses; their identity ARNs are allowed too, in case they are verified one by one. */
  readonly deskAddresses: readonly string[];
  /** The inbound side: its mail bucket holds the attachments replies carry. */
  readonly inbound: InboundMail;
  readonly store: TicketStore;
  /** The reply-token HMAC key; notify reads it to build reply addresses. */
  readonly tokenSecret: secretsmanager.ISecret;
  /** The validated desk configuration as JSON (`DESK_CONFIG`). */
  readonly deskConfigJson: string;
  /**
   * Concurrency reserved for (and capping) the notify function, so a burst of stream batches cannot
   * exceed the SES sending rate; `'unreserved'` for accounts whose concurrency quota is still 10. @default 2
   */
  readonly notifyConcurrency?: number | 'unreserved';
}

/** Sends what agents and acknowledgements queue as delivery items, and records what SES reports back. */
export class OutboundMail extends Construct {
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly notify: AppFunction;
  /** Stream batches the notify function gave up on (metadata only: shard and sequence range). */
  public readonly notifyFailures: sqs.Queue;
  public readonly feedbackTopic: sns.Topic;
  public readonly bounces: AppFunction;
  /** SES notifications the bounces function could not record: SNS deliveries and invocations that failed for good. */
  public readonly bouncesFailures: sqs.Queue;

  constructor(scope: Construct, id: string, props: OutboundMailProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.names.regional(),
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      // OPTIONAL: customers' mail servers without TLS must still get answers.
      tlsPolicy: ses.ConfigurationSetTlsPolicy.OPTIONAL,
    });

    this.feedbackTopic = new sns.Topic(this, 'FeedbackTopic', { enforceSSL: true });
    Validations.of(this.feedbackTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'SES can publish only to an unencrypted topic or one under a customer managed key ($1 a month, the largest fixed cost ' +
        'of an idle desk). SNS holds a notification only until it reaches the bounces function, which stores what it ' +
        'needs in the table; TLS is enforced and only SES of this account, for this configuration set, may publish.',
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(this.feedbackTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    this.notifyFailures = new sqs.Queue(this, 'NotifyFailures', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.notifyFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the on-failure destination of the notify stream mapping; a DLQ of the DLQ adds nothing.',
    });
    this.notify = new AppFunction(this, 'Notify', {
      entry: functionEntry('notify'),
      serviceName: 'sesdesk-notify',
      description: 'Sends queued deliveries through SES and records their Message-IDs',
      memorySize: 512,
      timeout: Duration.minutes(1),
      reservedConcurrentExecutions: props.notifyConcurrency === 'unreserved' ? undefined : (props.notifyConcurrency ?? 2),
      contract: 'notify',
    });
    props.store.connect(this.notify);
    this.notify.useTokenSecret(props.tokenSecret);
    this.notify.setEnv(ENV.deskConfig, props.deskConfigJson);
    // A reply carries stored attachments (agents' uploads are copied there when the reply is posted); its text
    // travels inside the delivery item.
    props.inbound.connectMailBucket(this.notify, { read: ['attachments'] });
    this.notify.setEnv(ENV.sesConfigurationSet, this.configurationSet.configurationSetName);
    this.notify.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [
          ...[props.domain, ...props.deskAddresses].map((identity) =>
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
          ),
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
        ],
      }),
    );
    this.notify.fn.addEventSource(
      new sources.DynamoEventSource(props.store.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        // Bounded, so one poison record cannot block its shard until the stream's 24 h retention ends.
        retryAttempts: 5,
        maxRecordAge: Duration.hours(1),
        onFailure: new sources.SqsDlq(this.notifyFailures),
        // Delivery items that are pending (new ones and agents' retries), plus tickets, new messages and failed
        // deliveries for notifications and webhooks (the patterns the local stream poller applies too). The
        // function's own delivery updates never match; the handler checks the old image too.
        filters: NOTIFY_STREAM_FILTERS.map((filter) => ({ pattern: JSON.stringify(filter) })),
      }),
    );

    this.bouncesFailures = new sqs.Queue(this, 'BouncesFailures', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.bouncesFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the bounces function and of its SNS subscription; a DLQ of the DLQ adds nothing.',
    });
    this.bounces = new AppFunction(this, 'Bounces', {
      entry: functionEntry('bounces'),
      serviceName: 'sesdesk-bounces',
      description: 'Marks recipients undeliverable from SES bounce and complaint notifications',
      memorySize: 256,
      // SNS invokes asynchronously: after two retries the event is kept here instead of dropped.
      onFailure: new lambdaDestinations.SqsDestination(this.bouncesFailures),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      contract: 'bounces',
    });
    props.store.connect(this.bounces);
    // Messages SNS cannot hand to the function at all (its own retries exhausted) land in the same queue.
    this.feedbackTopic.addSubscription(new subscriptions.LambdaSubscription(this.bounces.fn, { deadLetterQueue: this.bouncesFailures }));
  }
}
