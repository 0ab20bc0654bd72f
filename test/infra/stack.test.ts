import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App as CdkApp, Stack, type App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, ENV, FUNCTION_ENV, TABLE_KEYS, type FunctionName } from '../../functions/contracts';
import { TEAM_GROUP } from '../../functions/core/api/auth';
import { AppFunction, functionEntry } from '../../lib/constructs/app-function';
import { contentSecurityPolicy } from '../../lib/constructs/dashboard';
import type { SesDeskStack } from '../../lib/sesdesk-stack';
import { parseConfig } from '../../web/src/config';
import { buildTestApp, deployedFile } from './support/test-app';
import { makeWorkspace } from './support/workspace';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Every statement of the identity policies attached to one role. */
function statementsOfRole(template: Template, roleLogicalId: string): { Action: string | string[]; Resource: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy') as Resources;
  return Object.values(policies)
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** What every function gets besides its contract: Powertools' settings and source maps. */
const SHARED_VARIABLES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];
/** The Parameters and Secrets extension's own settings, which its layer brings along. */
const SECRETS_EXTENSION_VARIABLE = /^(?:PARAMETERS_SECRETS_EXTENSION_|SECRETS_MANAGER_|SSM_PARAMETER_STORE_)/;

describe('the sesdesk stack with a hosted zone, activation and an alarm email', () => {
  let stack: SesDeskStack;
  let template: Template;
  let appFunctions: AppFunction[];
  let app: App;

  beforeAll(() => {
    const built = buildTestApp({
      context: { hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.com', alarmEmail: 'ops@example.com' },
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
        for (const action of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem']) {
          if (!has(action, `"${tableId}"`)) problems.push(`${name}: ${action} on the table is not granted`);
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

  it('activates the rule set through the custom resource', () => {
    template.hasResourceProperties('Custom::SesActiveReceiptRuleSet', { RuleSetName: { Ref: Match.stringLikeRegexp('RuleSet') } });
  });

  it('lets SES write only inbound/ and only for this account, and denies any request without TLS', () => {
    const mailBucketId = stack.getLogicalId(stack.inbound.mailBucket.node.defaultChild as never);
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
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [mailBucketId, 'Arn'] }, '/inbound/*']] },
          }),
        ]),
      },
    });
  });

  it('keeps the mail bucket private, encrypted with SSE-S3 and with a raw-mail lifecycle rule', () => {
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
        ]),
      },
    });
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

  it('creates the DKIM CNAMEs and the MX record in the hosted zone', () => {
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'CNAME', HostedZoneId: 'Z0123456789ABC' }, 3);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'MX',
      Name: 'help.example.com.',
      ResourceRecords: [{ 'Fn::Join': ['', ['10 inbound-smtp.', { Ref: 'AWS::Region' }, '.amazonaws.com']] }],
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'help.example.com',
      DkimAttributes: { SigningEnabled: true },
    });
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
        ],
      },
    });
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

  it('runs every function on Node.js 22 and arm64 with JSON logs and a one-month log group', () => {
    expect(appFunctions.map((f) => f.node.path).sort()).toEqual([
      'SesDesk/Dashboard/ApiHandler',
      'SesDesk/InboundMail/Activation/Handler',
      'SesDesk/InboundMail/Ingest',
      'SesDesk/OutboundMail/Bounces',
      'SesDesk/OutboundMail/Notify',
    ]);
    for (const appFunction of appFunctions) {
      const id = stack.getLogicalId(appFunction.fn.node.defaultChild as never);
      const fn = template.toJSON().Resources[id];
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
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
      ['inbound', 'attachments', 'bodies', 'uploads'].find(
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
        'ApiHandler s3:GetObject uploads',
        'ApiHandler s3:PutObject uploads',
        'Handler ses:DescribeActiveReceiptRuleSet,ses:SetActiveReceiptRuleSet *',
        'Ingest s3:GetObject inbound',
        'Ingest s3:PutObject attachments',
        'Ingest s3:PutObject bodies',
        'Notify s3:GetObject attachments',
        'Notify s3:GetObject uploads',
      ].sort(),
    );
  });

  it('protects every API route but the unsubscribe link with the Cognito JWT authorizer of the web app client', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources);
    const byKey = new Map(routes.map((r) => [r.Properties.RouteKey as string, r.Properties]));
    const clientId = stack.getLogicalId(stack.dashboard.userPoolClient.node.defaultChild as never);

    expect([...byKey.keys()].sort()).toEqual(['ANY /api/{proxy+}', 'GET /api/unsubscribe']);
    expect(byKey.get('ANY /api/{proxy+}')).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: expect.stringMatching(/TeamMember/) },
    });
    expect(byKey.get('GET /api/unsubscribe')).toMatchObject({ AuthorizationType: 'NONE' });
    expect(byKey.get('GET /api/unsubscribe')!.AuthorizerId).toBeUndefined();
    // Both routes reach the same function: the handler decides which routes are public (isPublicRoute).
    expect(byKey.get('GET /api/unsubscribe')!.Target).toEqual(byKey.get('ANY /api/{proxy+}')!.Target);
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

  it('admits only administrator-created team members with a strong password policy and threat protection', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireUppercase: true }) },
      MfaConfiguration: 'OPTIONAL',
      UserPoolTier: 'PLUS',
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

  it('alarms on function errors, failure queues and SES reputation, and emails the alarms', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
    for (const metric of ['Reputation.BounceRate', 'Reputation.ComplaintRate']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SES',
        MetricName: metric,
        AlarmActions: [Match.anyValue()],
      });
    }
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' }, 2);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda' }, 4);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('synthesises offline through the same path as cdk synth, with the cdk-nag plugin registered', () => {
    const { app } = buildTestApp();

    expect(() => app.synth()).not.toThrow();
  });
});

describe('the sesdesk stack without a hosted zone or activation', () => {
  let template: Template;

  beforeAll(() => {
    template = Template.fromStack(buildTestApp({ context: { activateRuleSet: false, rawMailExpirationDays: '365' } }).stack);
  });

  it('prints the DKIM and MX records as outputs instead of creating them', () => {
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    const outputs = template.findOutputs('*');
    const values = Object.values(outputs).map((o) => JSON.stringify(o.Value));

    expect(values.filter((v) => v.includes(' CNAME '))).toHaveLength(3);
    expect(values.some((v) => v.includes('help.example.com MX 10 inbound-smtp.'))).toBe(true);
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

  it('creates no alarm topic without an alarm email', () => {
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
  });
});

describe('the app entry point', () => {
  it('fails with a clear message when the web app is not built', () => {
    const { cwd } = makeWorkspace();

    expect(() => buildTestApp({ workspace: { cwd, web: path.join(cwd, 'web/dist') } })).toThrow(/run `npm run build:web` first/);
  });
});
