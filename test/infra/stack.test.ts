import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App as CdkApp, Stack, type App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTableInput,
  ENV,
  FUNCTION_ENV,
  LOGGED_METRICS,
  MAIL_PREFIXES,
  NOTIFY_STREAM_FILTERS,
  TABLE_ACCESS,
  TERM_KEY_PREFIX,
  TABLE_KEYS,
  WORKFLOW_STREAM_FILTERS,
  type FunctionName,
} from '../../functions/contracts';
import { UPLOAD_LIFETIME_DAYS } from '../../functions/core/api/files';
import { TEAM_GROUP } from '../../functions/core/api/auth';
import { AppFunction, functionEntry } from '../../lib/constructs/app-function';
import { contentSecurityPolicy } from '../../lib/constructs/dashboard';
import { NONCURRENT_VERSION_DAYS, type DnsRecord } from '../../lib/constructs/inbound-mail';
import type { SesDeskStack } from '../../lib/sesdesk-stack';
import { STACK_OUTPUTS } from '../../lib/stack-outputs';
import { parseConfig } from '../../web/src/config';
import { buildTestApp, deployedFile, STAGING_DESK_CONFIG } from './support/test-app';
import { makeWorkspace } from './support/workspace';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** A receipt rule's ARN as the agnostic template writes it (partition, region and account from pseudo parameters). */
const receiptRuleArn = (ruleSet: string, rule: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ses:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:receipt-rule-set/${ruleSet}:receipt-rule/${rule}`,
    ],
  ],
});

/** Every statement of the identity policies attached to one role. */
function statementsOfRole(template: Template, roleLogicalId: string): { Action: string | string[]; Resource: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy') as Resources;
  return Object.values(policies)
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The logical id of a construct's CloudFormation resource. */
const logicalId = (stack: SesDeskStack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** `action resource` for every statement of a function's role, one line per action and resource. */
function grantsOf(template: Template, stack: SesDeskStack, appFunction: AppFunction): string[] {
  return statementsOfRole(template, logicalId(stack, appFunction.role)).flatMap((st) =>
    asArray(st.Action).flatMap((action) => asArray(st.Resource).map((resource) => `${action} ${JSON.stringify(resource)}`)),
  );
}

/** The stack's `DnsRecords` output, parsed (tokens stay as CloudFormation intrinsics inside the strings). */
function dnsRecordsOutput(template: Template): DnsRecord[] {
  const output = template.findOutputs(STACK_OUTPUTS.dnsRecords)[STACK_OUTPUTS.dnsRecords] as { Value: unknown };
  const joined = output.Value as { 'Fn::Join': [string, unknown[]] };
  const text = joined['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text) as DnsRecord[];
}

/** What every function gets besides its contract: Powertools' settings and source maps. */
const SHARED_VARIABLES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];
/** The Parameters and Secrets extension's own settings, which its layer brings along. */
const SECRETS_EXTENSION_VARIABLE = /^(?:PARAMETERS_SECRETS_EXTENSION_|SECRETS_MANAGER_|SSM_PARAMETER_STORE_)/;

describe('stage prod (the default) with a hosted zone, activation, a MAIL FROM domain, alarms and a dashboard', () => {
  let stack: SesDeskStack;
  let template: Template;
  let appFunctions: AppFunction[];
  let app: App;

  beforeAll(() => {
    const built = buildTestApp({
      context: {
        hostedZoneId: 'Z0123456789ABC',
        hostedZoneName: 'example.com',
        mailFromDomain: 'mail.help.example.com',
        alarmEmail: 'ops@example.com',
        noMailAlarmHours: '6',
        metricsDashboard: 'true',
      },
    });
    stack = built.stack;
    app = built.app;
    template = Template.fromStack(stack);
    appFunctions = stack.node.findAll().filter((c): c is AppFunction => c instanceof AppFunction);
  });

  const variables = (appFunction: AppFunction) =>
    template.toJSON().Resources[stack.getLogicalId(appFunction.fn.node.defaultChild as never)].Properties.Environment.Variables as Record<
      string,
      unknown
    >;

  it('sets exactly the variables each function contract names, and grants the table and secret with them', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
    const tableId = stack.getLogicalId(stack.store.table.node.defaultChild as never);
    const secretId = stack.getLogicalId(stack.tokenSecret.node.defaultChild as never);
    const problems: string[] = [];

    for (const [name, wanted] of Object.entries(FUNCTION_ENV) as [FunctionName, readonly string[]][]) {
      const fn = functions.find((f) =>
        JSON.stringify(f.Properties.Environment ?? {}).includes(`"POWERTOOLS_SERVICE_NAME":"sesdesk-${name}"`),
      );
      expect(fn, `no function for functions/${name}/handler.ts`).toBeDefined();
      const variables = (fn!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const set = Object.keys(variables);
      expect(set.filter((v) => !SHARED_VARIABLES.includes(v) && !SECRETS_EXTENSION_VARIABLE.test(v)).sort(), name).toEqual(
        [...wanted].sort(),
      );
      // The reply-token key is read through the extension's local endpoint: its layer goes with the key, and only there.
      const readsSecret = wanted.includes(ENV.tokenSecretArn);
      expect((fn!.Properties.Layers as unknown[] | undefined)?.length ?? 0, `${name} layers`).toBe(readsSecret ? 1 : 0);
      expect(variables.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, `${name} extension port`).toBe(readsSecret ? '2773' : undefined);

      const roleId = (fn!.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const granted = statementsOfRole(template, roleId).flatMap((st) =>
        asArray(st.Action).map((action) => `${action} ${JSON.stringify(st.Resource)}`),
      );
      const has = (action: string, resource: string) => granted.some((g) => g.startsWith(`${action} `) && g.includes(resource));
      if (wanted.includes(ENV.tableName)) {
        for (const action of TABLE_ACCESS[name].actions) {
          if (!has(`dynamodb:${action}`, `"${tableId}"`)) problems.push(`${name}: dynamodb:${action} on the table is not granted`);
        }
      }
      if (wanted.includes(ENV.tokenSecretArn) && !has('secretsmanager:GetSecretValue', `{"Ref":"${secretId}"}`)) {
        problems.push(`${name}: secretsmanager:GetSecretValue on the token secret is not granted`);
      }
    }

    expect(problems).toEqual([]);
  });

  it('fails synthesis when a function is given a variable its contract does not name, or misses one', () => {
    // No bundling: the validation under test runs before any asset is built.
    const scratch = new Stack(new CdkApp({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Scratch');
    const fn = new AppFunction(scratch, 'Bounces', {
      entry: functionEntry('bounces'),
      serviceName: 'sesdesk-bounces',
      description: 'test',
      contract: 'bounces',
    });
    fn.setEnv(ENV.mailBucket, 'a-bucket');
    // The same validations `cdk synth` runs on every construct, and fails on.
    expect(fn.node.validate().join('\n')).toMatch(
      /reads TABLE_NAME, which the stack does not set[\s\S]*given MAIL_BUCKET, which it never reads/,
    );
  });

  it('reports no unacknowledged cdk-nag AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    const findings = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('has one receipt rule per desk address, scanning, TLS optional, storing raw mail under inbound/', () => {
    for (const address of ['support@help.example.com', 'billing@help.example.com']) {
      template.hasResourceProperties('AWS::SES::ReceiptRule', {
        Rule: {
          Recipients: [address],
          Enabled: true,
          ScanEnabled: true,
          TlsPolicy: 'Optional',
          Actions: [{ S3Action: { BucketName: Match.anyValue(), ObjectKeyPrefix: 'inbound/', KmsKeyArn: Match.absent() } }],
        },
      });
    }
    template.resourceCountIs('AWS::SES::ReceiptRule', 2);
  });

  it('names the stack and every resource it names after the stage', () => {
    expect(stack.stackName).toBe('SesDesk-prod');
    template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'sesdesk-prod' });
    for (const desk of ['support', 'billing']) {
      template.hasResourceProperties('AWS::SES::ReceiptRule', {
        RuleSetName: { Ref: Match.anyValue() },
        Rule: Match.objectLike({ Name: `sesdesk-prod-${desk}` }),
      });
    }
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'sesdesk-prod' });
    template.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolName: 'sesdesk-prod-team' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'sesdesk-prod-api' });
    const regionScoped = (what: string) => ({ 'Fn::Join': ['', ['sesdesk-prod-', { Ref: 'AWS::Region' }, `-${what}`]] });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({ Name: regionScoped('web-headers') }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({ Name: regionScoped('api-headers') }),
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ Name: regionScoped('site') }),
    });
  });

  it('activates its own rule set through the custom resource', () => {
    template.hasResourceProperties('Custom::SesActiveReceiptRuleSet', {
      RuleSetName: { Ref: logicalId(stack, stack.inbound.ruleSet) },
    });
  });

  it('keeps the reply-token key when the stack is deleted, like the table and the mail', () => {
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }),
    });
  });

  it('lets SES write only inbound/, only for our receipt rules in this account, and denies any request without TLS', () => {
    const mailBucketId = stack.getLogicalId(stack.inbound.mailBucket.node.defaultChild as never);
    const ruleArn = (rule: string) => receiptRuleArn('sesdesk-prod', rule);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: mailBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': [ruleArn('sesdesk-prod-support'), ruleArn('sesdesk-prod-billing')],
              },
            },
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [mailBucketId, 'Arn'] }, '/inbound/*']] },
          }),
        ]),
      },
    });
    // Exactly one statement for SES: CDK's own S3 action (account only) is not used.
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: mailBucketId } } }))[0]!;
    const sesStatements = (policy.Properties.PolicyDocument.Statement as { Principal?: { Service?: string } }[]).filter(
      (st) => st.Principal?.Service === 'ses.amazonaws.com',
    );
    expect(sesStatements).toHaveLength(1);
    // SES test-writes a setup object when a rule is created: every rule waits for the policy.
    for (const rule of Object.values(template.findResources('AWS::SES::ReceiptRule'))) {
      expect(rule.DependsOn).toEqual(expect.arrayContaining([logicalId(stack, stack.inbound.mailBucket.policy!)]));
    }
  });

  it('keeps the mail bucket private, encrypted with SSE-S3, versioned, with lifecycle rules for raw mail, old versions and staged uploads', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'raw-mail', Prefix: 'inbound/', Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 90 }] }),
          Match.objectLike({ Id: 'staged-uploads', Prefix: MAIL_PREFIXES.uploads, ExpirationInDays: UPLOAD_LIFETIME_DAYS }),
          Match.objectLike({
            Id: 'old-versions',
            Prefix: Match.absent(),
            NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_DAYS },
            ExpiredObjectDeleteMarker: true,
          }),
        ]),
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('grants each function exactly the DynamoDB actions and indexes it uses: no delete or scan for anyone, batch writes on search terms only', () => {
    const tableId = logicalId(stack, stack.store.table);
    const tableArn = JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] });
    const byFunction: [FunctionName, AppFunction][] = [
      ['ingest', stack.inbound.ingest],
      ['notify', stack.outbound.notify],
      ['api', stack.dashboard.apiHandler],
      ['bounces', stack.outbound.bounces],
    ];
    for (const [name, appFunction] of byFunction) {
      const grants = grantsOf(template, stack, appFunction).filter((g) => g.startsWith('dynamodb:'));
      // The stream mapping's own rights (notify only) are on the stream, not the table.
      const onStream = grants.filter((g) => g.includes('StreamArn')).map((g) => g.split(' ')[0]);
      const dynamo = grants.filter((g) => !g.includes('StreamArn'));
      expect(onStream.sort(), name).toEqual(
        name === 'notify' ? ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'] : [],
      );
      const onTable = dynamo.filter((g) => g.endsWith(` ${tableArn}`)).map((g) => g.split(' ')[0]);
      const onIndexes = dynamo.filter((g) => !g.endsWith(` ${tableArn}`));

      const batches: string[] = TABLE_ACCESS[name].termBatches ? ['BatchWriteItem'] : [];
      expect(onTable.sort(), name).toEqual([...TABLE_ACCESS[name].actions, ...batches].map((a) => `dynamodb:${a}`).sort());
      expect(onIndexes.sort(), name).toEqual(
        [...TABLE_ACCESS[name].indexes]
          .sort()
          .map(
            (index) => `dynamodb:Query ${JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${index}`]] })}`,
          ),
      );
    }
    expect(TABLE_ACCESS.bounces.actions).toEqual(['GetItem', 'PutItem', 'UpdateItem']);
    const everything = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    for (const action of ['dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:*']) expect(everything).not.toContain(`"${action}"`);
    // A batch can delete: every BatchWriteItem grant is held to search-term keys, alone in its statement.
    const statements = Object.values(template.findResources('AWS::IAM::Policy') as Resources).flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Condition?: unknown }[] }).Statement,
    );
    const batchGrants = statements.filter((st) => asArray(st.Action).includes('dynamodb:BatchWriteItem'));
    expect(batchGrants).toHaveLength(2);
    for (const grant of batchGrants) {
      expect(grant).toMatchObject({
        Action: 'dynamodb:BatchWriteItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${TERM_KEY_PREFIX}*`] } },
      });
    }
  });

  it('notifies the ingest function for objects under inbound/ only', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'inbound/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [stack.getLogicalId(stack.inbound.ingest.fn.node.defaultChild as never), 'Arn'] },
          },
        ],
      },
    });
  });

  it('sends failed asynchronous ingest events to a queue after two retries', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('IngestFailures'), 'Arn'] } } },
    });
  });

  it('creates the DKIM CNAMEs, the MX record and the MAIL FROM records in the hosted zone, and lists them as an output', () => {
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'CNAME', HostedZoneId: 'Z0123456789ABC' }, 3);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'MX',
      Name: 'help.example.com.',
      ResourceRecords: [{ 'Fn::Join': ['', ['10 inbound-smtp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] }],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'MX',
      Name: 'mail.help.example.com.',
      ResourceRecords: [{ 'Fn::Join': ['', ['10 feedback-smtp.', { Ref: 'AWS::Region' }, '.amazonses.com']] }],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'TXT',
      Name: 'mail.help.example.com.',
      ResourceRecords: ['"v=spf1 include:amazonses.com ~all"'],
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'help.example.com',
      DkimAttributes: { SigningEnabled: true },
      MailFromAttributes: { MailFromDomain: 'mail.help.example.com', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
    });
    const records = dnsRecordsOutput(template);
    expect(records.map((r) => `${r.type} ${r.created}`)).toEqual([
      'MX true',
      'CNAME true',
      'CNAME true',
      'CNAME true',
      'MX true',
      'TXT true',
    ]);
  });

  it('builds the table from the shared key and index constants', () => {
    const expected = createTableInput('unused');
    const sortByName = (a: { AttributeName: string }, b: { AttributeName: string }) => a.AttributeName.localeCompare(b.AttributeName);
    const tables = template.findResources('AWS::DynamoDB::GlobalTable') as Resources;
    const [table] = Object.values(tables);
    const props = table!.Properties as {
      AttributeDefinitions: { AttributeName: string }[];
      KeySchema: unknown;
      GlobalSecondaryIndexes: { IndexName: string }[];
    };

    expect(Object.keys(tables)).toHaveLength(1);
    expect([...props.AttributeDefinitions].sort(sortByName)).toEqual([...expected.AttributeDefinitions].sort(sortByName));
    expect(props.KeySchema).toEqual(expected.KeySchema);
    expect([...props.GlobalSecondaryIndexes].sort((a, b) => a.IndexName.localeCompare(b.IndexName))).toEqual(
      [...expected.GlobalSecondaryIndexes].sort((a, b) => a.IndexName.localeCompare(b.IndexName)),
    );
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
      Replicas: [
        Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
  });

  it('feeds the notify function only delivery inserts and updates, with bounded retries and an on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: stack.getLogicalId(stack.outbound.notify.fn.node.defaultChild as never) },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('NotifyFailures'), 'Arn'] } } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT', 'MODIFY'],
              dynamodb: { NewImage: { type: { S: ['delivery'] }, status: { S: ['pending'] } } },
            }),
          },
          // Tickets, new messages, failed deliveries and retried webhooks: notifications and webhooks (issue 13).
          ...WORKFLOW_STREAM_FILTERS.map((filter) => ({ Pattern: JSON.stringify(filter) })),
        ],
      },
    });
  });

  it('keeps every stream mapping within the 5 filters Lambda allows per event source', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping') as Resources);
    const filterCounts = mappings.map((m) => (m.Properties.FilterCriteria as { Filters?: unknown[] } | undefined)?.Filters?.length ?? 0);
    expect(filterCounts).toContain(NOTIFY_STREAM_FILTERS.length);
    for (const count of filterCounts) expect(count).toBeLessThanOrEqual(5);
  });

  it('reserves concurrency for the notify function to protect the SES sending rate', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'sesdesk-notify' }) },
      ReservedConcurrentExecutions: 2,
    });
  });

  it('allows SendRawEmail only on the desk identities and the configuration set', () => {
    const statements = statementsOfRole(template, stack.getLogicalId(stack.outbound.notify.role.node.defaultChild as never));
    const send = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('ses:')));

    expect(send).toHaveLength(1);
    expect(send[0]!.Action).toBe('ses:SendRawEmail');
    const resources = JSON.stringify(send[0]!.Resource);
    for (const fragment of [
      ':identity/help.example.com"',
      ':identity/support@help.example.com"',
      ':identity/billing@help.example.com"',
      ':configuration-set/"',
    ]) {
      expect(resources).toContain(fragment);
    }
    expect(asArray(send[0]!.Resource)).toHaveLength(4);
  });

  it('publishes bounces and complaints of the configuration set to the topic the bounces function reads', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: { Enabled: true, MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: { TopicARN: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [stack.getLogicalId(stack.outbound.bounces.fn.node.defaultChild as never), 'Arn'] },
    });
  });

  it('lets only the feedback topic invoke the bounces function, and only SES, for our configuration set, publish to the topic', () => {
    // A notification the bounces function receives can end a delivery and mark its ticket: it must come from SES.
    const fn = logicalId(stack, stack.outbound.bounces.fn);
    const topic = logicalId(stack, stack.outbound.feedbackTopic);
    const invokers = Object.values(template.findResources('AWS::Lambda::Permission') as Resources).filter(
      (p) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [fn, 'Arn'] }),
    );
    expect(invokers.map((p) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
        Principal: 'sns.amazonaws.com',
        SourceArn: { Ref: topic },
      },
    ]);
    const topicPolicies = Object.values(template.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: topic }] } }));
    const allows = topicPolicies
      .flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: { Effect: string; Principal: unknown; Condition?: unknown }[] }).Statement,
      )
      .filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'ses.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceAccount': expect.anything(), 'AWS:SourceArn': expect.anything() } },
    });
    const sourceArn = JSON.stringify(allows[0]!.Condition);
    expect(sourceArn).toContain(':configuration-set/');
    expect(sourceArn).toContain(JSON.stringify({ Ref: logicalId(stack, stack.outbound.configurationSet) }));
  });

  it('runs every function on Node.js 24 and arm64 with JSON logs and a one-month log group', () => {
    expect(appFunctions.map((f) => f.node.path).sort()).toEqual([
      'SesDesk-prod/Dashboard/ApiHandler',
      'SesDesk-prod/InboundMail/Activation/Handler',
      'SesDesk-prod/InboundMail/Ingest',
      'SesDesk-prod/OutboundMail/Bounces',
      'SesDesk-prod/OutboundMail/Notify',
    ]);
    for (const appFunction of appFunctions) {
      const id = stack.getLogicalId(appFunction.fn.node.defaultChild as never);
      const fn = template.toJSON().Resources[id];
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON' },
      });
    }
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, appFunctions.length);
  });

  it('gives the functions the environment they read, with the secret by ARN only', () => {
    expect(Object.keys(variables(stack.inbound.ingest))).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'DESK_CONFIG', 'TOKEN_SECRET_ARN', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL']),
    );
    expect(Object.keys(variables(stack.outbound.notify))).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'DESK_CONFIG', 'TOKEN_SECRET_ARN', 'SES_CONFIGURATION_SET']),
    );
    expect(variables(stack.dashboard.apiHandler)).toMatchObject({ AUTH_MODE: 'cognito' });
    expect(variables(stack.inbound.ingest).TOKEN_SECRET_ARN).toEqual({
      Ref: stack.getLogicalId(stack.tokenSecret.node.defaultChild as never),
    });
    // DESK_CONFIG carries the dashboard address, known only once the distribution exists.
    expect(JSON.stringify(variables(stack.outbound.notify).DESK_CONFIG)).toContain('DomainName');
    expect(JSON.stringify(variables(stack.outbound.notify).DESK_CONFIG)).toContain('support@help.example.com');
  });

  it('grants no wildcard resource to the functions except where AWS requires one', () => {
    const mailBucketId = stack.getLogicalId(stack.inbound.mailBucket.node.defaultChild as never);
    const prefixOf = (resource: unknown): string | undefined =>
      ['inbound', 'attachments', 'bodies', 'uploads', 'quarantine'].find(
        (prefix) =>
          JSON.stringify(resource) === JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [mailBucketId, 'Arn'] }, `/${prefix}/*`]] }),
      );
    const wildcards: string[] = [];

    for (const appFunction of appFunctions) {
      for (const statement of statementsOfRole(template, stack.getLogicalId(appFunction.role.node.defaultChild as never))) {
        for (const action of asArray(statement.Action)) expect(action, `${appFunction.node.path}: action ${action}`).not.toContain('*');
        for (const resource of asArray(statement.Resource)) {
          if (!JSON.stringify(resource).includes('*')) continue;
          const where = resource === '*' ? '*' : (prefixOf(resource) ?? JSON.stringify(resource));
          wildcards.push(`${appFunction.node.id} ${asArray(statement.Action).join(',')} ${where}`);
        }
      }
    }

    // The only exceptions: S3 keys are generated per message, so a key prefix is the narrowest resource,
    // and SES receipt rule set activation supports no resource-level permissions.
    expect(wildcards.sort()).toEqual(
      [
        'ApiHandler s3:GetObject attachments',
        'ApiHandler s3:GetObject bodies',
        'ApiHandler s3:GetObject inbound',
        'ApiHandler s3:GetObject quarantine',
        'ApiHandler s3:GetObject uploads',
        'ApiHandler s3:PutObject attachments',
        'ApiHandler s3:PutObject bodies',
        'ApiHandler s3:PutObject quarantine',
        'ApiHandler s3:PutObject uploads',
        'Handler ses:DescribeActiveReceiptRuleSet,ses:SetActiveReceiptRuleSet *',
        'Ingest s3:GetObject inbound',
        'Ingest s3:PutObject attachments',
        'Ingest s3:PutObject bodies',
        'Ingest s3:PutObject quarantine',
        'Notify s3:GetObject attachments',
      ].sort(),
    );
  });

  it('protects every API route but the unsubscribe link (GET to confirm, POST to act) with the Cognito JWT authorizer', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources);
    const byKey = new Map(routes.map((r) => [r.Properties.RouteKey as string, r.Properties]));
    const clientId = stack.getLogicalId(stack.dashboard.userPoolClient.node.defaultChild as never);

    expect([...byKey.keys()].sort()).toEqual(['ANY /api/{proxy+}', 'GET /api/unsubscribe', 'POST /api/unsubscribe']);
    expect(byKey.get('ANY /api/{proxy+}')).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: expect.stringMatching(/TeamMember/) },
    });
    for (const key of ['GET /api/unsubscribe', 'POST /api/unsubscribe']) {
      expect(byKey.get(key)).toMatchObject({ AuthorizationType: 'NONE' });
      expect(byKey.get(key)!.AuthorizerId).toBeUndefined();
      // Every route reaches the same function: the handler decides which routes are public (isPublicRoute).
      expect(byKey.get(key)!.Target).toEqual(byKey.get('ANY /api/{proxy+}')!.Target);
    }
    // The web app sends the ID token, whose audience is the app client id.
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: { 'Fn::Join': ['', Match.arrayWith([{ Ref: stack.getLogicalId(stack.dashboard.userPool.node.defaultChild as never) }])] },
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('gives the API the reply-token secret to verify unsubscribe links, by ARN and read-only', () => {
    const secretId = stack.getLogicalId(stack.tokenSecret.node.defaultChild as never);
    const statements = statementsOfRole(template, stack.getLogicalId(stack.dashboard.apiHandler.role.node.defaultChild as never));
    const secretStatements = statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('secretsmanager:')));

    expect(variables(stack.dashboard.apiHandler).TOKEN_SECRET_ARN).toEqual({ Ref: secretId });
    expect(secretStatements).toHaveLength(1);
    expect(asArray(secretStatements[0]!.Action).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(secretStatements[0]!.Resource).toEqual({ Ref: secretId });
  });

  it('serves the API under the dashboard address, uncached and with the Authorization header, so mail links reach it', () => {
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution') as Resources)[0]!;
    const config = distribution.Properties.DistributionConfig as {
      CacheBehaviors: Record<string, unknown>[];
      Origins: { Id: string; DomainName: unknown; CustomOriginConfig?: unknown }[];
      CustomErrorResponses?: unknown;
    };
    const [api] = config.CacheBehaviors;

    expect(config.CacheBehaviors).toHaveLength(1);
    expect(api).toMatchObject({
      PathPattern: '/api/*',
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS']),
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
    });
    const origin = config.Origins.find((o) => o.Id === api!.TargetOriginId)!;
    expect(JSON.stringify(origin.DomainName)).toContain(stack.getLogicalId(stack.dashboard.api.node.defaultChild as never));
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    // Distribution-wide error pages would turn the API's 403 and 404 answers into index.html.
    expect(config.CustomErrorResponses).toBeUndefined();
    // Same origin: no CORS on the API, and none needed.
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
  });

  it('creates the Cognito group team, which the API admits as team members', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: TEAM_GROUP,
      UserPoolId: { Ref: stack.getLogicalId(stack.dashboard.userPool.node.defaultChild as never) },
    });
    expect(TEAM_GROUP).toBe('team');
  });

  it('admits only administrator-created team members with a strong password policy and optional TOTP, on the Essentials plan', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireUppercase: true }) },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'ESSENTIALS',
      UserPoolAddOns: Match.absent(),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      GenerateSecret: false,
    });
  });

  it('serves the web app from a private bucket through CloudFront origin access control with security headers', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        Origins: Match.arrayWith([
          Match.objectLike({
            OriginAccessControlId: { 'Fn::GetAtt': [Match.anyValue(), 'Id'] },
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ]),
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https', ResponseHeadersPolicyId: Match.anyValue() }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: Match.anyValue(), Override: true },
          StrictTransportSecurity: Match.objectLike({ IncludeSubdomains: true, Override: true }),
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: stack.getLogicalId(stack.dashboard.siteBucket.node.defaultChild as never) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('deploys the web app with a generated config.json and invalidates the distribution', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      SourceObjectKeys: [Match.anyValue(), Match.anyValue()],
      SourceMarkers: [Match.anyValue(), Match.objectLike({ '<<marker:0xbaba:0>>': Match.anyValue() })],
      DistributionPaths: ['/*'],
      Prune: true,
    });
  });

  it('writes a config.json the web app accepts for Cognito sign-in', () => {
    const raw = JSON.parse(readFileSync(deployedFile(app, 'config.json'), 'utf8')) as Record<string, unknown>;

    expect(raw).toMatchObject({ auth: 'cognito' });
    expect(raw).not.toHaveProperty('authMode');
    // Tokens are markers in the asset; any string stands in for the deployed ids.
    expect(parseConfig(raw)).toMatchObject({
      auth: 'cognito',
      apiUrl: expect.stringContaining('<<marker:'),
      region: expect.stringContaining('<<marker:'),
      userPoolId: expect.stringContaining('<<marker:'),
      userPoolClientId: expect.stringContaining('<<marker:'),
    });
  });

  it('allows in its CSP what the web app loads: any image, inline styles, and fetches to itself, Cognito and S3 only', () => {
    const directives = new Map(
      contentSecurityPolicy('eu-west-1')
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name!, values]),
    );
    const rhp = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy') as Resources).map((r) =>
      JSON.stringify((r.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: unknown }).SecurityHeadersConfig),
    );

    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'https:', 'http:']);
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual([
      "'self'",
      'https://cognito-idp.eu-west-1.amazonaws.com',
      'https://*.s3.eu-west-1.amazonaws.com',
      'https://*.s3.amazonaws.com',
    ]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    // The dashboard's policy is that function's output for the stack's region.
    expect(
      rhp.some(
        (json) => json.includes('cognito-idp.') && json.includes('AWS::Region') && json.includes("img-src 'self' data: blob: https: http:"),
      ),
    ).toBe(true);
  });

  it('alarms on every way mail can fail unseen, and emails the alarms', () => {
    const alarm = (props: Record<string, unknown>) =>
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...props, AlarmActions: [Match.anyValue()] });
    const fnRef = (appFunction: AppFunction) => ({ Name: 'FunctionName', Value: { Ref: logicalId(stack, appFunction.fn) } });

    // A metric per logged failure, counted from the structured log line core writes, and alarmed on.
    for (const [metric, appFunction] of [
      [LOGGED_METRICS.deliveryFailed, stack.outbound.notify],
      [LOGGED_METRICS.ingestFailed, stack.inbound.ingest],
    ] as const) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: logicalId(stack, appFunction.logGroup) },
        FilterPattern: `{ $.metric = "${metric}" }`,
        MetricTransformations: [{ MetricNamespace: 'sesdesk/prod', MetricName: metric, MetricValue: '1', DefaultValue: Match.absent() }],
      });
      alarm({ Namespace: 'sesdesk/prod', MetricName: metric, Statistic: 'Sum', Threshold: 1 });
    }
    // Errors and throttles of each of the four functions.
    for (const appFunction of [stack.inbound.ingest, stack.outbound.notify, stack.outbound.bounces, stack.dashboard.apiHandler]) {
      for (const metric of ['Errors', 'Throttles'])
        alarm({ Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [fnRef(appFunction)] });
    }
    // The stream backlog of notify, and records it gave up on (the on-failure queue), like the other two failure queues.
    alarm({ MetricName: 'IteratorAge', Dimensions: [fnRef(stack.outbound.notify)], Statistic: 'Maximum', Threshold: 600_000 });
    for (const queue of [stack.outbound.notifyFailures, stack.inbound.ingestFailures, stack.outbound.bouncesFailures]) {
      alarm({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, queue), 'QueueName'] } }],
      });
    }
    alarm({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: Match.arrayWith([{ Name: 'ApiId', Value: { Ref: logicalId(stack, stack.dashboard.api) } }]),
    });
    // No mail for 6 hours (context noMailAlarmHours): missing Invocations count as silence.
    alarm({
      MetricName: 'Invocations',
      Dimensions: [fnRef(stack.inbound.ingest)],
      Period: 6 * 3600,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    for (const metric of ['Reputation.BounceRate', 'Reputation.ComplaintRate']) alarm({ Namespace: 'AWS/SES', MetricName: metric });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2 + 8 + 1 + 3 + 1 + 1 + 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    // The alarm topic lets CloudWatch of this account publish; no customer managed key anywhere.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['sesdesk-prod-', { Ref: 'AWS::Region' }, '-dashboard']] },
    });
  });

  it('keeps SES notifications the bounces function could not record: async on-failure and SNS dead-letter queue', () => {
    const queue = logicalId(stack, stack.outbound.bouncesFailures);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack, stack.outbound.bounces.fn) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [logicalId(stack, stack.outbound.bounces.fn), 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [queue, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sqs:SendMessage',
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: logicalId(stack, stack.outbound.feedbackTopic) } } },
          }),
        ]),
      },
    });
  });

  it('synthesises offline through the same path as cdk synth, with the cdk-nag plugin registered', () => {
    const { app } = buildTestApp();

    expect(() => app.synth()).not.toThrow();
  });
});

