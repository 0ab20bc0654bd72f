// tests: a bounce or complaint acts only on the recipient of an email we sent, never on addresses it merely names
import { describe, expect, it } from 'vitest';
import { matchReport } from '../../../functions/core/feedback/report-match';

const sent = { ticketId: 't1', deliveryId: 'd1', recipient: 'bob@example.com' };

describe('matchReport', () => {
  it('matches nothing when the report refers to no email of ours, whatever it names', () => {
    const result = matchReport(['bob@example.com', 'carol@example.com'], []);
    expect(result).toEqual({ matches: [], unmatched: 'it refers to no email the desk sent' });
  });

  it('matches the delivery whose recipient the report names as failed, case-insensitively', () => {
    expect(matchReport(['BOB@Example.com'], [sent])).toEqual({ matches: [sent], unmatched: null });
  });

  it('refuses a report that refers to our email to Bob but names Carol', () => {
    const result = matchReport(['carol@example.com'], [sent]);
    expect(result.matches).toEqual([]);
    expect(result.unmatched).toMatch(/names carol@example\.com, but the email of ours it refers to went to someone else/);
  });

  it('keeps only the named recipient among the many a forged report lists', () => {
    const many = Array.from({ length: 20 }, (_, i) => `victim${i}@example.com`);
    expect(matchReport([...many, 'bob@example.com'], [sent]).matches).toEqual([sent]);
  });

  it('acts on a delivery once even when two of its Message-IDs are in the report', () => {
    expect(matchReport(['bob@example.com'], [sent, { ...sent }]).matches).toHaveLength(1);
  });
});
