// infra: alarms and a CloudWatch dashboard for the functions, failure queues and SES reputation
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AppFunction } from './app-function';

export interface MonitoringProps {
  /** Functions to alarm on, by a short name used in alarm descriptions (`ingest`, `notify`, …). */
  readonly functions: Readonly<Record<string, AppFunction>>;
  /** Queues of events that failed for good, by short name; any message in them is an alarm. */
  readonly failureQueues: Readonly<Record<string, sqs.IQueue>>;
  /** Emails every alarm to this address. @default - alarms without notifications */
  readonly alarmEmail?: string;
  /** SES bounce rate that raises an alarm (AWS reviews accounts from 5 %, probation near 10 %). @default 0.04 */
  readonly bounceRateThreshold?: number;
  /** SES complaint rate that raises an alarm (AWS reviews accounts from 0.1 %). @default 0.0008 */
  readonly complaintRateThreshold?: number;
}

/** Alarms for anything that silently loses mail or endangers the SES account, and one dashboard. */
export class Monitoring extends Construct {
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;
  /** Present only when `alarmEmail` is set. */
  public readonly alarmTopic?: sns.Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    if (props.alarmEmail) {
      // CloudWatch may only publish to an encrypted topic whose key policy lets it in.
      const key = new kms.Key(this, 'AlarmTopicKey', { description: 'Encrypts the sesdesk alarm topic', enableKeyRotation: true });
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
      );
      this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const fiveMinutes = Duration.minutes(5);
    const functionWidgets: cloudwatch.IWidget[] = [];
    for (const [name, appFunction] of Object.entries(props.functions)) {
      const errors = appFunction.fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM });
      this.addAlarm(`${name}Errors`, errors, 1, `The ${name} function failed at least once in 5 minutes; see its log group.`);
      functionWidgets.push(
        new cloudwatch.GraphWidget({
          title: `${name}: invocations, errors, throttles`,
          left: [
            appFunction.fn.metricInvocations({ period: fiveMinutes }),
            errors,
            appFunction.fn.metricThrottles({ period: fiveMinutes }),
          ],
          right: [appFunction.fn.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) })],
          width: 8,
        }),
      );
    }

    const queueMetrics: cloudwatch.IMetric[] = [];
    for (const [name, queue] of Object.entries(props.failureQueues)) {
      const depth = queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM });
      this.addAlarm(
        `${name}FailureQueue`,
        depth,
        1,
        `Events reached the ${name} failure queue: they were not processed and need a replay.`,
      );
      queueMetrics.push(depth);
    }

    // Account-level reputation metrics: SES publishes them for the region without any set-up.
    const reputation = (metricName: string): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: cloudwatch.Stats.MAXIMUM, period: Duration.hours(1) });
    const bounceRate = reputation('Reputation.BounceRate');
    const complaintRate = reputation('Reputation.ComplaintRate');
    this.addAlarm('SesBounceRate', bounceRate, props.bounceRateThreshold ?? 0.04, 'SES bounce rate is close to the 5 % review threshold.');
    this.addAlarm(
      'SesComplaintRate',
      complaintRate,
      props.complaintRateThreshold ?? 0.0008,
      'SES complaint rate is close to the 0.1 % review threshold.',
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        functionWidgets,
        [
          new cloudwatch.GraphWidget({ title: 'Failure queues: messages waiting', left: queueMetrics, width: 12 }),
          new cloudwatch.GraphWidget({ title: 'SES reputation', left: [bounceRate, complaintRate], width: 12 }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }

  private addAlarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    if (this.alarmTopic) alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
  }
}
