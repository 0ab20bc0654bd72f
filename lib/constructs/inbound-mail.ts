// infra: inbound mail: SES domain identity, receipt rules → private S3 bucket → ingest function
import { Aws, CfnOutput, type CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, MAIL_PREFIXES, type MailPrefix } from '../../functions/contracts';
import { AppFunction, functionEntry } from './app-function';
import { RuleSetActivation } from './rule-set-activation';
import type { TicketStore } from './ticket-store';

export interface InboundMailProps {
  /** The mail domain SES receives for and sends from, e.g. `help.example.com`. */
  readonly domain: string;
  /** Desk addresses; each gets its own receipt rule (`support+token@` matches `support@` automatically). */
  readonly recipients: readonly string[];
  /** When given, DKIM CNAMEs and the MX record are created in it; otherwise they are printed as outputs. */
  readonly hostedZone?: route53.IHostedZone;
  /** Make the rule set the region's active one (this takes over the region's single active set). */
  readonly activateRuleSet: boolean;
  /** The ticket table; the ingest function gets item read/write. */
  readonly store: TicketStore;
  /** The reply-token HMAC key; the ingest function reads it at cold start. */
  readonly tokenSecret: secretsmanager.ISecret;
  /** The validated desk configuration as JSON (`DESK_CONFIG`). */
  readonly deskConfigJson: string;
  /** Receives the mail bucket's server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Days before raw mail moves to S3 Standard-IA (30 at least). @default 90 */
  readonly rawMailTransitionDays?: number;
  /** Days before raw mail is deleted. @default - kept: it is the original evidence of every ticket */
  readonly rawMailExpirationDays?: number;
}

/** Receives the desks' mail and turns every stored message into a call of the ingest function. */
export class InboundMail extends Construct {
  public readonly identity: ses.EmailIdentity;
  public readonly mailBucket: s3.Bucket;
  public readonly ruleSet: ses.ReceiptRuleSet;
  public readonly rules: ses.ReceiptRule[];
  public readonly ingest: AppFunction;
  /** Events the ingest function failed on after its retries. */
  public readonly ingestFailures: sqs.Queue;
  /** Present only when `activateRuleSet` is true. */
  public readonly activation?: RuleSetActivation;

