// infra: inbound mail: SES domain identity, receipt rules → private S3 bucket → ingest function
import { ArnFormat, Aws, type CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, MAIL_PREFIXES, type MailPrefix } from '../../functions/contracts';
import { UPLOAD_LIFETIME_DAYS } from '../../functions/core/api/files';
import type { StageNames } from '../names';
import { AppFunction, functionEntry } from './app-function';
import { RuleSetActivation } from './rule-set-activation';
import type { TicketStore } from './ticket-store';

/** One record the domain needs in DNS; `created` when the stack wrote it into the hosted zone. */
export interface DnsRecord {
  readonly name: string;
  readonly type: 'MX' | 'CNAME' | 'TXT';
  readonly value: string;
  readonly purpose: string;
  readonly created: boolean;
}

/** Where the desks' receipt rules go. */
export type RuleSetChoice =
  /** A rule set of our own, made the region's active set when `activate` (this takes over receiving). */
  | { readonly kind: 'own'; readonly activate: boolean }
  /** Another team's set (normally the active one): our rules are added to it, and it is never (de)activated. */
  | { readonly kind: 'existing'; readonly name: string };

export interface InboundMailProps {
  readonly names: StageNames;
  /** The mail domain SES receives for and sends from, e.g. `help.example.com`. */
  readonly domain: string;
  /** The desks; each gets its own receipt rule (`support+token@` matches `support@` automatically). */
  readonly desks: readonly { readonly id: string; readonly address: string }[];
  /** When given, the DKIM, MX and MAIL FROM records are created in it; otherwise only listed in {@link dnsRecords}. */
  readonly hostedZone?: route53.IHostedZone;
  readonly ruleSet: RuleSetChoice;
  /** A subdomain for SES's envelope sender (`mail.help.example.com`), so SPF aligns too. @default - amazonses.com */
  readonly mailFromDomain?: string;
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

/** Overwritten or deleted objects stay restorable this long (the bucket is versioned). */
export const NONCURRENT_VERSION_DAYS = 30;

/**
 * The SES S3 action without the bucket policy `aws-ses-actions` would add (it checks only the account): the
 * construct writes its own, conditioned on the receipt rules too.
 */
class StoreInBucket implements ses.IReceiptRuleAction {
  constructor(
    private readonly bucket: s3.IBucket,
    private readonly prefix: string,
  ) {}

  bind(): ses.ReceiptRuleActionConfig {
    return { s3Action: { bucketName: this.bucket.bucketName, objectKeyPrefix: this.prefix } };
  }
}

/** Receives the desks' mail and turns every stored message into a call of the ingest function. */
export class InboundMail extends Construct {
  public readonly identity: ses.EmailIdentity;
  public readonly mailBucket: s3.Bucket;
  public readonly ruleSet: ses.IReceiptRuleSet;
  /** The receipt rule set's name: ours (`sesdesk-<stage>`) or the existing one the rules were added to. */
  public readonly ruleSetName: string;
  public readonly rules: ses.ReceiptRule[];
  public readonly ingest: AppFunction;
  /** Events the ingest function failed on after its retries. */
  public readonly ingestFailures: sqs.Queue;
  /** Present only when our own rule set is activated. */
  public readonly activation?: RuleSetActivation;
  /** What DNS must hold for the domain to receive and send (created in the hosted zone when one was given). */
  public readonly dnsRecords: DnsRecord[] = [];

  constructor(scope: Construct, id: string, props: InboundMailProps) {
    super(scope, id);
    const { names } = props;

    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(props.domain),
      dkimSigning: true,
      mailFromDomain: props.mailFromDomain,
      // Mail still goes out (from amazonses.com) while the MAIL FROM MX record is missing.
      mailFromBehaviorOnMxFailure: props.mailFromDomain ? ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE : undefined,
    });
    this.addDnsRecords(props);

