// integration: the local servers behind the stack and the integration tests really work
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { S3EventRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable, startDynamoDbLocal } from '../../bin/local/dynamodb-local';
import type { LocalServer } from '../../bin/local/local-server';
import { LOOPBACK, PortInUseError, assertPortFree, findFreePort } from '../../bin/local/ports';
import { encodeS3EventKey, startS3Local } from '../../bin/local/s3-local';
import { clearOutbox, readOutbox, startSesLocal } from '../../bin/local/ses-local';
import {
  createDocumentClient,
  createDynamoClient,
  createS3Client,
  createSesClient,
  createStreamsClient,
} from '../../bin/local/aws-clients';

const runId = randomUUID().slice(0, 8);

describe('DynamoDB Local', () => {
  const tableName = `servers-${runId}`;
  const endpoint = inject('dynamoEndpoint');
  const dynamo = createDynamoClient(endpoint);
  const documents = createDocumentClient(endpoint);
  const streams = createStreamsClient(endpoint);

  beforeAll(async () => {
    await ensureTable(dynamo, tableName);
  });

  it('creates the table with its stream and leaves it alone when asked again', async () => {
    await ensureTable(dynamo, tableName);

    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(['byAssignee', 'byRequester', 'byStatus']);
  });

  it('returns an item it stored, without the undefined attributes', async () => {
    const item = { pk: `TICKET#${runId}`, sk: 'META', subject: 'Printer on fire', assignee: undefined };

    await documents.send(new PutCommand({ TableName: tableName, Item: item }));
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: { pk: item.pk, sk: 'META' } }));

    expect(Item).toEqual({ pk: item.pk, sk: 'META', subject: 'Printer on fire' });
  });

  it('puts each write on the table stream, readable through the streams API', async () => {
    // Arrange
    const pk = `TICKET#stream-${runId}`;
    await documents.send(new PutCommand({ TableName: tableName, Item: { pk, sk: 'META', status: 'open' } }));

    // Act
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn }));
    const records: _Record[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: Table?.LatestStreamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
      records.push(...(Records ?? []));
    }

    // Assert
    const insert = records.find((record) => record.dynamodb?.Keys?.pk?.S === pk);
    expect(insert?.eventName).toBe('INSERT');
    expect(insert?.dynamodb?.NewImage?.status).toEqual({ S: 'open' });
  });
});