  constructor(scope: Construct, id: string, props: InboundMailProps) {
    super(scope, id);

    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(props.domain),
      dkimSigning: true,
    });
    const mxTarget = `inbound-smtp.${Aws.REGION}.amazonaws.com`;
    if (props.hostedZone) {
      this.addDnsRecords(props.hostedZone, props.domain, mxTarget);
    } else {
      this.identity.dkimRecords.forEach((record, i) => {
        new CfnOutput(this, `DkimRecord${i + 1}`, {
          description: `DKIM CNAME ${i + 1} of 3 for ${props.domain}`,
          value: `${record.name} CNAME ${record.value}`,
        });
      });
      new CfnOutput(this, 'MxRecord', { description: `MX record for ${props.domain}`, value: `${props.domain} MX 10 ${mxTarget}` });
    }

    const transitionDays = props.rawMailTransitionDays ?? 90;
    this.mailBucket = new s3.Bucket(this, 'MailBucket', {
      // Bucket-level encryption, not the SES action's kmsKey: SES's own encryption is client-side and
      // would leave the ingest function with an envelope it cannot parse.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'mail-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'raw-mail',
          prefix: MAIL_PREFIXES.inbound,
          // S3 rejects a transition that is not earlier than the expiration; then there is nothing to move.
          transitions:
            props.rawMailExpirationDays !== undefined && props.rawMailExpirationDays <= transitionDays
              ? undefined
              : [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(transitionDays) }],
          expiration: props.rawMailExpirationDays === undefined ? undefined : Duration.days(props.rawMailExpirationDays),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });

    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet');
    // The S3 action adds the bucket policy for ses.amazonaws.com, conditioned on aws:SourceAccount.
    const storeRaw = new sesActions.S3({ bucket: this.mailBucket, objectKeyPrefix: MAIL_PREFIXES.inbound });
    this.rules = props.recipients.map((address, i) =>
      this.ruleSet.addRule(`Desk${i + 1}`, {
        recipients: [address],
        scanEnabled: true,
        // OPTIONAL: a public help desk must accept mail from servers that cannot do TLS.
        tlsPolicy: ses.TlsPolicy.OPTIONAL,
        actions: [storeRaw],
      }),
    );

    this.ingestFailures = new sqs.Queue(this, 'IngestFailures', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.ingestFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter destination of the ingest function; a DLQ of the DLQ adds nothing.',
    });
    this.ingest = new AppFunction(this, 'Ingest', {
      entry: functionEntry('ingest'),
      serviceName: 'sesdesk-ingest',
      description: 'Parses mail SES stored under inbound/ and files it as tickets',
      // Room for a 40 MB message, its decoded parts and the parsed copy at once.
      memorySize: 1024,
      timeout: Duration.minutes(2),
      onFailure: new lambdaDestinations.SqsDestination(this.ingestFailures),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      contract: 'ingest',
    });
    props.store.connect(this.ingest);
    this.ingest.useTokenSecret(props.tokenSecret);
    this.ingest.setEnv(ENV.deskConfig, props.deskConfigJson);
    // The bucket of each stored mail comes with its S3 event, so ingest is granted the prefixes but given no name.
    this.grantMailObjects(this.ingest, ['s3:GetObject'], ['inbound']);
    this.grantMailObjects(this.ingest, ['s3:PutObject'], ['attachments', 'bodies', 'quarantine']);
    this.mailBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.ingest.fn), {
      prefix: MAIL_PREFIXES.inbound,
    });

    if (props.activateRuleSet) {
      this.activation = new RuleSetActivation(this, 'Activation', { ruleSet: this.ruleSet });
      for (const rule of this.rules) this.activation.node.addDependency(rule);
    }
  }

  /** Gives a function the mail bucket: its name in `MAIL_BUCKET`, and reads and writes on the given prefixes only. */
  connectMailBucket(fn: AppFunction, access: { readonly read: MailPrefix[]; readonly write?: MailPrefix[] }): void {
    fn.setEnv(ENV.mailBucket, this.mailBucket.bucketName);
    this.grantMailObjects(fn, ['s3:GetObject'], access.read);
    if (access.write) this.grantMailObjects(fn, ['s3:PutObject'], access.write);
  }

  /**
   * Grants object-level `actions` on the given prefixes only (e.g. `bucket/attachments/*`) and acknowledges
   * exactly those wildcard resources for cdk-nag: object keys are generated, so a prefix is the narrowest scope.
   */
  grantMailObjects(grantee: AppFunction, actions: string[], prefixes: MailPrefix[]): void {
    iam.Grant.addToPrincipal({
      grantee: grantee.fn,
      actions,
      resourceArns: prefixes.map((prefix) => this.mailBucket.arnForObjects(`${MAIL_PREFIXES[prefix]}*`)),
    });
    const bucketId = Stack.of(this).getLogicalId(this.mailBucket.node.defaultChild as CfnResource);
    for (const prefix of prefixes) {
      Validations.of(grantee.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${MAIL_PREFIXES[prefix]}*]`,
        reason: `Object keys under ${MAIL_PREFIXES[prefix]} are generated per message; the prefix is the narrowest resource.`,
      });
    }
  }

  private addDnsRecords(zone: route53.IHostedZone, domain: string, mxTarget: string): void {
    // Raw record sets with the names SES returns: the L2 record types would append the zone name to them.
    this.identity.dkimRecords.forEach((record, i) => {
      new route53.CfnRecordSet(this, `DkimCname${i + 1}`, {
        hostedZoneId: zone.hostedZoneId,
        name: record.name,
        type: 'CNAME',
        ttl: '1800',
        resourceRecords: [record.value],
      });
    });
    new route53.MxRecord(this, 'Mx', {
      zone,
      recordName: `${domain}.`,
      values: [{ priority: 10, hostName: mxTarget }],
    });
  }
}
