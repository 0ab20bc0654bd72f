// Benchmark statistics: the medians and ratios every published figure rests on.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatMs, formatRatio, markdownTable, median, p95, pairedRatio, percentile, ratio } from '../../bin/bench/stats';

describe('bench statistics', () => {
  it('takes the middle sample of an odd count and the mean of the middle two of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('does not reorder the samples it is given', () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('answers NaN for no samples rather than a made-up zero', () => {
    expect(median([])).toBeNaN();
    expect(p95([])).toBeNaN();
  });

  it('takes percentiles by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(p95(samples)).toBe(95);
    expect(percentile(samples, 0.5)).toBe(50);
    expect(percentile([7], 0.95)).toBe(7);
  });

  it('pairs the samples of each round before taking the median ratio', () => {
    // Round 2 ran under load for both sides: a ratio of medians would say 2×, the rounds all say 1.5×.
    expect(pairedRatio([3, 30, 3.3], [2, 20, 2.2])).toBeCloseTo(1.5);
    expect(ratio(3, 0)).toBeNaN();
  });

  it('formats times, ratios and sizes for the tables', () => {
    expect(formatMs(0.4123)).toBe('0.412 ms');
    expect(formatMs(12.34)).toBe('12.3 ms');
    expect(formatMs(1204.4)).toBe('1,204 ms');
    expect(formatMs(Number.NaN)).toBe('–');
    expect(formatRatio(1.234)).toBe('1.23×');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(14_541)).toBe('14.2 KiB');
    expect(formatBytes(2_422_210)).toBe('2.31 MiB');
  });

  it('builds a markdown table whose cells cannot break the columns', () => {
    expect(markdownTable(['a', 'b'], [['x|y', '1']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | 1 |');
  });
});
