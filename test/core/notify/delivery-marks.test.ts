// unit: which ends of a delivery mark its ticket, what a late bounce or complaint does to a delivery, and which ends
// the team is told about
import { describe, expect, it } from 'vitest';
import { WORKFLOW_STREAM_FILTERS } from '../../../functions/contracts';
import { canRetry, failedForGood, lateEnd, marksTicket, RETRYABLE_ENDS } from '../../../functions/core/notify/delivery-marks';
import type { DeliveryStatus } from '../../../functions/core/notify/notify-ports';

const STATUSES: readonly DeliveryStatus[] = ['pending', 'sending', 'sent', 'failed', 'bounced', 'complained', 'suppressed'];

describe('marksTicket', () => {
  it('marks a failure and the suppressions an agent must act on, not those the desk means', () => {
    expect(marksTicket({ status: 'failed' })).toBe(true);
    expect(marksTicket({ status: 'suppressed', reason: 'undeliverable' })).toBe(true);
    expect(marksTicket({ status: 'suppressed', reason: 'rate-limited' })).toBe(true);
    expect(marksTicket({ status: 'suppressed', reason: 'acknowledgements-disabled' })).toBe(false);
    expect(marksTicket({ status: 'suppressed', reason: 'desk-address' })).toBe(false);
    expect(marksTicket({ status: 'suppressed', reason: 'unsubscribed' })).toBe(false);
  });

  it('marks a delivery that bounced for good or was complained about after SES accepted it', () => {
    expect(marksTicket({ status: 'bounced' })).toBe(true);
    expect(marksTicket({ status: 'complained' })).toBe(true);
  });
});

describe('lateEnd', () => {
  it('ends a sent delivery bounced for a bounce for good, complained for a complaint, and marks its ticket', () => {
    expect(lateEnd('bounced', 'sent')).toEqual({ end: 'bounced', marksTicket: true, recorded: false });
    expect(lateEnd('complained', 'sent')).toEqual({ end: 'complained', marksTicket: true, recorded: false });
  });

  it('changes nothing for a transient bounce: the mail may still arrive', () => {
    for (const status of STATUSES) expect(lateEnd(null, status), status).toEqual({ end: null, marksTicket: false, recorded: false });
  });

  it('knows a copy of a report already recorded, so a redelivery ends and marks nothing again', () => {
    expect(lateEnd('bounced', 'bounced')).toEqual({ end: null, marksTicket: false, recorded: true });
    expect(lateEnd('complained', 'complained')).toEqual({ end: null, marksTicket: false, recorded: true });
  });

  it('ends only a sent delivery: one retried meanwhile, never sent, or ended another way keeps its status', () => {
    for (const status of STATUSES.filter((s) => s !== 'sent')) {
      expect(lateEnd('bounced', status).end, status).toBeNull();
      expect(lateEnd('bounced', status).marksTicket, status).toBe(false);
    }
    // A complaint about mail that bounced (or the other way round) is a second report, not a second mark.
    expect(lateEnd('complained', 'bounced')).toEqual({ end: null, marksTicket: false, recorded: false });
  });

  it('lets an agent retry every late end it decides', () => {
    for (const end of ['bounced', 'complained'] as const) expect(RETRYABLE_ENDS).toContain(lateEnd(end, 'sent').end);
  });
});

describe('canRetry', () => {
  const now = '2025-01-02T00:00:00.000Z';
  const at = (status: DeliveryStatus, lastError: string | null = null, leaseUntil?: string) => ({ status, lastError, leaseUntil });

  it('offers Retry for the ends, a send stuck past its lease, and exactly the suppressions that mark the ticket', () => {
    for (const status of RETRYABLE_ENDS) expect(canRetry(at(status), now), status).toBe(true);
    for (const status of ['pending', 'sent'] as const) expect(canRetry(at(status), now), status).toBe(false);
    expect(canRetry(at('sending', null, '2025-01-01T23:59:00.000Z'), now)).toBe(true);
    expect(canRetry(at('sending', null, '2025-01-02T00:01:00.000Z'), now)).toBe(false);
    for (const reason of ['undeliverable', 'rate-limited'] as const) {
      expect(canRetry(at('suppressed', reason), now), reason).toBe(marksTicket({ status: 'suppressed', reason }));
      expect(canRetry(at('suppressed', reason), now), reason).toBe(true);
    }
    for (const reason of ['acknowledgements-disabled', 'unsubscribed'] as const) {
      expect(canRetry(at('suppressed', reason), now), reason).toBe(marksTicket({ status: 'suppressed', reason }));
      expect(canRetry(at('suppressed', reason), now), reason).toBe(false);
    }
  });
});

describe('failedForGood', () => {
  it('tells the team about a failed or bounced delivery, not a complaint (that mail arrived) or a suppression', () => {
    expect(STATUSES.filter(failedForGood)).toEqual(['failed', 'bounced']);
  });

  it('agrees with the stream filter that brings delivery changes to the workflow', () => {
    const deliveryFilters = WORKFLOW_STREAM_FILTERS.flatMap((f) => {
      const image = f.dynamodb.NewImage as { type: { S: readonly string[] }; status?: { S: readonly string[] } };
      return image.type.S.includes('delivery') && image.status ? [...image.status.S] : [];
    });
    expect(deliveryFilters.sort()).toEqual(STATUSES.filter(failedForGood).sort());
  });
});
