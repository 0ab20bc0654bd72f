// core: pick plausible email addresses out of report fields and bounce text
/** A bare address: no spaces, brackets or quotes, one `@`, something on both sides. */
const ADDRESS = /^[^\s@<>()[\]",;:]+@[^\s@<>()[\]",;:]+$/;

/** Lower-cases and strips brackets, quotes and trailing punctuation; null when it is not an address. */
export function normaliseAddress(raw: string): string | null {
  const trimmed = raw
    .trim()
    .replace(/^mailto:/i, '')
    .replace(/^[<"'(]+/, '')
    .replace(/[>"').,;:]+$/, '')
    .toLowerCase();
  return ADDRESS.test(trimmed) && !trimmed.endsWith('.') ? trimmed : null;
}

/** Every address found in a short piece of text, in order (e.g. a `To:` value). */
export function addressesIn(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/<?([^\s<>()[\]",;:]+@[^\s<>()[\]",;:]+)>?/g)) {
    const address = normaliseAddress(match[1] ?? '');
    if (address) out.push(address);
  }
  return out;
}

/** Keeps the first copy of each address. */
export function uniqueAddresses(addresses: Iterable<string>): string[] {
  return [...new Set(addresses)];
}
