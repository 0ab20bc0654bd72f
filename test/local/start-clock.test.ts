// unit: the clock `sesdesk dev` prints its ready time with counts from the command a person typed
import { describe, expect, it } from 'vitest';
import { commandClock } from '../../bin/cli/start-clock';

describe('commandClock', () => {
  it('counts from this process when no npm script ran it', () => {
    const clock = commandClock({});

    expect(clock.command).toBe('sesdesk');
    const before = performance.now();
    const elapsed = clock.elapsedMs();
    expect(elapsed).toBeGreaterThanOrEqual(before);
    expect(elapsed).toBeLessThanOrEqual(performance.now());
  });

  it('does not take the start of an npm process that did not run it as its script', () => {
    // This test process runs under vitest, which npm may have started; its parent is no shell running this script.
    const clock = commandClock({ npm_lifecycle_event: 'start', npm_lifecycle_script: 'node bin/sesdesk.js dev' });

    expect(clock.command).toBe('sesdesk');
  });
});
