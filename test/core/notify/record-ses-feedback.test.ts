// unit: SES bounce and complaint notifications become address states, ended deliveries and marked tickets
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors';
import type { AddressFeedback } from '../../../functions/core/feedback/address-feedback';
import type { Delivery, DeliveryRepository, DeliveryStatus, LateEndWrite } from '../../../functions/core/notify/notify-ports';
import { recordSesFeedback } from '../../../functions/core/notify/record-ses-feedback';
import { MemoryLog } from '../../support/logs';

/** A repository over one sent delivery `d1` of ticket `t1`, whose status the recorded ends change as the adapter would. */
function fakeRepository(messageIds: Record<string, { ticketId: string; deliveryId: string | null }>, status: DeliveryStatus = 'sent') {
  const recorded: { feedback: readonly AddressFeedback[]; end: LateEndWrite | null; reason: string }[] = [];
  let delivery = { id: 'd1', ticketId: 't1', deskId: 'support', status, sesMessageId: '0100abc' } as Delivery;
  const repository = {
    findByMessageId: async (id: string) => messageIds[id] ?? null,
    getDelivery: async (ticketId: string, deliveryId: string) => (ticketId === 't1' && deliveryId === 'd1' ? delivery : null),
    recordFeedback: async (feedback: readonly AddressFeedback[], end: LateEndWrite | null, _at: string, reason: string) => {
      recorded.push({ feedback, end, reason });
      if (end) delivery = { ...delivery, status: end.status };
    },
  } as unknown as DeliveryRepository;
  return { repository, recorded, retried: () => (delivery = { ...delivery, status: 'sent', sesMessageId: '0100def' }) };
}

const target = { '<0100abc@eu-west-1.amazonses.com>': { ticketId: 't1', deliveryId: 'd1' } };
const deps = (repository: DeliveryRepository, log = new MemoryLog()) => ({
  deliveries: repository,
  clock: () => new Date('2025-01-02T00:00:00Z'),
  region: 'eu-west-1',
  log,
});
const permanent = {
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'NoEmail',
    bouncedRecipients: [{ emailAddress: 'Gone@Customer.example', status: '5.1.1' }],
  },
  mail: { messageId: '0100abc' },
};
const complaint = {
  notificationType: 'Complaint',
  complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'angry@customer.example' }] },
  mail: { messageId: '0100abc' },
};

describe('recordSesFeedback', () => {
  it('marks a permanently bounced address undeliverable, its delivery bounced and its ticket marked', async () => {
    const { repository, recorded } = fakeRepository(target);

    const result = await recordSesFeedback(deps(repository), permanent);

    expect(result).toMatchObject({ kind: 'bounce', ticketId: 't1', deliveryId: 'd1' });
    expect(recorded).toEqual([
      {
        feedback: [{ address: 'gone@customer.example', state: 'undeliverable', reason: 'Permanent bounce (NoEmail): 5.1.1' }],
        end: { ticketId: 't1', deliveryId: 'd1', deskId: 'support', status: 'bounced', marksTicket: true },
        reason: 'Permanent bounce (NoEmail)',
      },
    ]);
  });

  it('writes nothing for a redelivered notification: the delivery ended bounced already', async () => {
    const { repository, recorded } = fakeRepository(target);
    const log = new MemoryLog();

    await recordSesFeedback(deps(repository, log), permanent);
    const again = await recordSesFeedback(deps(repository, log), permanent);

    expect(again).toMatchObject({ kind: 'bounce', ticketId: 't1', deliveryId: 'd1' });
    expect(recorded).toHaveLength(1);
    expect(log.lines.map((l) => l.message)).toContain('SES bounce already recorded; nothing changed');
  });

  it('only counts a transient bounce: the address stays deliverable, the delivery sent, the ticket unmarked', async () => {
    const { repository, recorded } = fakeRepository(target);

    await recordSesFeedback(deps(repository), {
      eventType: 'Bounce',
      bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'full@customer.example' }] },
      mail: { messageId: '0100abc' },
    });

    expect(recorded).toEqual([
      { feedback: [{ address: 'full@customer.example', state: null, reason: 'Transient bounce' }], end: null, reason: 'Transient bounce' },
    ]);
  });

  it('marks a complaining address complained, and its delivery complained (not bounced) with the ticket marked', async () => {
    const { repository, recorded } = fakeRepository(target);

    await recordSesFeedback(deps(repository), complaint);

    expect(recorded[0]).toEqual({
      feedback: [{ address: 'angry@customer.example', state: 'complained', reason: 'complaint (abuse)' }],
      end: { ticketId: 't1', deliveryId: 'd1', deskId: 'support', status: 'complained', marksTicket: true },
      reason: 'complaint (abuse)',
    });
  });

  it('leaves a delivery that is not sent as it is, and one an agent retried since, still marking the address', async () => {
    const failed = fakeRepository(target, 'failed');
    await recordSesFeedback(deps(failed.repository), permanent);
    const resent = fakeRepository(target);
    resent.retried();
    await recordSesFeedback(deps(resent.repository), permanent);

    for (const { recorded } of [failed, resent]) {
      expect(recorded).toEqual([expect.objectContaining({ end: null, feedback: [expect.objectContaining({ state: 'undeliverable' })] })]);
    }
  });

  it('marks no delivery for mail of ours that was no delivery (a Message-ID of a ticket, not of an email we sent)', async () => {
    const { repository, recorded } = fakeRepository({ '<0100abc@eu-west-1.amazonses.com>': { ticketId: 't1', deliveryId: null } });

    const result = await recordSesFeedback(deps(repository), permanent);

    expect(result).toMatchObject({ ticketId: 't1', deliveryId: null });
    expect(recorded[0]!.end).toBeNull();
  });

  it('ignores delivery notifications and rejects what is not an SES notification', async () => {
    const { repository, recorded } = fakeRepository(target);

    expect((await recordSesFeedback(deps(repository), { notificationType: 'Delivery', mail: { messageId: 'x' } })).kind).toBe('ignored');
    await expect(recordSesFeedback(deps(repository), { hello: 'world' })).rejects.toBeInstanceOf(InvalidInputError);
    expect(recorded).toEqual([]);
  });
});
