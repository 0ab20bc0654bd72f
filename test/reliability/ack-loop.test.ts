// Reliability: two broken auto-responders answering every acknowledgement with new mail: the desk stops after its daily limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { plainMail } from '../support/mail';
import { type RuntimeHarness, startRuntimeHarness } from '../support/runtime-harness';

let fx: RuntimeHarness;
beforeAll(async () => {
  fx = await startRuntimeHarness({ name: 'loop' });
});
afterAll(async () => {
  await fx.stop();
});

describe('auto-responder loops', () => {
  it('sends each looping auto-responder at most ackLimitPerDay acknowledgements, then stays silent', async () => {
    // Arrange: responders that answer anything with a fresh mail: no Auto-Submitted, no threading headers, no tag
    const limit = DEFAULT_DESK_CONFIG.ackLimitPerDay;
    const responders = [`robot-a-${fx.tableName}@customer.example`, `robot-b-${fx.tableName}@customer.example`];
    let written = 0;
    const write = async (from: string) => {
      written += 1;
      const [result] = await fx.ingest(
        fx.event(
          await fx.put(
            plainMail({
              from,
              subject: `I am away (${written})`,
              messageId: `<loop-${written}-${fx.tableName}@customer.example>`,
              body: 'I am away.',
            }),
          ),
        ),
      );
      expect(result!.outcome).toBe('ticket-created');
    };

    // Act: they start it, then answer every mail the desk sends them, round after round
    for (const robot of responders) await write(robot);
    let seen = 0;
    let rounds = 0;
    for (; rounds < 10; rounds += 1) {
      await fx.settled();
      const fresh = fx.sent.slice(seen);
      seen = fx.sent.length;
      if (fresh.length === 0) break;
      for (const email of fresh) await write(email.to);
    }

    // Assert: the loop ended on its own, each robot got exactly the limit, the next acknowledgement was suppressed
    expect(rounds).toBeLessThan(10);
    for (const robot of responders) expect(fx.sent.filter((s) => s.to === robot)).toHaveLength(limit);
    const deliveries = (await fx.items()).filter((i) => i.type === 'delivery');
    expect(deliveries.filter((d) => d.status === 'sent')).toHaveLength(limit * responders.length);
    expect(deliveries.filter((d) => d.status === 'suppressed' && d.lastError === 'rate-limited')).toHaveLength(responders.length);
    expect(written).toBe((limit + 1) * responders.length);
  }, 60_000);
});