    const transitionDays = props.rawMailTransitionDays ?? 90;
    this.mailBucket = new s3.Bucket(this, 'MailBucket', {
      // Bucket-level encryption, not the SES action's kmsKey: SES's own encryption is client-side and
      // would leave the ingest function with an envelope it cannot parse.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Raw mail is the only copy of what customers sent: an overwrite or a mistaken delete can be undone.
      versioned: true,
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
        // uploads/ only stages agents' files until their reply is posted, which copies them under attachments/.
        { id: 'staged-uploads', prefix: MAIL_PREFIXES.uploads, expiration: Duration.days(UPLOAD_LIFETIME_DAYS) },
        {
          id: 'old-versions',
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          expiredObjectDeleteMarker: true,
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });

    if (props.ruleSet.kind === 'own') {
      this.ruleSetName = names.regional();
      this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: this.ruleSetName });
    } else {
      this.ruleSetName = props.ruleSet.name;
      this.ruleSet = ses.ReceiptRuleSet.fromReceiptRuleSetName(this, 'RuleSet', this.ruleSetName);
    }
    const storeRaw = new StoreInBucket(this.mailBucket, MAIL_PREFIXES.inbound);
    this.rules = props.desks.map(
      (desk, i) =>
        new ses.ReceiptRule(this, `Desk${i + 1}`, {
          ruleSet: this.ruleSet,
          // Named, so the bucket policy can name it, and so it never clashes with other rules of a shared set.
          receiptRuleName: names.regional(desk.id),
          recipients: [desk.address],
          scanEnabled: true,
          // OPTIONAL: a public help desk must accept mail from servers that cannot do TLS.
          tlsPolicy: ses.TlsPolicy.OPTIONAL,
          actions: [storeRaw],
        }),
    );
    this.allowSesToStore(props.desks.map((desk) => names.regional(desk.id)));

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

    if (props.ruleSet.kind === 'own' && props.ruleSet.activate) {
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

  /**
   * Lets SES write raw mail under `inbound/` only for our receipt rules in this account (aws:SourceArn and
   * aws:SourceAccount, as the SES guide's policy), so no other account's or rule's mail lands here. Each rule
   * waits for the policy: SES test-writes a setup object when a rule is created.
   */
  private allowSesToStore(ruleNames: readonly string[]): void {
    const stack = Stack.of(this);
    const ruleArns = ruleNames.map((rule) =>
      stack.formatArn({
        service: 'ses',
        resource: 'receipt-rule-set',
        resourceName: `${this.ruleSetName}:receipt-rule/${rule}`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    this.mailBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.mailBucket.arnForObjects(`${MAIL_PREFIXES.inbound}*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': ruleArns } },
      }),
    );
    const policy = this.mailBucket.policy!;
    for (const rule of this.rules) rule.node.addDependency(policy);
  }

  /** Lists (and, with a hosted zone, creates) the MX, DKIM and MAIL FROM records. */
  private addDnsRecords(props: InboundMailProps): void {
    const { domain, hostedZone: zone } = props;
    const created = zone !== undefined;
    const record = (name: string, type: DnsRecord['type'], value: string, purpose: string) =>
      this.dnsRecords.push({ name, type, value, purpose, created });

    const mxTarget = `inbound-smtp.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    record(domain, 'MX', `10 ${mxTarget}`, 'receiving: mail for the desks goes to SES');
    this.identity.dkimRecords.forEach((dkim, i) => {
      record(dkim.name, 'CNAME', dkim.value, `DKIM key ${i + 1} of 3: SES signs outgoing mail for ${domain}`);
      // Raw record sets with the names SES returns: the L2 record types would append the zone name to them.
      if (zone) {
        new route53.CfnRecordSet(this, `DkimCname${i + 1}`, {
          hostedZoneId: zone.hostedZoneId,
          name: dkim.name,
          type: 'CNAME',
          ttl: '1800',
          resourceRecords: [dkim.value],
        });
      }
    });
    if (zone) new route53.MxRecord(this, 'Mx', { zone, recordName: `${domain}.`, values: [{ priority: 10, hostName: mxTarget }] });

    if (props.mailFromDomain) {
      // SES's bounce endpoint is on its own domain, amazonses.com, in every partition it runs in.
      const feedback = `feedback-smtp.${Aws.REGION}.amazonses.com`;
      const spf = 'v=spf1 include:amazonses.com ~all';
      record(props.mailFromDomain, 'MX', `10 ${feedback}`, 'custom MAIL FROM: bounces reach SES');
      record(props.mailFromDomain, 'TXT', `"${spf}"`, 'custom MAIL FROM: SPF passes, aligned with the domain');
      if (zone) {
        new route53.MxRecord(this, 'MailFromMx', {
          zone,
          recordName: `${props.mailFromDomain}.`,
          values: [{ priority: 10, hostName: feedback }],
        });
        new route53.TxtRecord(this, 'MailFromSpf', { zone, recordName: `${props.mailFromDomain}.`, values: [spf] });
      }
    }
  }
}
