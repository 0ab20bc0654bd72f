// infra: a metric per failure the functions log, alarms on everything that fails unseen, an optional dashboard
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type LOGGED_METRICS, METRIC_LOG_FIELD } from '../../functions/contracts';
import type { StageNames } from '../names';
import type { AppFunction } from './app-function';

/** A failure a function reports in its log (see `LOGGED_METRICS`), counted into a metric and alarmed on. */
export interface LoggedFailure {
  readonly fn: AppFunction;
  readonly metric: (typeof LOGGED_METRICS)[keyof typeof LOGGED_METRICS];
  /** The alarm's description: what happened and what to do. */
  readonly description: string;
}

export interface MonitoringProps {
  readonly names: StageNames;
  /** Functions to alarm on (errors and throttles), by a short name used in alarm descriptions (`ingest`, …). */
  readonly functions: Readonly<Record<string, AppFunction>>;
  /** Queues of events that failed for good, by short name; any message in them is an alarm. */
  readonly failureQueues: Readonly<Record<string, sqs.IQueue>>;
  /** Failures the functions log; each becomes a metric (always) and an alarm (with an alarm email). */
  readonly loggedFailures: readonly LoggedFailure[];
  /** The function the table's stream feeds: its iterator age says how far behind sending is. */
  readonly streamConsumer: AppFunction;
  /** The dashboard API: its 5xx answers are alarmed on. */
  readonly api: apigwv2.HttpApi;
  /** The function every stored mail invokes: no invocation for {@link noMailAlarmHours} means no mail arrives. */
  readonly mailReceiver: AppFunction;
  /** Hours without mail before an alarm (1-24); null for none. @default 24 */
  readonly noMailAlarmHours?: number | null;
  /**
   * Alarms are emailed here. Without it no alarm is created (an alarm nobody is told of is a cost, not a
   * safeguard); the metrics exist either way. @default - no alarms
   */
  readonly alarmEmail?: string;
  /** A CloudWatch dashboard of all of it ($3 a month). @default false */
  readonly dashboard?: boolean;
  /** Stream backlog age that raises an alarm. @default 10 minutes */
  readonly iteratorAgeThreshold?: Duration;
  /** SES bounce rate that raises an alarm (AWS reviews accounts from 5 %, probation near 10 %). @default 0.04 */
  readonly bounceRateThreshold?: number;
  /** SES complaint rate that raises an alarm (AWS reviews accounts from 0.1 %). @default 0.0008 */
  readonly complaintRateThreshold?: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Metrics and alarms for anything that silently loses mail or endangers the SES account. */
export class Monitoring extends Construct {
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** One metric per logged failure, by its name (`DeliveryFailed`, `IngestFailed`). */
  public readonly loggedMetrics = new Map<string, cloudwatch.Metric>();
  /** Present only when `dashboard` is true. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** Present only when `alarmEmail` is set. */
  public readonly alarmTopic?: sns.Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    if (props.alarmEmail) this.alarmTopic = this.createAlarmTopic(props.alarmEmail);

    for (const failure of props.loggedFailures) {
      const filter = new logs.MetricFilter(this, `${failure.metric}Filter`, {
        logGroup: failure.fn.logGroup,
        // Matches the JSON line core logs with `metric: <name>`; no default value, so quiet hours publish nothing.
        filterPattern: logs.FilterPattern.stringValue(`$.${METRIC_LOG_FIELD}`, '=', failure.metric),
        metricNamespace: props.names.metricNamespace,
        metricName: failure.metric,
        metricValue: '1',
      });
      const metric = filter.metric({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES });
      this.loggedMetrics.set(failure.metric, metric);
      this.addAlarm(failure.metric, metric, { threshold: 1, description: failure.description });
    }

    const functionWidgets: cloudwatch.IWidget[] = [];
    for (const [name, appFunction] of Object.entries(props.functions)) {
      const errors = appFunction.fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
      const throttles = appFunction.fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
      this.addAlarm(`${name}Errors`, errors, {
        threshold: 1,
        description: `The ${name} function failed at least once in 5 minutes; see its log group.`,
      });
      this.addAlarm(`${name}Throttles`, throttles, {
        threshold: 1,
        description: `The ${name} function was throttled in the last 5 minutes: the account's (or its reserved) concurrency ran out.`,
      });
      functionWidgets.push(
        new cloudwatch.GraphWidget({
          title: `${name}: invocations, errors, throttles`,
          left: [appFunction.fn.metricInvocations({ period: FIVE_MINUTES }), errors, throttles],
          right: [appFunction.fn.metricDuration({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.p(99) })],
          width: 6,
        }),
      );
    }

