// core: pick plausible email addresses out of report fields and bounce text
/** A bare address: no spaces, brackets or quotes, one `@`, something on both sides. */
const ADDRESS = /^[^\s@<>()[\]",;:]+@[^\s@<>()[\]",;:]+$/;
const TRAILING = '>"\').,;:';

/** Lower-cases and strips brackets, quotes and trailing punctuation; null when it is not an address. */
export function normaliseAddress(raw: string): string | null {
  const trimmed = raw
    .trim()
    .replace(/^mailto:/i, '')
    .replace(/^[<"'(]+/, '')
    .toLowerCase();
  // A loop, not /[>"').,;:]+$/: that regex retries from every position of a long run and goes quadratic.
  let end = trimmed.length;
  while (end > 0 && TRAILING.includes(trimmed[end - 1]!)) end--;
  const address = trimmed.slice(0, end);
  return ADDRESS.test(address) && !address.endsWith('.') ? address : null;
}

/** Every address found in a short piece of text, in order (e.g. a `To:` value). */
export function addressesIn(text: string): string[] {
  const out: string[] = [];
  // Split on the separators instead of matching `[^…]+@[^…]+`, which backtracks quadratically on a long
  // run without an `@`; a token is exactly what that pattern's capture group took.
  for (const token of text.split(/[\s<>()[\]",;:]+/)) {
    const address = token.includes('@') ? normaliseAddress(token) : null;
    if (address) out.push(address);
  }
  return out;
}

/** Keeps the first copy of each address. */
export function uniqueAddresses(addresses: Iterable<string>): string[] {
  return [...new Set(addresses)];
}
