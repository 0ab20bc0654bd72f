// integration: the local servers behind the stack and the integration tests really work
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { S3EventRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable, startDynamoDbLocal } from '../../bin/local/dynamodb-local';
import type { LocalServer } from '../../bin/local/local-server';
import { LOOPBACK, PortInUseError, assertPortFree, findFreePort } from '../../bin/local/ports';
import { encodeS3EventKey, startS3Local } from '../../bin/local/s3-local';
import { clearOutbox, readOutbox, startSesLocal } from '../../bin/local/ses-local';
import { outboxHeader } from '../../bin/local/ses-outbox';
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
  const rawEmail = (subject: string, extra: string[] = []): Uint8Array =>
    Buffer.from(
      [
        'From: Help Desk <support@desk.localhost>',
        'To: Ada <ada@example.com>',
        `Subject: ${subject}`,
        `Message-ID: <${randomUUID()}@desk.localhost>`,
        ...extra,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Your ticket is resolved.',
        '',
      ].join('\r\n'),
    );

  it('keeps a SendRawEmail message in its /store outbox, with every header and the raw MIME as sent', async () => {
    // Arrange: the outbox is shared by every test file, so look for this run's subject only.
    const endpoint = inject('sesEndpoint');
    const subject = `[#${runId}] Printer on fire`;
    const raw = rawEmail(subject, [
      'In-Reply-To: <first@customer.example>',
      'References: <first@customer.example>',
      ' <second@desk.localhost>',
      'Auto-Submitted: auto-replied',
    ]);

    // Act
    const { MessageId } = await createSesClient(endpoint).send(new SendRawEmailCommand({ RawMessage: { Data: raw } }));
    const { emails } = await readOutbox(endpoint);

    // Assert: aws-ses-v2-local's record as before, plus the headers (folded References joined) and the raw message.
    const sent = emails.find((email) => email.subject === subject);
    expect(sent).toMatchObject({
      messageId: MessageId,
      from: '"Help Desk" <support@desk.localhost>',
      destination: { to: ['"Ada" <ada@example.com>'], cc: [], bcc: [] },
      body: { text: 'Your ticket is resolved.\n' },
    });
    expect(outboxHeader(sent!, 'message-id')).toMatch(/^<[0-9a-f-]+@desk\.localhost>$/);
    expect(outboxHeader(sent!, 'In-Reply-To')).toBe('<first@customer.example>');
    expect(outboxHeader(sent!, 'References')).toBe('<first@customer.example> <second@desk.localhost>');
    expect(outboxHeader(sent!, 'Auto-Submitted')).toBe('auto-replied');
    const rawAnswer = await fetch(new URL(sent!.rawUrl, endpoint));
    expect(rawAnswer.status).toBe(200);
    expect(Buffer.from(await rawAnswer.arrayBuffer())).toEqual(Buffer.from(raw));
  });

  it('records a SendEmail message too, with the MIME aws-ses-v2-local makes of it', async () => {
    const endpoint = inject('sesEndpoint');
    const subject = `Simple ${runId}`;
    await createSesClient(endpoint).send(
      new SendEmailCommand({
        Source: 'support@desk.localhost',
        Destination: { ToAddresses: ['ada@example.com'] },
        Message: { Subject: { Data: subject }, Body: { Text: { Data: 'Plain and simple.' } } },
      }),
    );
    const sent = (await readOutbox(endpoint)).emails.find((email) => email.subject === subject);
    expect(sent?.body.text).toBe('Plain and simple.');
    expect(outboxHeader(sent!, 'Subject')).toBe(subject);
    expect(await (await fetch(new URL(sent!.rawUrl, endpoint))).text()).toContain('Plain and simple.');
  });

  it('keeps its outbox in a directory across a restart, shows it on its page, and empties it, files too, when cleared', async () => {
    // Arrange
    const directory = await mkdtemp(path.join(tmpdir(), 'sesdesk-outbox-'));
    const port = await findFreePort();
    let server = await startSesLocal({ port, directory });
    try {
      const subject = `Kept <across> restarts ${runId}`;
      const { MessageId } = await createSesClient(server.endpoint).send(
        new SendRawEmailCommand({ RawMessage: { Data: rawEmail(subject, ['Auto-Submitted: auto-replied']) } }),
      );
      const before = (await readOutbox(server.endpoint)).emails;

      // Act: stop, start again on the same directory.
      await server.stop();
      server = await startSesLocal({ port, directory });

      // Assert: the same record, the raw message still served, the page lists it with its threading headers (escaped).
      const after = (await readOutbox(server.endpoint)).emails;
      expect(after).toEqual(before);
      expect(after.map((email) => email.messageId)).toEqual([MessageId]);
      expect(await (await fetch(new URL(after[0]!.rawUrl, server.endpoint))).text()).toContain(`Subject: ${subject}`);
      const page = await fetch(server.endpoint);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await page.text();
      expect(html).toContain('Kept &#60;across&#62; restarts');
      expect(html).toMatch(/<th>Auto-Submitted<\/th><td>auto-replied<\/td>/);
      expect(html).toMatch(/<th>In-Reply-To<\/th><td class="absent">none<\/td>/);
      expect(html).toContain(`href="${after[0]!.rawUrl}"`);

      await clearOutbox(server.endpoint);
      expect((await readOutbox(server.endpoint)).emails).toEqual([]);
      expect((await readdir(directory)).filter((file) => file.endsWith('.eml'))).toEqual([]);
      await server.stop();
      server = await startSesLocal({ port, directory });
      expect((await readOutbox(server.endpoint)).emails).toEqual([]);
    } finally {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    }
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

  it('answers `since` like aws-ses-v2-local and refuses a malformed one', async () => {
    const endpoint = inject('sesEndpoint');
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect((await readOutbox(endpoint, future)).emails).toEqual([]);
    expect((await fetch(`${endpoint}/store?since=soon`)).status).toBe(400);
  });
});