    const iteratorAge = props.streamConsumer.fn.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM, period: FIVE_MINUTES });
    const backlog = props.iteratorAgeThreshold ?? Duration.minutes(10);
    this.addAlarm('StreamIteratorAge', iteratorAge, {
      threshold: backlog.toMilliseconds(),
      description: `Outgoing mail is more than ${backlog.toMinutes()} minutes behind the table's stream: the notify function is failing or throttled.`,
    });

    const queueMetrics: cloudwatch.IMetric[] = [];
    for (const [name, queue] of Object.entries(props.failureQueues)) {
      const depth = queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM });
      this.addAlarm(`${name}FailureQueue`, depth, {
        threshold: 1,
        description: `Events reached the ${name} failure queue: they were not processed after their retries (see docs/deploy.md, "Operating it").`,
      });
      queueMetrics.push(depth);
    }

    const serverErrors = props.api.metricServerError({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
    this.addAlarm('Api5xx', serverErrors, { threshold: 1, description: 'The dashboard API answered 5xx: see the api log group.' });

    if (props.noMailAlarmHours !== null) {
      const hours = props.noMailAlarmHours ?? 24;
      // Lambda publishes Invocations only when there were some: missing data is the silence this alarm is for.
      const received = props.mailReceiver.fn.metricInvocations({ period: Duration.hours(hours), statistic: cloudwatch.Stats.SUM });
      this.addAlarm('NoInboundMail', received, {
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        missingData: cloudwatch.TreatMissingData.BREACHING,
        description: `No mail reached the desk for ${hours} hours: check the MX record, the active receipt rule set and the SES account.`,
      });
    }

    // Account-level reputation metrics: SES publishes them for the region without any set-up.
    const reputation = (metricName: string): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: cloudwatch.Stats.MAXIMUM, period: Duration.hours(1) });
    const bounceRate = reputation('Reputation.BounceRate');
    const complaintRate = reputation('Reputation.ComplaintRate');
    this.addAlarm('SesBounceRate', bounceRate, {
      threshold: props.bounceRateThreshold ?? 0.04,
      description: 'SES bounce rate is close to the 5 % review threshold.',
    });
    this.addAlarm('SesComplaintRate', complaintRate, {
      threshold: props.complaintRateThreshold ?? 0.0008,
      description: 'SES complaint rate is close to the 0.1 % review threshold.',
    });

    if (props.dashboard) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
        // Dashboards are account-wide, not regional.
        dashboardName: props.names.global('dashboard'),
        widgets: [
          functionWidgets,
          [
            new cloudwatch.GraphWidget({ title: 'Failure queues: messages waiting', left: queueMetrics, width: 6 }),
            new cloudwatch.GraphWidget({ title: 'Failures logged', left: [...this.loggedMetrics.values()], width: 6 }),
            new cloudwatch.GraphWidget({ title: 'Stream backlog (ms) and API 5xx', left: [iteratorAge], right: [serverErrors], width: 6 }),
            new cloudwatch.GraphWidget({ title: 'SES reputation', left: [bounceRate, complaintRate], width: 6 }),
          ],
          ...(this.alarms.length > 0 ? [[new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })]] : []),
        ],
      });
    }
  }

  private createAlarmTopic(email: string): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', { enforceSSL: true });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch can publish only to an unencrypted topic or one under a customer managed key ($1 a month). The topic ' +
        'carries alarm names and states, no mail or customer data; TLS is enforced.',
    });
    topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }

  private addAlarm(
    id: string,
    metric: cloudwatch.IMetric,
    options: {
      threshold: number;
      description: string;
      comparison?: cloudwatch.ComparisonOperator;
      missingData?: cloudwatch.TreatMissingData;
    },
  ): void {
    if (!this.alarmTopic) return;
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: options.threshold,
      evaluationPeriods: 1,
      comparisonOperator: options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.missingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
  }
}
