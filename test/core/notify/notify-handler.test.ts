// unit: the notify handler acts only on new pending deliveries and an agent's retry, each record on its own
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deliveryToSend } from '../../../functions/notify/create-handler';
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
