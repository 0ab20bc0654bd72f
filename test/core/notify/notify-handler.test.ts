// unit: the notify handler acts only on new pending deliveries and an agent's retry, each record on its own; the
// workflow hears of a delivery once, when it fails or bounces for good
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deliveryToSend } from '../../../functions/notify/create-handler';
import { tableChangeOf } from '../../../functions/notify/table-change-record';
import { delivery } from './notify-fixtures';

function record(eventName: DynamoDBRecord['eventName'], next: object | null, old: object | null = null): DynamoDBRecord {
  return {
    eventName,
    dynamodb: {
      SequenceNumber: '1',
      ...(next ? { NewImage: marshall(next, { removeUndefinedValues: true }) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'] } : {}),
      ...(old ? { OldImage: marshall(old, { removeUndefinedValues: true }) as NonNullable<DynamoDBRecord['dynamodb']>['OldImage'] } : {}),
    },
  };
}

const item = (status: string) => ({ pk: 'TICKET#t', sk: 'OUT#d', type: 'delivery', ...delivery({ status: status as 'pending' }) });

describe('deliveryToSend', () => {
  it('takes a new pending delivery', () => {
    expect(deliveryToSend(record('INSERT', item('pending')))?.id).toBe(delivery().id);
  });

  it("takes an agent's retry, failed back to pending", () => {
    expect(deliveryToSend(record('MODIFY', item('pending'), item('failed')))?.status).toBe('pending');
  });

  it("takes an agent's retry of a bounced delivery (retryRequestedAt says it is the agent's)", () => {
    const retried = { ...item('pending'), retryRequestedAt: '2025-01-02T00:00:00Z' };
    expect(deliveryToSend(record('MODIFY', retried, item('bounced')))?.status).toBe('pending');
  });

  it.each([
    ['its own claim', record('MODIFY', item('sending'), item('pending'))],
    ['its own release after throttling', record('MODIFY', item('pending'), item('sending'))],
    ['its own sent record', record('MODIFY', item('sent'), item('sending'))],
    ['a TTL deletion', record('REMOVE', null, item('sent'))],
    ['a ticket', record('INSERT', { pk: 'TICKET#t', sk: 'META', type: 'ticket', status: 'pending' })],
    ['a message', record('INSERT', { pk: 'TICKET#t', sk: 'MSG#1', type: 'message' })],
  ])('ignores %s', (_name, change) => {
    expect(deliveryToSend(change)).toBeNull();
  });
});

describe('tableChangeOf a delivery', () => {
  it('reports a delivery that just failed, or bounced after it was sent, each under a name of its own', () => {
    const failed = tableChangeOf(record('MODIFY', item('failed'), item('sending')));
    const bounced = tableChangeOf(record('MODIFY', item('bounced'), item('sent')));

    expect(failed).toMatchObject({ kind: 'delivery-failed', delivery: { status: 'failed' } });
    expect(bounced).toMatchObject({ kind: 'delivery-failed', delivery: { status: 'bounced' } });
    expect(bounced!.source).not.toBe(failed!.source);
    // A redelivered record has the same name: the ids derived from it make the notice and the event once.
    expect(tableChangeOf(record('MODIFY', item('bounced'), item('sent')))!.source).toBe(bounced!.source);
  });

  it.each([
    ['a complaint (that mail arrived)', record('MODIFY', item('complained'), item('sent'))],
    ['a bounced delivery written again', record('MODIFY', item('bounced'), item('bounced'))],
    ['a suppression', record('MODIFY', item('suppressed'), item('pending'))],
    ['a sent record', record('MODIFY', item('sent'), item('sending'))],
  ])('reports nothing for %s', (_name, change) => {
    expect(tableChangeOf(change)).toBeNull();
  });
});
