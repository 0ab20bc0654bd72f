// Reliability: a handler dies at each named point; redelivery must reach the same end state as a run without the crash.
import { afterAll, describe, expect, it } from 'vitest';
import { createFaultInjector, SimulatedCrash, type CrashPoint } from '../../bin/local/faults';
import { plainMail } from '../support/mail';
import { normalizedState, type RuntimeHarness, sentMessageId, startRuntimeHarness } from '../support/runtime-harness';

const fixtures: RuntimeHarness[] = [];
afterAll(async () => {
  for (const fx of fixtures) await fx.stop();
});

/** Lambda's context for notify: a short remaining time gives a short claim lease, as a short function timeout would. */
const shortInvocation = { getRemainingTimeInMillis: () => 200 };

/**
 * A new thread and a reply to it, each event redelivered after a failure as Lambda's async retries do,
 * the stream read by the poller (which retries failed records); returns the normalised end state.
 */
async function scenario(point: CrashPoint | null) {
  const faults = point ? createFaultInjector({ crashes: { [point]: 1 } }) : undefined;
  const fx = await startRuntimeHarness({ name: point ?? 'baseline', faults, context: shortInvocation });
  fixtures.push(fx);
  const crashes: unknown[] = [];
  const deliver = async (raw: string) => {
    const key = await fx.put(raw);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        return await fx.ingest(fx.event(key));
      } catch (error) {
        crashes.push(error);
      }
    }
    throw new Error('ingest failed three times');
  };
  const original = `<crash-original@customer.example>`;
  await deliver(plainMail({ from: 'Ann <ann@customer.example>', subject: 'Crash test', messageId: original }));
  await deliver(
    plainMail({
      from: 'ann@customer.example',
      subject: 'Re: Crash test',
      messageId: '<crash-reply@customer.example>',
      inReplyTo: original,
      body: 'Any news?',
    }),
  );
  await fx.settled();
  const items = await fx.items();
  const sentIds = fx.sent.map((s) => sentMessageId(s.raw));
  return {
    state: normalizedState(items),
    numbers: items.filter((i) => i.type === 'ticket').map((t) => t.number),
    sends: sentIds.length,
    distinctSends: new Set(sentIds).size,
    crashes,
    fired: faults?.stats.crashes.get(point!) ?? 0,
  };
}

describe('crash points', async () => {
  const baseline = await scenario(null);

  it('the baseline run creates one ticket with the reply, one acknowledgement and one team notice of the new ticket', () => {
    expect(baseline.state.tickets).toHaveLength(1);
    expect(baseline.state.messages).toHaveLength(2);
    // The reply mails nobody on the team: the ticket has no assignee.
    expect(baseline.state.deliveries).toEqual([
      JSON.stringify({ ticket: 'Crash test', kind: 'ack', recipient: 'ann@customer.example', status: 'sent' }),
      JSON.stringify({ ticket: 'Crash test', kind: 'agent-notice', recipient: 'agent@desk.localhost', status: 'sent' }),
    ]);
    expect(baseline.sends).toBe(2);
    expect(baseline.distinctSends).toBe(2);
  });

  it('after-s3-read: the retried event ends exactly as if ingest had not crashed', async () => {
    const run = await scenario('after-s3-read');

    expect(run.fired).toBe(1);
    expect(run.crashes[0]).toBeInstanceOf(SimulatedCrash);
    expect(run.state).toEqual(baseline.state);
    expect(run.numbers).toEqual(baseline.numbers);
    expect(run.sends).toBe(baseline.sends);
  }, 60_000);

  it('between-writes: the retried event ends the same, with the taken ticket number skipped, never repeated', async () => {
    const run = await scenario('between-writes');

    expect(run.fired).toBe(1);
    expect(run.state).toEqual(baseline.state);
    expect(run.numbers).toEqual(baseline.numbers.map((n) => Number(n) + 1));
    expect(run.sends).toBe(baseline.sends);
  }, 60_000);

  it('after-ses-accepted: the redelivered record ends the delivery sent; the one email sent twice is the documented window', async () => {
    const run = await scenario('after-ses-accepted');

    expect(run.fired).toBe(1);
    expect(run.state).toEqual(baseline.state);
    // The measured cost of the window: one crash after SES accepted = one extra copy of that one email.
    console.info(`after-ses-accepted: ${run.sends} sends for ${run.distinctSends} deliveries (baseline ${baseline.sends})`);
    expect(run.distinctSends).toBe(baseline.distinctSends);
    expect(run.sends).toBe(baseline.sends + 1);
  }, 60_000);
});
