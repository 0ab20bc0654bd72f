// core: reads header values from mailparser's raw header lines, for the fields mailparser reads too loosely
import type { HeaderLines } from 'mailparser';

/** Header lines past this are not looked at (a real message has a few dozen). */
const MAX_HEADER_LINES = 2000;

/** Unfolded values of every header named `name` (lowercase), in order. */
export function rawHeaderValues(lines: HeaderLines | undefined, name: string): string[] {
  const values: string[] = [];
  for (const { key, line } of (lines ?? []).slice(0, MAX_HEADER_LINES)) {
    if (key !== name) continue;
    const colon = line.indexOf(':');
    values.push(
      line
        .slice(colon + 1)
        .replace(/\r?\n[ \t]*/g, ' ')
        .trim(),
    );
  }
  return values;
}

/** The first value of a header, or null when absent. */
export function rawHeader(lines: HeaderLines | undefined, name: string): string | null {
  return rawHeaderValues(lines, name)[0] ?? null;
}
