// core: the log lines the stack counts into metrics (LOGGED_METRICS) are written exactly when the failure happens
import { describe, expect, it } from 'vitest';
import { LOGGED_METRICS, METRIC_LOG_FIELD } from '../../../functions/contracts';
import type { IngestDeps } from '../../../functions/core/ingest/ingest-email';
import { recordOutcome } from '../../../functions/core/ingest/ingest-outcome';
import { MailRejectedError, type DeliveryRepository, type Mailer } from '../../../functions/core/notify/notify-ports';
import { processDelivery, type NotifyDeps } from '../../../functions/core/notify/process-delivery';
import { defaultDeskSettings } from '../../../functions/core/settings/desk-settings';
import { MemoryLog } from '../../support/logs';
import { TEST_TOKEN_KEYS } from '../../support/secret';
import { CONFIG, delivery } from './notify-fixtures';

/** Notify's dependencies with a delivery that is always claimable and a mailer doing `send`. */
function notifyDeps(send: Mailer['send'], released: boolean) {
  const log = new MemoryLog();
  const deliveries = {
    claim: async () => ({ kind: 'claimed' }) as const,
    isClaimedBy: async () => true,
    markSent: async () => true,
    release: async () => released,
    markFailed: async () => undefined,
    markSuppressed: async () => true,
  } as unknown as DeliveryRepository;
  const deps: NotifyDeps = {
    deliveries,
    settings: async (deskId) => defaultDeskSettings({ id: deskId }),
    mailer: { send },
    store: { get: async () => new Uint8Array(), put: async () => undefined, copy: async () => undefined, list: async function* () {} },
    bucket: 'mail',
    config: CONFIG,
    tokenKeys: TEST_TOKEN_KEYS,
    clock: () => new Date('2025-01-02T03:04:05Z'),
    region: 'eu-west-1',
    log,
  };
  return { deps, log };
}

const counted = (lines: MemoryLog['lines'], metric: string) =>
  lines.filter((line) => line.extra[METRIC_LOG_FIELD] === metric).map((line) => line.message);

describe('logged failure metrics', () => {
  it('marks a delivery SES rejected with the DeliveryFailed metric field', async () => {
    const { deps, log } = notifyDeps(async () => {
      throw new MailRejectedError('Email address is not verified');
    }, true);

    expect(await processDelivery(deps, { delivery: delivery(), leaseMs: 60_000 })).toBe('failed');
    expect(counted(log.lines, LOGGED_METRICS.deliveryFailed)).toEqual(['delivery failed for good']);
  });

  it('marks a delivery whose last attempt failed, and not one given back for another try', async () => {
    const outage = async (): Promise<string> => {
      throw new Error('ServiceUnavailable');
    };
    const last = notifyDeps(outage, false);
    const again = notifyDeps(outage, true);

    expect(await processDelivery(last.deps, { delivery: delivery(), leaseMs: 60_000 })).toBe('failed');
    expect(await processDelivery(again.deps, { delivery: delivery(), leaseMs: 60_000 })).toBe('retry');
    expect(counted(last.log.lines, LOGGED_METRICS.deliveryFailed)).toEqual(['delivery failed after the last attempt']);
    expect(counted(again.log.lines, LOGGED_METRICS.deliveryFailed)).toEqual([]);
  });

  it('writes no metric field for a sent delivery', async () => {
    const { deps, log } = notifyDeps(async () => 'ses-id-1', true);

    expect(await processDelivery(deps, { delivery: delivery(), leaseMs: 60_000 })).toBe('sent');
    expect(log.lines.filter((line) => METRIC_LOG_FIELD in line.extra)).toEqual([]);
  });

  it('marks a mail recorded failed with the IngestFailed metric field, and no other outcome', async () => {
    const log = new MemoryLog();
    const deps = { tickets: { recordIngest: async () => undefined }, clock: () => new Date(), log } as unknown as IngestDeps;
    const input = { bucket: 'mail', key: 'inbound/abc', receivedAt: '2025-01-02T03:04:05Z' };

    await recordOutcome(deps, input, 'failed', 'could not parse');
    await recordOutcome(deps, input, 'ignored', 'auto-reply');

    expect(counted(log.lines, LOGGED_METRICS.ingestFailed)).toEqual(['mail failed']);
    expect(log.lines.find((line) => line.message === 'mail ignored')?.extra).not.toHaveProperty(METRIC_LOG_FIELD);
  });
});
