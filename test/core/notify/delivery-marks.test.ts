// unit: which unsent ends mark a delivery's ticket
import { describe, expect, it } from 'vitest';
import { marksTicket } from '../../../functions/core/notify/delivery-marks';

describe('marksTicket', () => {
  it('marks a failure and the suppressions an agent must act on, not those the desk means', () => {
    expect(marksTicket({ status: 'failed' })).toBe(true);
    expect(marksTicket({ status: 'suppressed', reason: 'undeliverable' })).toBe(true);
    expect(marksTicket({ status: 'suppressed', reason: 'rate-limited' })).toBe(true);
    expect(marksTicket({ status: 'suppressed', reason: 'acknowledgements-disabled' })).toBe(false);
    expect(marksTicket({ status: 'suppressed', reason: 'desk-address' })).toBe(false);
    expect(marksTicket({ status: 'suppressed', reason: 'unsubscribed' })).toBe(false);
  });
});
