// Reliability: the fault injector itself: its spec, its reproducible choices, and faults the SDK's retries see.
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createFaultInjector, parseFaultSpec, seededRandom } from '../../bin/local/faults';
import { readOutbox } from '../../bin/local/ses-local';
import { createDocumentClient } from '../support/local-aws';

describe('the fault injector', () => {
  it('reads SESDESK_FAULTS and refuses what it does not understand', () => {
    expect(parseFaultSpec('dynamodb=0.2, ses=0.2,seed=7,crash=after-s3-read:2,kinds=throttle+timeout-after')).toEqual({
      dynamodb: 0.2,
      ses: 0.2,
      seed: 7,
      kinds: ['throttle', 'timeout-after'],
      crashes: { 'after-s3-read': 2 },
    });
    expect(() => parseFaultSpec('dynamodb=2')).toThrow(/between 0 and 1/);
    expect(() => parseFaultSpec('crash=somewhere')).toThrow(/unknown crash point/);
    expect(() => parseFaultSpec('lambda=0.1')).toThrow(/cannot read/);
  });

  it('makes the same choices for the same seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const draws = (r: () => number) => Array.from({ length: 5 }, r);
    const first = draws(a);
    expect(draws(b)).toEqual(first);
    expect(draws(c)).not.toEqual(first);
  });

  it('throttles inside the SDK retry loop: each attempt fails, and the SDK retries before giving up', async () => {
    const faults = createFaultInjector({ dynamodb: 1, kinds: ['throttle'] });
    const client = createDocumentClient(inject('dynamoEndpoint'));
    faults.instrument('dynamodb', client);

    const error = await client.send(new GetCommand({ TableName: 'nowhere', Key: { pk: 'a', sk: 'b' } })).then(
      () => null,
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { attempts: 2 } });
    expect(faults.stats.attempts.get('dynamodb')).toBe(2);
  }, 30_000);

  it('lets a lost response (timeout after the call) reach the service: the write happened though the caller saw a timeout', async () => {
    const faults = createFaultInjector({ ses: 1, kinds: ['timeout-after'] });
    const ses = new SESClient({
      endpoint: inject('sesEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 2,
    });
    faults.instrument('ses', ses);
    const to = `lost-${Date.now()}@customer.example`;
    const raw = `From: support@desk.localhost\r\nTo: ${to}\r\nSubject: t\r\n\r\nbody\r\n`;

    const error = await ses
      .send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) }, Destinations: [to], Source: 'support@desk.localhost' }))
      .then(
        () => null,
        (e: unknown) => e,
      );

    expect(error).toMatchObject({ name: 'TimeoutError' });
    // Both attempts reached SES: the SDK's own retry is what sends twice in this window.
    expect((await readOutbox(inject('sesEndpoint'))).emails.filter((e) => e.destination.to.some((t) => t.includes(to)))).toHaveLength(2);
  }, 30_000);
});
