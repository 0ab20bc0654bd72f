// bench: the statistics and formatting every benchmark shares (medians, percentiles, ratios, markdown tables)

/** The value below which `q` (0..1) of the samples fall, by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** The middle sample (mean of the two middle ones for an even count); robust to the spikes a busy machine adds. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** 95th percentile by nearest rank. */
export function p95(samples: readonly number[]): number {
  return percentile(samples, 0.95);
}

/** `ours / baseline`; NaN when the baseline is zero or missing. */
export function ratio(ours: number, baseline: number): number {
  return baseline > 0 ? ours / baseline : Number.NaN;
}

/**
 * Median of the per-round ratios of paired samples: each round's pair saw the same machine load,
 * so this cancels drift that a ratio of medians would keep.
 */
export function pairedRatio(ours: readonly number[], baseline: readonly number[]): number {
  const count = Math.min(ours.length, baseline.length);
  return median(Array.from({ length: count }, (_, i) => ratio(ours[i]!, baseline[i]!)));
}

/** Milliseconds with precision that suits their size: `0.412 ms`, `12.3 ms`, `1 204 ms`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}

/** A ratio as `1.23×`. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '–';
}

/** Bytes in binary units: `812 B`, `14.2 KiB`, `2.31 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** A count with thousands separators. */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

/** A markdown table; cells are escaped so a `|` in a file name cannot break the layout. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