describe('stage prod without a hosted zone, activation or an alarm email', () => {
  let template: Template;

  beforeAll(() => {
    template = Template.fromStack(buildTestApp({ context: { activateRuleSet: false, rawMailExpirationDays: '365' } }).stack);
  });

  it('lists the DKIM and MX records in an output instead of creating them', () => {
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    const records = dnsRecordsOutput(template);

    expect(records.map((r) => `${r.type} ${r.created}`)).toEqual(['MX false', 'CNAME false', 'CNAME false', 'CNAME false']);
    expect(records[0]).toMatchObject({ name: 'help.example.com', value: expect.stringContaining('10 inbound-smtp.') });
  });

  it('leaves receiving alone: no activation resource', () => {
    template.resourceCountIs('Custom::SesActiveReceiptRuleSet', 0);
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
  });

  it('expires raw mail when asked to', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'raw-mail', ExpirationInDays: 365 })]) },
    });
  });

  it('creates no alarm (and no topic) without an alarm email, but still counts logged failures into metrics', () => {
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::Logs::MetricFilter', 2);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});

describe('stage staging, adding its rules to an existing rule set, MFA required, threat protection', () => {
  let stack: SesDeskStack;
  let template: Template;

  beforeAll(() => {
    const built = buildTestApp({
      workspace: makeWorkspace(STAGING_DESK_CONFIG),
      context: {
        stage: 'staging',
        domain: 'staging.help.example.com',
        activateRuleSet: undefined,
        receiptRuleSet: 'their-inbound',
        mfa: 'required',
        threatProtection: 'true',
        noMailAlarmHours: 'off',
        alarmEmail: 'ops@example.com',
      },
    });
    stack = built.stack;
    template = Template.fromStack(stack);
  });

  it('adds its rule to the existing set, creates no rule set of its own and never touches which set is active', () => {
    expect(stack.stackName).toBe('SesDesk-staging');
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    template.resourceCountIs('Custom::SesActiveReceiptRuleSet', 0);
    // ingest, notify, api, bounces and CDK's S3 notification and web deployment functions: no activation handler.
    template.resourceCountIs('AWS::Lambda::Function', 6);
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      RuleSetName: 'their-inbound',
      Rule: Match.objectLike({ Name: 'sesdesk-staging-support', Recipients: ['support@staging.help.example.com'] }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': [receiptRuleArn('their-inbound', 'sesdesk-staging-support')],
              },
            },
          }),
        ]),
      },
    });
    expect(stack.node.tryFindChild('InboundMail')?.node.tryFindChild('Activation')).toBeUndefined();
  });

  it('requires TOTP MFA and uses the Plus plan for threat protection', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('has no no-mail alarm when it is off, and no CloudWatch dashboard unless asked for', () => {
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'Invocations' }, 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  it('reports no unacknowledged cdk-nag finding with MFA required and the Plus plan', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('two stages, and one stage in two regions', () => {
  let prod: Record<string, unknown>;
  let staging: Record<string, unknown>;

  beforeAll(() => {
    const context = { alarmEmail: 'ops@example.com', metricsDashboard: 'true' };
    prod = Template.fromStack(buildTestApp({ context: { ...context, stage: 'prod' } }).stack).toJSON();
    staging = Template.fromStack(
      buildTestApp({
        workspace: makeWorkspace(STAGING_DESK_CONFIG),
        context: { ...context, stage: 'staging', domain: 'staging.help.example.com' },
      }).stack,
    ).toJSON();
  });

  /** Names unique in a region (SES, Cognito, API Gateway) and across the account (CloudFront, CloudWatch dashboards). */
  const NAMED: Record<string, { path: string[]; scope: 'region' | 'account' }> = {
    'AWS::SES::ReceiptRuleSet': { path: ['RuleSetName'], scope: 'region' },
    'AWS::SES::ReceiptRule': { path: ['Rule', 'Name'], scope: 'region' },
    'AWS::SES::ConfigurationSet': { path: ['Name'], scope: 'region' },
    'AWS::SES::EmailIdentity': { path: ['EmailIdentity'], scope: 'region' },
    'AWS::Cognito::UserPool': { path: ['UserPoolName'], scope: 'region' },
    'AWS::ApiGatewayV2::Api': { path: ['Name'], scope: 'region' },
    'AWS::CloudFront::ResponseHeadersPolicy': { path: ['ResponseHeadersPolicyConfig', 'Name'], scope: 'account' },
    'AWS::CloudFront::OriginAccessControl': { path: ['OriginAccessControlConfig', 'Name'], scope: 'account' },
    'AWS::CloudWatch::Dashboard': { path: ['DashboardName'], scope: 'account' },
  };
  /** Properties that give a physical name; when absent CloudFormation derives one from the stack name. */
  const GENERATED = ['BucketName', 'TableName', 'FunctionName', 'QueueName', 'TopicName', 'RoleName', 'LogGroupName', 'AlarmName'];

  /** `scope:name` of every resource the template names, with AWS::Region resolved to `region`. */
  function physicalNames(template: Record<string, unknown>, region: string): string[] {
    const resolve = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      return parts
        .map((part) => (typeof part === 'string' ? part : JSON.stringify(part) === '{"Ref":"AWS::Region"}' ? region : '?'))
        .join(separator);
    };
    const names: string[] = [];
    for (const resource of Object.values(
      (template as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }).Resources,
    )) {
      const named = NAMED[resource.Type];
      if (named) {
        const value = named.path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], resource.Properties);
        names.push(`${named.scope === 'region' ? region : 'account'}:${resolve(value)}`);
        continue;
      }
      for (const key of GENERATED) {
        const value = resource.Properties?.[key];
        if (typeof value === 'string') names.push(`${region}:${resource.Type}.${key}=${value}`);
      }
    }
    return names;
  }

  it('gives every resource it names the stage, so two stages share no name', () => {
    const prodNames = physicalNames(prod, 'eu-west-1');
    const stagingNames = physicalNames(staging, 'eu-west-1');

    expect(prodNames.length).toBeGreaterThanOrEqual(10);
    expect(prodNames.filter((name) => stagingNames.includes(name))).toEqual([]);
    // Our names carry the stage; nothing else is named literally (CloudFormation derives those from SesDesk-<stage>).
    const withoutScope = (names: string[]) => names.map((name) => name.slice(name.indexOf(':') + 1));
    expect(withoutScope(prodNames).filter((name) => !name.startsWith('sesdesk-prod') && name !== 'help.example.com')).toEqual([]);
    expect(withoutScope(stagingNames).filter((name) => !name.startsWith('sesdesk-staging') && name !== 'staging.help.example.com')).toEqual(
      [],
    );
    expect(withoutScope(prodNames)).toEqual(
      expect.arrayContaining([
        'sesdesk-prod',
        'sesdesk-prod-support',
        'sesdesk-prod-api',
        'sesdesk-prod-eu-west-1-web-headers',
        'sesdesk-prod-eu-west-1-dashboard',
      ]),
    );
  });

  it('gives one stage deployed in two regions no account-wide name in common', () => {
    const inIreland = physicalNames(prod, 'eu-west-1');
    const inVirginia = physicalNames(prod, 'us-east-1');

    expect(inIreland.filter((name) => inVirginia.includes(name))).toEqual([]);
    expect(inIreland.filter((name) => name.startsWith('account:'))).toHaveLength(4);
  });

  it('writes no region, account or partition into the templates: they come from where `cdk deploy` runs', () => {
    for (const [stage, template] of [
      ['prod', prod],
      ['staging', staging],
    ] as const) {
      // The one exception: the secrets extension's layer ARN per region, a map CDK writes and the template reads
      // with AWS::Region at deploy time.
      const { Mappings: mappings, ...rest } = template as { Mappings?: Record<string, unknown> };
      expect(Object.keys(mappings ?? {}), stage).toEqual(['ParamsandsecretslayerMap']);
      expect(JSON.stringify(rest), stage).toContain('{"Fn::FindInMap":["ParamsandsecretslayerMap",{"Ref":"AWS::Region"}');
      const json = JSON.stringify(rest);
      expect(json, stage).not.toMatch(/\b(us|eu|ap|sa|ca|me|af|il|mx)-(east|west|north|south|central|northeast|southeast)-\d\b/);
      expect(json, stage).not.toMatch(/arn:aws[:-]/);
      // Service principals name no partition; any other AWS host name must be built from AWS::URLSuffix.
      expect(json.replace(/"(Service|Principal)":"[a-z0-9.-]+\.amazonaws\.com"/g, ''), stage).not.toContain('amazonaws.com');
    }
  });
});

describe('the app entry point', () => {
  it('fails with a clear message when the web app is not built', () => {
    const { cwd } = makeWorkspace();

    expect(() => buildTestApp({ workspace: { cwd, web: path.join(cwd, 'web/dist') } })).toThrow(/run `npm run build:web` first/);
  });
});
