// infra: the sesdesk stack: ticket store, inbound mail, outbound mail, dashboard and monitoring
import { CfnOutput, Duration, Lazy, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Dashboard } from './constructs/dashboard';
import { InboundMail } from './constructs/inbound-mail';
import { Monitoring } from './constructs/monitoring';
import { OutboundMail } from './constructs/outbound-mail';
import { TicketStore } from './constructs/ticket-store';
import type { DeploySettings } from './deploy-settings';
import { StageNames } from './names';
import { STACK_OUTPUTS } from './stack-outputs';
import { acknowledgeCdkInternals } from './nag-acknowledgements';
import { LOGGED_METRICS } from '../functions/contracts';

export interface SesDeskStackProps extends StackProps {
  readonly settings: DeploySettings;
  /** Directory of the built web app (`web/dist` in the real app). */
  readonly webAssetsPath: string;
}

/** The whole help desk in one stack; stateful resources (table, buckets, user pool, token key) are retained when it is deleted. */
export class SesDeskStack extends Stack {
  public readonly store: TicketStore;
  public readonly inbound: InboundMail;
  public readonly outbound: OutboundMail;
  public readonly dashboard: Dashboard;
  public readonly monitoring: Monitoring;
  public readonly tokenSecret: secretsmanager.Secret;
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: SesDeskStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const names = new StageNames(settings.stage);
    const deskAddresses = settings.deskConfig.desks.map((desk) => desk.address);

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket; logging its own access would log forever.',
    });

    this.tokenSecret = new secretsmanager.Secret(this, 'ReplyTokenKey', {
      description: `HMAC key of sesdesk reply tokens and unsubscribe links (stage ${settings.stage})`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // Kept with the table and the mail: every reply address and unsubscribe link already sent is signed with it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the reply-token key would invalidate the tokens in every reply customers may still answer; ' +
        'rotate by hand by storing a JSON array of keys, newest first (functions accept all of them).',
    });

    // Functions mail the dashboard's address, which exists only once the distribution does: resolved lazily.
    const deskConfigJson = Lazy.string({
      produce: () => this.toJsonString({ ...settings.deskConfig, dashboardUrl: this.dashboard.url }),
    });

    this.store = new TicketStore(this, 'TicketStore');
    this.inbound = new InboundMail(this, 'InboundMail', {
      names,
      domain: settings.domain,
      desks: settings.deskConfig.desks,
      hostedZone: settings.hostedZone
        ? route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
            hostedZoneId: settings.hostedZone.id,
            zoneName: settings.hostedZone.name,
          })
        : undefined,
      ruleSet: settings.receiptRuleSet
        ? { kind: 'existing', name: settings.receiptRuleSet }
        : { kind: 'own', activate: settings.activateRuleSet },
      mailFromDomain: settings.mailFromDomain,
      store: this.store,
      tokenSecret: this.tokenSecret,
      deskConfigJson,
      accessLogsBucket: this.accessLogsBucket,
      rawMailTransitionDays: settings.rawMailTransitionDays,
      rawMailExpirationDays: settings.rawMailExpirationDays,
    });
    this.outbound = new OutboundMail(this, 'OutboundMail', {
      names,
      domain: settings.domain,
      deskAddresses,
      inbound: this.inbound,
      store: this.store,
      tokenSecret: this.tokenSecret,
      deskConfigJson,
      notifyConcurrency: settings.notifyConcurrency,
    });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      names,
      mfa: settings.mfa,
      threatProtection: settings.threatProtection,
      webAssetsPath: props.webAssetsPath,
      store: this.store,
      inbound: this.inbound,
      tokenSecret: this.tokenSecret,
      deskConfigJson,
      accessLogsBucket: this.accessLogsBucket,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      names,
      functions: {
        ingest: this.inbound.ingest,
        notify: this.outbound.notify,
        bounces: this.outbound.bounces,
        api: this.dashboard.apiHandler,
      },
      failureQueues: {
        ingest: this.inbound.ingestFailures,
        notify: this.outbound.notifyFailures,
        bounces: this.outbound.bouncesFailures,
      },
      loggedFailures: [
        {
          fn: this.outbound.notify,
          metric: LOGGED_METRICS.deliveryFailed,
          description:
            'An email the desk sent failed for good (SES rejected it, or it ran out of attempts): the ticket shows why, with Retry.',
        },
        {
          fn: this.inbound.ingest,
          metric: LOGGED_METRICS.ingestFailed,
          description: 'A stored email could not be filed: GET /api/ingest/failed lists it with the reason; it stays in S3 for a replay.',
        },
      ],
      streamConsumer: this.outbound.notify,
      api: this.dashboard.api,
      mailReceiver: this.inbound.ingest,
      noMailAlarmHours: settings.noMailAlarmHours,
      alarmEmail: settings.alarmEmail,
      dashboard: settings.metricsDashboard,
    });

    new CfnOutput(this, STACK_OUTPUTS.dashboardUrl, { description: 'Open this to sign in', value: this.dashboard.url });
    new CfnOutput(this, 'ApiUrl', {
      description: 'The API itself; browsers reach it as <DashboardUrl>/api/',
      value: this.dashboard.api.apiEndpoint,
    });
    new CfnOutput(this, STACK_OUTPUTS.userPoolId, {
      description: 'For aws cognito-idp admin-create-user',
      value: this.dashboard.userPool.userPoolId,
    });
    new CfnOutput(this, 'UserPoolClientId', { value: this.dashboard.userPoolClient.userPoolClientId });
    new CfnOutput(this, STACK_OUTPUTS.receiptRuleSetName, { value: this.inbound.ruleSetName });
    new CfnOutput(this, 'MailBucketName', { value: this.inbound.mailBucket.bucketName });
    new CfnOutput(this, STACK_OUTPUTS.tableName, { value: this.store.table.tableName });
    new CfnOutput(this, STACK_OUTPUTS.notifyFailureQueueUrl, {
      description: 'Stream batches notify gave up on; `sesdesk redrive` empties it',
      value: this.outbound.notifyFailures.queueUrl,
    });
    new CfnOutput(this, STACK_OUTPUTS.dnsRecords, {
      description: 'The DNS records the domain needs, as JSON (created: written into the hosted zone by this stack)',
      value: this.toJsonString(this.inbound.dnsRecords),
    });

    acknowledgeCdkInternals(this);
  }
}
