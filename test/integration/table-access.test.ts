// integration: what each function really does with the table, recorded over DynamoDB Local, equals what the stack grants it
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, SNSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable } from '../../bin/local/dynamodb-local';
import { createApiHandler } from '../../functions/api/create-handler';
import { createApiDeps } from '../../functions/api/deps';
import { createBouncesHandler } from '../../functions/bounces/create-handler';
import { createBouncesDeps } from '../../functions/bounces/deps';
import { keys, TABLE_ACCESS, TERM_KEY_PREFIX, type FunctionName } from '../../functions/contracts';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { unsubscribeSignature } from '../../functions/core/notify/unsubscribe';
import { createIngestHandler } from '../../functions/ingest/create-handler';
import { createIngestDeps } from '../../functions/ingest/deps';
import { createNotifyHandler } from '../../functions/notify/create-handler';
import { createNotifyDeps } from '../../functions/notify/deps';
import { objectCreatedEvent } from '../../bin/local/s3-event';
import { createDocumentClient, createDynamoClient, createS3Client, createSesClient, LOCAL_REGION } from '../../bin/local/aws-clients';
import { MemoryLog } from '../support/logs';
import { plainMail } from '../support/mail';
import { callApi, type CallOptions } from '../support/api-call';
import { deliveriesOf } from '../support/scan-table';
import { TEST_TOKEN_KEYS } from '../support/secret';

/** The IAM actions a low-level DynamoDB command needs (a transaction: one per kind of item it holds). */
function actionsOf(commandName: string, input: Record<string, unknown>): string[] {
  if (commandName === 'TransactWriteItemsCommand') {
    const kinds: Record<string, string> = {
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      ConditionCheck: 'ConditionCheckItem',
    };
    return (input.TransactItems as Record<string, unknown>[]).flatMap((item) => Object.keys(item).map((kind) => kinds[kind] ?? kind));
  }
  if (commandName === 'TransactGetItemsCommand') return ['GetItem'];
  if (commandName === 'BatchWriteItemCommand') {
    // The grant holds batches to search-term keys: anything else shows as its own (ungranted) action.
    const writes = Object.values(input.RequestItems as Record<string, { PutRequest?: { Item: { pk: { S: string } } } }[]>).flat();
    const termPuts = writes.every((w) => w.PutRequest?.Item.pk.S.startsWith(TERM_KEY_PREFIX));
    return [termPuts ? 'BatchWriteItem' : 'BatchWriteItem outside TERM# puts'];
  }
  return [commandName.replace(/Command$/, '')];
}

/** A document client that records every DynamoDB action it sends, and every index it queries. */
function recordingClient(endpoint: string): { documents: DynamoDBDocumentClient; actions: Set<string>; indexes: Set<string> } {
  const documents = createDocumentClient(endpoint);
  const actions = new Set<string>();
  const indexes = new Set<string>();
  documents.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      for (const action of actionsOf(context.commandName ?? '?', input)) actions.add(action);
      if (typeof input.IndexName === 'string') indexes.add(input.IndexName);
      return next(args);
    },
    // After lib-dynamodb hands its input to the low-level command: the names are the API's.
    { step: 'serialize', name: 'recordTableAccess' },
  );
  return { documents, actions, indexes };
}

