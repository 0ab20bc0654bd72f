// The cost benchmark's arithmetic: chunks, Lambda duration scaling and the monthly bill from per-ticket usage.
import { describe, expect, it } from 'vitest';
import { chunksOf, fixedMonthlyCost, lambdaMs, monthlyCost, PRICES, total, type TicketUsage } from '../../bin/bench/cost-model';

/** prices.md §2's per-ticket assumptions, written as a TicketUsage. */
const PRICES_MD_TICKET: TicketUsage = {
  inboundMessages: 3,
  inboundChunks: 3.21,
  outboundRecipients: 3,
  outboundAttachmentBytes: 0,
  s3Puts: 3.6,
  s3Gets: 3.6,
  s3StoredBytes: 200_000,
  wru: 50,
  rru: 100,
  itemBytes: 15_000,
  functions: [
    { name: 'ingest', memoryMb: 512, invocations: 3, coldCandidates: 3, handlerMs: 600, initMs: 500, readsSecretAtInit: true },
    { name: 'notify', memoryMb: 512, invocations: 3, coldCandidates: 3, handlerMs: 600, initMs: 500, readsSecretAtInit: true },
    { name: 'api', memoryMb: 256, invocations: 20, coldCandidates: 20, handlerMs: 4000, initMs: 300, readsSecretAtInit: false },
  ],
  apiRequests: 20,
  logBytes: 45_000,
  responseBytes: 200_000,
  sqsRequests: 1,
};

describe('the cost model', () => {
  it('bills one 256 KB chunk for a small mail and twelve for a 3 MB one', () => {
    expect(chunksOf(2_000)).toBe(1);
    expect(chunksOf(256 * 1024)).toBe(1);
    expect(chunksOf(3 * 1024 * 1024)).toBe(12);
  });

  it('slows only the compute part of a duration by the CPU share of the memory size', () => {
    expect(lambdaMs(100, 40, 1769)).toBeCloseTo(100);
    expect(lambdaMs(100, 40, 3008)).toBeCloseTo(100);
    expect(lambdaMs(100, 40, 1769 / 2)).toBeCloseTo(60 * 2 + 40);
    expect(lambdaMs(10, 50, 512)).toBeCloseTo(10);
  });

  it('reproduces the worked example of prices.md §3 from its own assumptions, less the lines it leaves out', () => {
    const lines = monthlyCost(PRICES_MD_TICKET, 1000, 0.5);
    const byLine = new Map(lines.map((l) => [l.line, l.usd]));

    expect(byLine.get('SES inbound messages')).toBeCloseTo(0.3, 6);
    expect(byLine.get('SES inbound 256 KB chunks')).toBeCloseTo(0.2889, 4);
    expect(byLine.get('Lambda duration (arm64)')).toBeCloseTo(0.0413, 4);
    expect(byLine.get('DynamoDB writes')).toBeCloseTo(0.03125, 6);
    expect(byLine.get('Secrets Manager API calls (cold starts)')).toBeCloseTo(0.015, 6);
    // prices.md's total ($1.083) has no CloudFront request line (its free tier) and no outbound-attachment line.
    const withoutCloudFront = total(lines) - byLine.get('CloudFront HTTPS requests (/api/*)')!;
    expect(withoutCloudFront).toBeCloseTo(1.083, 2);
  });

  it('grows the variable bill linearly with tickets when the cold share is the same', () => {
    const small = total(monthlyCost(PRICES_MD_TICKET, 1000, 0.05));
    const large = total(monthlyCost(PRICES_MD_TICKET, 100_000, 0.05));

    expect(large / small).toBeCloseTo(100, 6);
  });

  it('prices the fixed resources by the month', () => {
    const lines = fixedMonthlyCost({ secrets: 1, kmsKeys: 2, alarms: 8, dashboards: 1, agents: 3, cognitoPlan: 'plus' });

    expect(total(lines)).toBeCloseTo(
      PRICES.secretMonth + 2 * PRICES.kmsKeyMonth + 8 * PRICES.alarmMonth + PRICES.dashboardMonth + 3 * PRICES.cognitoPlusMau,
      6,
    );
  });

  it('charges Cognito Essentials only for active users beyond the free 10,000', () => {
    const idle = { secrets: 0, kmsKeys: 0, alarms: 0, dashboards: 0, cognitoPlan: 'essentials' } as const;

    expect(total(fixedMonthlyCost({ ...idle, agents: 3 }))).toBe(0);
    expect(total(fixedMonthlyCost({ ...idle, agents: 10_100 }))).toBeCloseTo(100 * PRICES.cognitoEssentialsMau, 6);
  });
});
