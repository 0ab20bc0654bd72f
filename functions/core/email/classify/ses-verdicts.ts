// core: read the verdicts from the header block SES prepends (never the sender's copies)
import type { SenderAuthentication, SesVerdicts } from '../../types';
import type { RawHeader } from './header-lines';

/** SES's own hop: `Received: from … by inbound-smtp.<region>.amazonaws.com …`. */
const SES_RECEIVED = /\bby\s+inbound-smtp\.[a-z0-9-]+\.amazonaws\.com\b/i;

/** Fields SES writes in its prepended block (aws.md §1.4); anything else after SES's hop is the sender's. */
const SES_BLOCK_FIELDS = new Set([
  'return-path',
  'x-ses-spam-verdict',
  'x-ses-virus-verdict',
  'received-spf',
  'authentication-results',
  'x-ses-receipt',
  'x-ses-dkim-signature',
]);

/** SES's authserv-id: its own Authentication-Results start with it. */
const SES_AUTHSERV_ID = 'amazonses.com';

/** The header fields SES wrote on top of the stored mail, and whether SES's own `Received:` hop is among them. */
export interface SesHeaderBlock {
  readonly fields: readonly RawHeader[];
  readonly sesHopSeen: boolean;
}

/**
 * The top of the header list SES prepended: everything above the first `Received:` that SES did not add. Once SES's
 * own hop has been seen, the block also ends at the first field SES never writes, so a sender whose message carries
 * no `Received:` of its own still cannot slip a verdict in right below SES's block.
 */
export function sesHeaderBlock(headers: readonly RawHeader[]): SesHeaderBlock {
  let sesHopSeen = false;
  let end = headers.length;
  for (const [i, header] of headers.entries()) {
    if (header.key === 'received') {
      if (!SES_RECEIVED.test(header.value)) {
        end = i;
        break;
      }
      sesHopSeen = true;
      continue;
    }
    if (sesHopSeen && !SES_BLOCK_FIELDS.has(header.key)) {
      end = i;
      break;
    }
  }
  return { fields: headers.slice(0, end), sesHopSeen };
}

/** `PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`…: the first token, upper-cased; null when empty. */
function verdictValue(raw: string): string | null {
  const token = /^[A-Za-z_]+/.exec(raw.trim());
  return token ? token[0].toUpperCase() : null;
}

/** The first value of a field in SES's block. The first copy wins: SES's lines come before anything the sender wrote. */
function firstInBlock(block: SesHeaderBlock, key: string): string | null {
  return block.fields.find((h) => h.key === key)?.value ?? null;
}

/** Returns the spam and virus verdicts from the block SES prepended. */
export function readSesVerdictsFromHeaders(headers: readonly RawHeader[]): SesVerdicts {
  const block = sesHeaderBlock(headers);
  const spam = firstInBlock(block, 'x-ses-spam-verdict');
  const virus = firstInBlock(block, 'x-ses-virus-verdict');
  return { spam: spam === null ? null : verdictValue(spam), virus: virus === null ? null : verdictValue(virus) };
}

/** RFC 8601 results (`spf=pass`), comments in parentheses removed, by method, in order. */
function resultsByMethod(value: string): Map<string, string[]> {
  const results = new Map<string, string[]>();
  const uncommented = value.replace(/\([^()]*\)/g, ' ');
  for (const match of uncommented.matchAll(/(?:^|;)\s*(spf|dkim|dmarc)\s*=\s*([a-z_]+)/gi)) {
    const method = match[1]!.toLowerCase();
    results.set(method, [...(results.get(method) ?? []), match[2]!.toLowerCase()]);
  }
  return results;
}

/**
 * Returns SES's SPF, DKIM and DMARC results: from the first `Authentication-Results: amazonses.com; …` in SES's block,
 * SPF also from a `Received-SPF` above it when the former has none (SES writes its `Received-SPF` first; one below is
 * the sender's, e.g. right under the local stand-in's `Authentication-Results: amazonses.com; none`). A message with
 * several DKIM signatures counts as `pass` when any passed (as DMARC does). Results are lower-cased; null where SES
 * wrote none.
 */
export function readSesAuthenticationFromHeaders(headers: readonly RawHeader[]): SenderAuthentication {
  const block = sesHeaderBlock(headers);
  const oursAt = block.fields.findIndex(
    (h) => h.key === 'authentication-results' && h.value.split(';')[0]!.trim().toLowerCase() === SES_AUTHSERV_ID,
  );
  const ours = block.fields[oursAt];
  const results = ours ? resultsByMethod(ours.value.slice(ours.value.indexOf(';'))) : new Map<string, string[]>();
  const receivedSpf = (ours ? block.fields.slice(0, oursAt) : block.fields).find((h) => h.key === 'received-spf')?.value ?? null;
  const dkim = results.get('dkim') ?? [];
  return {
    spf: results.get('spf')?.[0] ?? (receivedSpf === null ? null : (/^[a-z]+/i.exec(receivedSpf.trim())?.[0]?.toLowerCase() ?? null)),
    dkim: dkim.includes('pass') ? 'pass' : (dkim[0] ?? null),
    dmarc: results.get('dmarc')?.[0] ?? null,
  };
}
