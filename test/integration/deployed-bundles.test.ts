// integration: the Lambda bundles as `cdk synth` writes them, each copied out of the repository and run in a fresh Node
// process with AWS's documented event shapes against DynamoDB Local, s3rver and the SES stand-in
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, createDynamoClient, createS3Client } from '../../bin/local/aws-clients';
import { ensureTable } from '../../bin/local/dynamodb-local';
import { LOOPBACK } from '../../bin/local/ports';
import { readOutbox } from '../../bin/local/ses-local';
import { keys, SECRETS_EXTENSION } from '../../functions/contracts';
import { BUNDLE_SETTINGS, REPO_ROOT } from '../../lib/constructs/function-bundle';
import { buildTestApp } from '../infra/support/test-app';
import { TEST_DESK_CONFIG } from '../infra/support/workspace';
import { plainMail } from '../support/mail';
import { deliveriesOf } from '../support/scan-table';

const run = promisify(execFile);
/** Lambda runs Node.js 24; set SESDESK_LAMBDA_NODE to a Node 24 binary to run the bundles on it (default: this Node). */
const NODE = process.env.SESDESK_LAMBDA_NODE ?? process.execPath;
const REGION = 'eu-west-1';
const TOKEN_KEY = 'deployed-bundle-test-key-0123456789abcdef';
const SESSION_TOKEN = 'deployed-bundle-session-token';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Imports the bundle like Lambda's runtime does and calls its handler with the event file; prints what happened. */
const RUNNER = `
import { readFileSync } from 'node:fs';
const { handler } = await import('./index.mjs');
const event = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const context = { functionName: 'deployed', awsRequestId: 'request-1', getRemainingTimeInMillis: () => 60_000 };
const result = await handler(event, context);
process.stdout.write(JSON.stringify({ kind: handler.constructor.name, arity: handler.length, result: result ?? null }));
`;

/**
 * A stand-in for the Parameters and Secrets extension's local endpoint (GET, the session token in its header) and,
 * for the rule set activation, SES's v1 receipt rule calls.
 */
