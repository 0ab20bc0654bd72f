// The `sesdesk bench` command: its registry and argument handling (the benchmarks themselves run with `npm run bench`).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command } from '../../bin/cli/commands/bench';
import { loadBenchmarks } from '../../bin/bench/registry';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sesdesk bench', () => {
  it('registers the three core benchmarks under unique kebab-case names', async () => {
    const names = (await loadBenchmarks()).map((benchmark) => benchmark.name);

    expect(names.slice(0, 3)).toEqual(['parse-throughput', 'bundles', 'ingest-requests']);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('refuses an unknown benchmark name with exit code 2 and runs nothing', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const output = vi.spyOn(console, 'log').mockImplementation(() => undefined);

    const code = await command.run(['no-such-benchmark']);

    expect(code).toBe(2);
    expect(errors.mock.calls.join(' ')).toContain('no benchmark named no-such-benchmark');
    expect(output).not.toHaveBeenCalled();
  });

  it('refuses an unknown option with exit code 2', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await command.run(['--fast'])).toBe(2);
  });
});
