// unit: SES bounce and complaint notifications become address states and bounced deliveries
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors';
import type { AddressFeedback } from '../../../functions/core/feedback/address-feedback';
import type { DeliveryRepository } from '../../../functions/core/notify/notify-ports';
import { recordSesFeedback } from '../../../functions/core/notify/record-ses-feedback';
import { MemoryLog } from '../../support/logs';

function fakeRepository(messageIds: Record<string, { ticketId: string; deliveryId: string | null }>) {
  const recorded: { feedback: readonly AddressFeedback[]; delivery: { ticketId: string; deliveryId: string } | null; reason: string }[] =
    [];
  const repository = {
    findByMessageId: async (id: string) => messageIds[id] ?? null,
    recordFeedback: async (
      feedback: readonly AddressFeedback[],
      delivery: { ticketId: string; deliveryId: string } | null,
      _at: string,
      reason: string,
    ) => {
      recorded.push({ feedback, delivery, reason });
    },
  } as unknown as DeliveryRepository;
  return { repository, recorded };
}

const target = { '<0100abc@eu-west-1.amazonses.com>': { ticketId: 't1', deliveryId: 'd1' } };
const deps = (repository: DeliveryRepository) => ({
  deliveries: repository,
  clock: () => new Date('2025-01-02T00:00:00Z'),
  region: 'eu-west-1',
  log: new MemoryLog(),
});

describe('recordSesFeedback', () => {
  it('marks a permanently bounced address undeliverable and its delivery bounced', async () => {
    const { repository, recorded } = fakeRepository(target);

    const result = await recordSesFeedback(deps(repository), {
      notificationType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'NoEmail',
        bouncedRecipients: [{ emailAddress: 'Gone@Customer.example', status: '5.1.1' }],
      },
      mail: { messageId: '0100abc' },
    });

    expect(result).toMatchObject({ kind: 'bounce', ticketId: 't1', deliveryId: 'd1' });
    expect(recorded).toEqual([
      {
        feedback: [{ address: 'gone@customer.example', state: 'undeliverable', reason: 'Permanent bounce (NoEmail): 5.1.1' }],
        delivery: { ticketId: 't1', deliveryId: 'd1' },
        reason: 'Permanent bounce (NoEmail)',
      },
    ]);
  });

  it('only counts a transient bounce: the address stays deliverable and the delivery sent', async () => {
    const { repository, recorded } = fakeRepository(target);

    await recordSesFeedback(deps(repository), {
      eventType: 'Bounce',
      bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'full@customer.example' }] },
      mail: { messageId: '0100abc' },
    });

    expect(recorded[0]).toMatchObject({ feedback: [{ address: 'full@customer.example', state: null }], delivery: null });
  });

  it('marks a complaining address complained without calling the delivery bounced', async () => {
    const { repository, recorded } = fakeRepository(target);

    await recordSesFeedback(deps(repository), {
      notificationType: 'Complaint',
      complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'angry@customer.example' }] },
      mail: { messageId: '0100abc' },
    });

    expect(recorded[0]).toEqual({
      feedback: [{ address: 'angry@customer.example', state: 'complained', reason: 'complaint (abuse)' }],
      delivery: null,
      reason: 'complaint (abuse)',
    });
  });

  it('ignores delivery notifications and rejects what is not an SES notification', async () => {
    const { repository, recorded } = fakeRepository(target);

    expect((await recordSesFeedback(deps(repository), { notificationType: 'Delivery', mail: { messageId: 'x' } })).kind).toBe('ignored');
    await expect(recordSesFeedback(deps(repository), { hello: 'world' })).rejects.toBeInstanceOf(InvalidInputError);
    expect(recorded).toEqual([]);
  });
});
