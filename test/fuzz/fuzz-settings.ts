// test support (fuzz): run counts, seeds and the per-message hang detector shared by the fuzz suites
/** Generous on purpose: the slowest generated case takes about half a second on an idle core. */
export const BUDGET_MS = 2_000;

const requestedScale = Number(process.env.FUZZ_SCALE ?? '1');
const SCALE = Number.isFinite(requestedScale) && requestedScale > 0 ? requestedScale : 1;

/**
 * fast-check options for one property: a fixed seed so every run is reproducible. For a longer hunt set
 * `FUZZ_SCALE` (multiplies the runs) and `FUZZ_SEED` (replaces the seed); fast-check prints the seed and
 * the shrunk counterexample of any failure.
 */
export function fuzzOptions(numRuns: number, seed: number): { numRuns: number; seed: number } {
  const override = process.env.FUZZ_SEED;
  return { numRuns: Math.max(1, Math.round(numRuns * SCALE)), seed: override ? Number(override) : seed };
}

/** A test timeout that grows with `FUZZ_SCALE`. */
export function fuzzTimeout(ms: number): number {
  return Math.round(ms * Math.max(1, SCALE));
}

/**
 * Runs `run` and returns its value with the time it took. A run a little over the budget is timed once more
 * and the faster time counts: a busy CI machine can slow one run, a hang or quadratic blow-up slows both.
 */
export async function timed<T>(run: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  let started = performance.now();
  const value = await run();
  let ms = performance.now() - started;
  if (ms >= BUDGET_MS && ms < 3 * BUDGET_MS) {
    started = performance.now();
    await run();
    ms = Math.min(ms, performance.now() - started);
  }
  return { value, ms };
}