describe('what each function does with the table', () => {
  const tableName = `access-${randomUUID().slice(0, 8)}`;
  const bucket = inject('mailBucket');
  const s3 = createS3Client(inject('s3Endpoint'));
  const plain = createDocumentClient(inject('dynamoEndpoint'));
  const recorded = {} as Record<FunctionName, ReturnType<typeof recordingClient>>;
  const config = DEFAULT_DESK_CONFIG;
  const customer = `ann-${randomUUID().slice(0, 6)}@example.com`;

  /** A stream INSERT or MODIFY record for an item as it is in the table, shaped as Lambda passes it. */
  const streamRecord = (eventName: 'INSERT' | 'MODIFY', item: Record<string, unknown>, old?: Record<string, unknown>): DynamoDBRecord => ({
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
      ...(old ? { OldImage: marshall(old, { removeUndefinedValues: true }) as never } : {}),
      SequenceNumber: String(Date.now()),
    },
  });
  const deliveries = (ticketId: string) => deliveriesOf(plain, tableName, ticketId);

  beforeAll(async () => {
    await ensureTable(createDynamoClient(inject('dynamoEndpoint')), tableName);
    for (const fn of ['ingest', 'notify', 'api', 'bounces'] as const) recorded[fn] = recordingClient(inject('dynamoEndpoint'));
    const log = new MemoryLog();
    const ingest = createIngestHandler(async () =>
      createIngestDeps({ documents: recorded.ingest.documents, s3, tableName, config, tokenKeys: TEST_TOKEN_KEYS, log }),
    );
    const notifyDeps = createNotifyDeps({
      documents: recorded.notify.documents,
      s3,
      ses: createSesClient(inject('sesEndpoint')),
      tableName,
      bucket,
      config,
      tokenKeys: TEST_TOKEN_KEYS,
      region: LOCAL_REGION,
      log,
    });
    const notify = createNotifyHandler(async () => notifyDeps);
    const bounces = createBouncesHandler(async () =>
      createBouncesDeps({ documents: recorded.bounces.documents, tableName, region: LOCAL_REGION, log }),
    );
    const api = createApiHandler(
      createApiDeps({ documents: recorded.api.documents, s3, tableName, bucket, config, tokenKeys: async () => TEST_TOKEN_KEYS, log }),
    );
    const store = async (raw: string) => {
      const key = `inbound/access-${randomUUID()}`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: raw }));
      return ingest(objectCreatedEvent(bucket, key));
    };

    // ingest: a new ticket, a reply threaded by In-Reply-To, and mail that is gone from the bucket (failed).
    const first = `<first-${randomUUID()}@example.com>`;
    const [created] = await store(plainMail({ from: customer, subject: 'Printer on fire', body: 'Help!', messageId: first }));
    const ticketId = created!.ticketId!;
    await store(
      plainMail({
        from: customer,
        subject: 'Re: Printer on fire',
        body: 'Still burning',
        messageId: `<second-${randomUUID()}@example.com>`,
        inReplyTo: first,
      }),
    );
    await ingest(objectCreatedEvent(bucket, `inbound/access-missing-${randomUUID()}`));

    // notify: the acknowledgement is sent.
    const [ack] = await deliveries(ticketId);
    await notify({ Records: [streamRecord('INSERT', ack!)] });
    const [sentAck] = await deliveries(ticketId);
    expect(sentAck).toMatchObject({ status: 'sent' });

    // bounces: SES reports the acknowledgement bounced for good.
    const bounce = {
      notificationType: 'Bounce',
      mail: { messageId: sentAck!.sesMessageId },
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: customer, status: '5.1.1' }] },
    };
    await bounces({ Records: [{ Sns: { Message: JSON.stringify(bounce), MessageId: 'sns-1' } }] } as unknown as SNSEvent);

    // api: every route that reads or writes the table.
    const ok = async (method: string, path: string, options: CallOptions = {}) => {
      const answer = await callApi<unknown>(api, config, method, path, options);
      expect(answer.status, `${method} ${path}: ${answer.text}`).toBeLessThan(300);
      return answer;
    };
    for (const view of ['all', 'mine', 'unassigned']) await ok('GET', '/api/tickets', { query: { status: 'open', view } });
    await ok('GET', '/api/tickets', { query: { status: 'open', sort: 'created' } });
    await ok('GET', '/api/mail');
    await ok('GET', '/api/counts');
    for (const q of ['printer', '#1', customer]) await ok('GET', '/api/search', { query: { q } });
    await ok('GET', `/api/requesters/${encodeURIComponent(customer)}/tickets`);
    await ok('GET', `/api/tickets/${ticketId}`);
    await ok('PATCH', `/api/tickets/${ticketId}`, { body: { assignee: config.team[0]!.email, labels: ['hardware'] } });
    const carol = `carol-${randomUUID().slice(0, 6)}@example.com`;
    await ok('POST', `/api/tickets/${ticketId}/participants`, { body: { address: carol } });
    const upload = await ok('POST', '/api/uploads', { body: { filename: 'log.txt', contentType: 'text/plain', size: 3 } });
    const { key, url } = upload.json as { key: string; url: string };
    await fetch(url, { method: 'PUT', body: 'log', headers: { 'content-type': 'text/plain' } });
    await ok('POST', `/api/tickets/${ticketId}/messages`, {
      body: {
        body: 'Try turning it off.',
        internal: false,
        attachments: [{ key, filename: 'log.txt', contentType: 'text/plain', size: 3 }],
      },
    });
    await ok('GET', '/api/attachments/url', { query: { key } });
    await ok('DELETE', `/api/tickets/${ticketId}/participants/${encodeURIComponent(carol)}`);
    await ok('GET', '/api/settings/support');
    await ok('PUT', '/api/settings/support', { body: { ackEnabled: false } });
    await ok('GET', '/api/ingest/failed');
    await ok('GET', '/api/unsubscribe', {
      claims: null,
      query: { ticket: ticketId, address: carol, sig: unsubscribeSignature(TEST_TOKEN_KEYS, ticketId, carol) },
    });
    // A failed delivery retried by an agent (the failure itself is the fixture).
    await plain.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.delivery(ticketId, sentAck!.id as string),
        UpdateExpression: 'SET #s = :f',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':f': 'failed' },
      }),
    );
    await ok('POST', `/api/tickets/${ticketId}/deliveries/${sentAck!.id as string}/retry`);

    // notify again: the reply to the bounced address is suppressed, the one to carol sent.
    const replies = (await deliveries(ticketId)).filter((d) => d.kind === 'reply');
    expect(replies.length).toBeGreaterThanOrEqual(1);
    await notify({ Records: replies.map((d) => streamRecord('INSERT', d)) });
    expect(
      (await deliveries(ticketId)).find((d) => d.kind === 'reply' && (d.recipient as { address: string }).address === customer),
    ).toMatchObject({
      status: 'suppressed',
    });
  }, 60_000);

  it.each(['ingest', 'notify', 'api', 'bounces'] as const)(
    '%s sends exactly the actions and queries exactly the indexes TABLE_ACCESS grants it',
    (fn) => {
      const batches: string[] = TABLE_ACCESS[fn].termBatches ? ['BatchWriteItem'] : [];
      expect([...recorded[fn].actions].sort()).toEqual([...TABLE_ACCESS[fn].actions, ...batches].sort());
      expect([...recorded[fn].indexes].sort()).toEqual([...TABLE_ACCESS[fn].indexes].sort());
    },
  );
});
