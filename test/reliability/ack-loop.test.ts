// Reliability: two broken auto-responders answering every acknowledgement with new mail: the desk stops after its daily
// limit, and the team hears of each responder's mail only up to the hourly notice limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { NOTICE_LIMIT_PER_HOUR } from '../../functions/core/notify/rate-limit';
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
  it('sends each looping auto-responder at most ackLimitPerDay acknowledgements, and the team a few notices, then stays silent', async () => {
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
      // Each responder answers what reaches it; the team's notices go to the team, not to the loop.
      const answered = fresh.filter((email) => responders.includes(email.to));
      if (answered.length === 0) break;
      for (const email of answered) await write(email.to);
    }

    // Assert: the loop ended on its own, each robot got exactly the limit, the next acknowledgement was suppressed
    expect(rounds).toBeLessThan(10);
    for (const robot of responders) expect(fx.sent.filter((s) => s.to === robot)).toHaveLength(limit);
    const deliveries = (await fx.items()).filter((i) => i.type === 'delivery');
    const acks = deliveries.filter((d) => d.kind !== 'agent-notice');
    expect(acks.filter((d) => d.status === 'sent')).toHaveLength(limit * responders.length);
    expect(acks.filter((d) => d.status === 'suppressed' && d.lastError === 'rate-limited')).toHaveLength(responders.length);
    expect(written).toBe((limit + 1) * responders.length);

    // Assert: each of the responders' new tickets made a notice for the team member, sent up to the hourly limit
    // per responder; the rest are kept on their tickets as rate-limited
    const team = fx.config.team.map((m) => m.email);
    expect(team).toHaveLength(1);
    expect(limit + 1).toBeGreaterThan(NOTICE_LIMIT_PER_HOUR);
    const notices = deliveries.filter((d) => d.kind === 'agent-notice');
    expect(notices).toHaveLength(written);
    expect(notices.filter((d) => d.status === 'sent')).toHaveLength(NOTICE_LIMIT_PER_HOUR * responders.length);
    expect(notices.filter((d) => d.status === 'suppressed' && d.lastError === 'rate-limited')).toHaveLength(
      (limit + 1 - NOTICE_LIMIT_PER_HOUR) * responders.length,
    );
    expect(fx.sent.filter((s) => team.includes(s.to))).toHaveLength(NOTICE_LIMIT_PER_HOUR * responders.length);
  }, 60_000);
});