async function startStubs(): Promise<{ url: string; port: number; sesCalls: URLSearchParams[]; close(): Promise<void> }> {
  const sesCalls: URLSearchParams[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (request.method === 'GET' && request.url?.startsWith(SECRETS_EXTENSION.secretPath)) {
        const authorised = request.headers[SECRETS_EXTENSION.tokenHeader.toLowerCase()] === SESSION_TOKEN;
        response.writeHead(authorised ? 200 : 401, { 'content-type': 'application/json' });
        response.end(authorised ? JSON.stringify({ ARN: 'arn', Name: 'reply-token', SecretString: TOKEN_KEY }) : '{}');
        return;
      }
      const params = new URLSearchParams(body);
      sesCalls.push(params);
      const action = params.get('Action') ?? 'Unknown';
      const result = action === 'DescribeActiveReceiptRuleSet' ? '<Metadata><Name>sesdesk-prod</Name></Metadata>' : '';
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<${action}Response xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><${action}Result>${result}</${action}Result>` +
          `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK}:${port}`,
    port,
    sesCalls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the deployed Lambda bundles, run as Lambda runs them', () => {
  const tableName = `deployed-${randomUUID().slice(0, 8)}`;
  const bucket = inject('mailBucket');
  const documents = createDocumentClient(inject('dynamoEndpoint'));
  const customer = `dora-${randomUUID().slice(0, 6)}@example.com`;
  const scratch: string[] = [];
  /** The ticket the ingest test files; the later tests work on it. */
  let ticketId = '';
  /** Each function's bundle, copied out of the repository, and its environment as the stack sets it. */
  const deployed = new Map<string, { dir: string; env: Record<string, unknown> }>();
  let stubs: Awaited<ReturnType<typeof startStubs>>;

  /** Local values for the variables the stack fills with references; literal ones are used as synthesized. */
  const localValues = (): Record<string, string> => ({
    TABLE_NAME: tableName,
    MAIL_BUCKET: bucket,
    DESK_CONFIG: JSON.stringify({ ...TEST_DESK_CONFIG, dashboardUrl: 'https://desk.example.com' }),
    TOKEN_SECRET_ARN: `arn:aws:secretsmanager:${REGION}:123456789012:secret:reply-token-AbCdEf`,
    SES_CONFIGURATION_SET: 'sesdesk-prod',
  });

  /** Runs `name`'s bundle in a fresh process in its own directory, with the event; returns the handler's answer. */
  async function invoke(name: string, event: unknown, endpoints: { ses?: string } = {}) {
    const { dir, env } = deployed.get(name)!;
    const values = localValues();
    const variables = Object.fromEntries(
      Object.entries(env).map(([key, value]) => {
        if (typeof value === 'string') return [key, value];
        if (!(key in values)) throw new Error(`${name}: no local value for ${key}`);
        return [key, values[key]!];
      }),
    );
    const eventFile = path.join(dir, `event-${randomUUID()}.json`);
    writeFileSync(eventFile, JSON.stringify(event));
    const { stdout } = await run(NODE, ['runner.mjs', eventFile], {
      cwd: dir,
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        ...variables,
        // The extension's port as the layer sets it, pointed at the stand-in; Lambda sets the session token.
        ...(SECRETS_EXTENSION.portEnv in variables ? { [SECRETS_EXTENSION.portEnv]: String(stubs.port) } : {}),
        AWS_SESSION_TOKEN: SESSION_TOKEN,
        // What Lambda sets, and the SDK's endpoint variables that point each service at its local stand-in.
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
        AWS_ENDPOINT_URL_S3: inject('s3Endpoint'),
        AWS_ENDPOINT_URL_SES: endpoints.ses ?? inject('sesEndpoint'),
        // s3rver stores aws-chunked bodies verbatim; Lambda's S3 needs no such setting.
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    });
    return JSON.parse(stdout) as { kind: string; arity: number; result: unknown };
  }

  const deliveries = (ticketId: string) => deliveriesOf(documents, tableName, ticketId);

  beforeAll(async () => {
    // One synthesis with bundling, as `cdk synth` does it; every test below shares its assets.
    const { app, stack } = buildTestApp({ context: { 'aws:cdk:bundling-stacks': ['**'] } });
    const assembly = app.synth();
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function') as Resources);
    for (const fn of functions) {
      const env = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const service = typeof env.POWERTOOLS_SERVICE_NAME === 'string' ? env.POWERTOOLS_SERVICE_NAME.replace(/^sesdesk-/, '') : null;
      if (!service) continue;
      const hash = String((fn.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
      // A directory outside the repository: no node_modules above it to fall back on.
      const dir = mkdtempSync(path.join(tmpdir(), `sesdesk-deployed-${service}-`));
      scratch.push(dir);
      cpSync(path.join(assembly.directory, `asset.${hash}`), dir, { recursive: true });
      writeFileSync(path.join(dir, 'runner.mjs'), RUNNER);
      deployed.set(service, { dir, env });
    }
    await ensureTable(createDynamoClient(inject('dynamoEndpoint')), tableName);
    stubs = await startStubs();
  }, 300_000);

  afterAll(async () => {
    await stubs?.close();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('synthesizes one self-contained ESM bundle per function (an entry, its chunks and JSON tables), with no node_modules beside or above it', () => {
    expect([...deployed.keys()].sort()).toEqual(['api', 'bounces', 'ingest', 'notify', 'rule-set-activation']);
    for (const [name, { dir }] of deployed) {
      const files = readdirSync(dir);
      expect(files, name).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map']));
      expect(
        files.filter((file) => !/\.mjs(\.map)?$/.test(file) && file !== BUNDLE_SETTINGS.lazyJsonDir && !file.startsWith('event-')),
        name,
      ).toEqual([]);
      expect(path.relative(REPO_ROOT, dir).startsWith('..'), name).toBe(true);
      for (let up = dir; up !== path.dirname(up); up = path.dirname(up)) expect(existsSync(path.join(up, 'node_modules')), up).toBe(false);
    }
  });

  it('ingest files an S3 ObjectCreated event as a ticket, once, however often the event comes', async () => {
    const key = `inbound/deployed-${randomUUID()}`;
    await createS3Client(inject('s3Endpoint')).send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: plainMail({
          from: customer,
          to: 'support@help.example.com',
          subject: 'Deployed printer fire',
          messageId: `<${randomUUID()}@example.com>`,
        }),
      }),
    );
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
    const event = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: REGION,
          eventTime: new Date().toISOString(),
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: 'AWS:AROAEXAMPLE:ses' },
          requestParameters: { sourceIPAddress: '10.0.0.1' },
          responseElements: {
            'x-amz-request-id': 'C3D13FE58DE4C810',
            'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
          },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'ingest',
            bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
            object: { key, size: 512, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' },
          },
        },
      ],
    };

    const first = await invoke('ingest', event);
    const again = await invoke('ingest', event);

    expect(first).toMatchObject({ kind: 'AsyncFunction', result: [{ outcome: 'ticket-created' }] });
    expect(first.arity).toBeLessThan(3);
    expect(again.result).toMatchObject([{ outcome: 'duplicate' }]);
    ticketId = (first.result as { ticketId: string }[])[0]!.ticketId;
  });

  it('notify sends the acknowledgement a DynamoDB stream INSERT names, through SES', async () => {
    const [ack] = await deliveries(ticketId);
    // https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html (a stream event with both images)
    const event = {
      Records: [
        {
          eventID: 'c81e728d9d4c2f636f067f89cc14862c',
          eventName: 'INSERT',
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: REGION,
          dynamodb: {
            ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
            Keys: marshall({ pk: ack!.pk, sk: ack!.sk }),
            NewImage: marshall(ack!, { removeUndefinedValues: true }),
            SequenceNumber: '111',
            SizeBytes: 26,
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
          eventSourceARN: `arn:aws:dynamodb:${REGION}:123456789012:table/${tableName}/stream/2026-12-01T00:00:00.000`,
        },
      ],
    };

    const answer = await invoke('notify', event);

    expect(answer).toMatchObject({ kind: 'AsyncFunction', result: { batchItemFailures: [] } });
    const [sent] = await deliveries(ticketId);
    expect(sent).toMatchObject({ status: 'sent' });
    const outbox = (await readOutbox(inject('sesEndpoint'))).emails.filter((e) => e.destination.to.some((to) => to.includes(customer)));
    expect(outbox).toHaveLength(1);
  });

  it('bounces marks the address of an SNS-delivered SES bounce undeliverable, and the ticket of the bounced delivery', async () => {
    const [ack] = await deliveries(ticketId);
    const notification = {
      notificationType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: customer, status: '5.1.1' }] },
      mail: { messageId: ack!.sesMessageId },
    };
    // https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
    const event = {
      Records: [
        {
          EventVersion: '1.0',
          EventSubscriptionArn: `arn:aws:sns:${REGION}:123456789012:feedback:21be56ed-a058-49f5-8c98-aedd2564c486`,
          EventSource: 'aws:sns',
          Sns: {
            SignatureVersion: '1',
            Timestamp: new Date().toISOString(),
            Signature: 'tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==',
            SigningCertUrl: `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem`,
            MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
            Message: JSON.stringify(notification),
            MessageAttributes: {},
            Type: 'Notification',
            UnsubscribeUrl: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe`,
            TopicArn: `arn:aws:sns:${REGION}:123456789012:feedback`,
            Subject: null,
          },
        },
      ],
    };

    const answer = await invoke('bounces', event);

    expect(answer).toMatchObject({ kind: 'AsyncFunction', result: [{ kind: 'bounce' }] });
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: keys.address(customer) }));
    expect(Item).toMatchObject({ state: 'undeliverable' });
    expect((await deliveries(ticketId))[0]).toMatchObject({ status: 'bounced' });
    const { Item: ticket } = await documents.send(new GetCommand({ TableName: tableName, Key: keys.ticket(ticketId) }));
    expect(ticket!.failedDeliveries).toEqual(new Set([ack!.id]));
  });

  it('api answers an HTTP API v2 event with the JWT authorizer claims, and refuses one without them', async () => {
    const answer = await invoke('api', apiEvent('/api/tickets', 'status=open'));
    const refused = await invoke('api', {
      ...apiEvent('/api/tickets', 'status=open'),
      requestContext: { ...apiEvent('/x', '').requestContext, authorizer: undefined },
    });

    expect(answer).toMatchObject({ kind: 'AsyncFunction', result: { statusCode: 200 } });
    const body = JSON.parse((answer.result as { body: string }).body) as { items: { subject: string; requester: { address: string } }[] };
    expect(body.items.map((t) => [t.subject, t.requester.address])).toContainEqual(['Deployed printer fire', customer]);
    expect(refused.result).toMatchObject({ statusCode: 401 });
  });

  it('the rule set activation handler activates on a CloudFormation Create and deactivates only its own set on Delete', async () => {
    const common = {
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
      ResponseURL: 'https://cloudformation-custom-resource-response.example/',
      StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/SesDesk-prod/1',
      RequestId: randomUUID(),
      LogicalResourceId: 'Activation',
      ResourceType: 'Custom::SesActiveReceiptRuleSet',
      ResourceProperties: { ServiceToken: 'x', RuleSetName: 'sesdesk-prod' },
    };

    const created = await invoke('rule-set-activation', { ...common, RequestType: 'Create' }, { ses: stubs.url });
    const deleted = await invoke(
      'rule-set-activation',
      { ...common, RequestType: 'Delete', PhysicalResourceId: 'active-receipt-rule-set/sesdesk-prod' },
      { ses: stubs.url },
    );

    expect(created).toMatchObject({ kind: 'AsyncFunction', result: { PhysicalResourceId: 'active-receipt-rule-set/sesdesk-prod' } });
    expect(deleted.result).toMatchObject({ PhysicalResourceId: 'active-receipt-rule-set/sesdesk-prod' });
    expect(stubs.sesCalls.map((p) => `${p.get('Action')} ${p.get('RuleSetName') ?? ''}`.trim())).toEqual([
      'SetActiveReceiptRuleSet sesdesk-prod',
      'DescribeActiveReceiptRuleSet',
      'SetActiveReceiptRuleSet',
    ]);
  });
});

/** An API Gateway HTTP API (payload 2.0) event for a GET, as the JWT authorizer passes it for a team member. */
function apiEvent(rawPath: string, rawQueryString: string) {
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
  return {
    version: '2.0',
    routeKey: 'ANY /api/{proxy+}',
    rawPath,
    rawQueryString,
    headers: { accept: 'application/json', host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'x-forwarded-proto': 'https' },
    queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: {
        jwt: {
          claims: { email: TEST_DESK_CONFIG.team[0]!.email, 'cognito:groups': '[team]', token_use: 'id', aud: 'client' },
          scopes: null,
        },
      },
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Mozilla/5.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: 'ANY /api/{proxy+}',
      stage: '$default',
      time: '01/Dec/2026:10:00:00 +0000',
      timeEpoch: Date.now(),
    },
    pathParameters: { proxy: rawPath.replace(/^\/api\//, '') },
    isBase64Encoded: false,
  };
}