describe('DynamoDB Local launcher', () => {
  it('keeps tables across a restart when given a data directory, and frees its port on stop', async () => {
    // Arrange
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sesdesk-ddb-'));
    const port = await findFreePort();
    const first = await startDynamoDbLocal({ port, dataDir });
    let second: LocalServer | undefined;
    try {
      await ensureTable(createDynamoClient(first.endpoint), 'kept-table');
      await first.stop();
      await assertPortFree(port, 'unused');

      // Act
      second = await startDynamoDbLocal({ port, dataDir });
      const { TableNames } = await createDynamoClient(second.endpoint).send(new ListTablesCommand({}));

      // Assert
      expect(TableNames).toEqual(['kept-table']);
    } finally {
      await Promise.all([first.stop(), second?.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    }
    // Two cold JVM starts on a file-backed db: 8 s when idle, three times that on a busy 2-core machine.
  }, 90_000);

  it('says in one line that java is missing when it is not on PATH', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startDynamoDbLocal({ port: await findFreePort() })).rejects.toThrow(/^java not found: .*install/);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describe('ports', () => {
  let holder: Server;
  let heldPort: number;

  beforeAll(async () => {
    heldPort = await findFreePort();
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(heldPort, LOOPBACK, resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  });

  it('refuses a taken port with one line naming the port and the way out', async () => {
    const attempt = assertPortFree(heldPort, 'set SESDESK_SES_PORT');

    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(`port ${heldPort} is in use: stop the other program or set SESDESK_SES_PORT`);
  });

  it('refuses to start a server on a taken port before touching it', async () => {
    await expect(startSesLocal({ port: heldPort, portHint: 'set SESDESK_SES_PORT' })).rejects.toBeInstanceOf(PortInUseError);
    await expect(startDynamoDbLocal({ port: heldPort })).rejects.toBeInstanceOf(PortInUseError);
  });
});

describe('s3rver', () => {
  it('returns the bytes of an object uploaded as a stream to the shared test bucket', async () => {
    const s3 = createS3Client(inject('s3Endpoint'));
    const key = `inbound/${runId}/stream.eml`;
    const body = 'Subject: hi\r\n\r\nstreamed body\r\n';

    await s3.send(
      new PutObjectCommand({
        Bucket: inject('mailBucket'),
        Key: key,
        Body: Readable.from([Buffer.from(body)]),
        ContentLength: body.length,
      }),
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: inject('mailBucket'), Key: key }));

    expect(await object.Body?.transformToString()).toBe(body);
  });

  it('tells object-created listeners the bucket and the key, URL-encoded as S3 does', async () => {
    // Arrange: the shared server lives in the runner process, so listeners need a server of their own.
    const directory = await mkdtemp(path.join(tmpdir(), 'sesdesk-s3-listener-'));
    const server = await startS3Local({ port: await findFreePort(), directory, buckets: ['listener-bucket'] });
    const received = new Promise<S3EventRecord>((resolve) => server.onObjectCreated(resolve));
    const key = 'inbound/a reply+1 (2).eml';

    try {
      // Act
      await createS3Client(server.endpoint).send(new PutObjectCommand({ Bucket: 'listener-bucket', Key: key, Body: 'raw mail' }));
      const record = await received;

      // Assert
      expect(record.eventName).toBe('ObjectCreated:Put');
      expect(record.s3.bucket.name).toBe('listener-bucket');
      expect(record.s3.object.key).toBe('inbound/a+reply%2B1+(2).eml');
      expect(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '))).toBe(key);
      expect(record.s3.object.size).toBe('raw mail'.length);
    } finally {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('stops delivering to a listener once it unsubscribes', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'sesdesk-s3-listener-'));
    const server = await startS3Local({ port: await findFreePort(), directory, buckets: ['listener-bucket'] });
    const keys: string[] = [];
    const unsubscribe = server.onObjectCreated((record) => {
      keys.push(record.s3.object.key);
    });
    const s3 = createS3Client(server.endpoint);

    try {
      await s3.send(new PutObjectCommand({ Bucket: 'listener-bucket', Key: 'first.eml', Body: '1' }));
      unsubscribe();
      await s3.send(new PutObjectCommand({ Bucket: 'listener-bucket', Key: 'second.eml', Body: '2' }));

      expect(keys).toEqual(['first.eml']);
    } finally {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('encodes keys for events with spaces as plus and slashes kept', () => {
    expect(encodeS3EventKey('a/b c+d=e:f.eml')).toBe('a/b+c%2Bd%3De%3Af.eml');
  });
});

describe('SES stand-in', () => {
  const rawEmail = (subject: string): Uint8Array =>
    Buffer.from(
      [
        'From: Help Desk <support@desk.localhost>',
        'To: Ada <ada@example.com>',
        `Subject: ${subject}`,
        `Message-ID: <${randomUUID()}@desk.localhost>`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Your ticket is resolved.',
        '',
      ].join('\r\n'),
    );

  it('keeps a SendRawEmail message in its /store outbox', async () => {
    // Arrange: the outbox is shared by every test file, so look for this run's subject only.
    const endpoint = inject('sesEndpoint');
    const subject = `[#${runId}] Printer on fire`;

    // Act
    const { MessageId } = await createSesClient(endpoint).send(new SendRawEmailCommand({ RawMessage: { Data: rawEmail(subject) } }));
    const { emails } = await readOutbox(endpoint);

    // Assert
    const sent = emails.find((email) => email.subject === subject);
    expect(sent).toMatchObject({
      messageId: MessageId,
      from: '"Help Desk" <support@desk.localhost>',
      destination: { to: ['"Ada" <ada@example.com>'], cc: [], bcc: [] },
      body: { text: 'Your ticket is resolved.\n' },
    });
  });

  it('empties its outbox when cleared', async () => {
    // A server of its own: clearing the shared one would race other test files.
    const server = await startSesLocal({ port: await findFreePort() });
    try {
      await createSesClient(server.endpoint).send(new SendRawEmailCommand({ RawMessage: { Data: rawEmail('to be cleared') } }));
      expect((await readOutbox(server.endpoint)).emails).toHaveLength(1);

      await clearOutbox(server.endpoint);

      expect((await readOutbox(server.endpoint)).emails).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
