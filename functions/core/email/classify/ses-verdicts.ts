// core: read the spam/virus verdicts from the header block SES prepends (never the sender's copies)
import type { SesVerdicts } from '../../types';
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

/** `PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`…: the first token, upper-cased; null when empty. */
function verdictValue(raw: string): string | null {
  const token = /^[A-Za-z_]+/.exec(raw.trim());
  return token ? token[0].toUpperCase() : null;
}

/**
 * Returns the verdicts from the top of the header list, above the first `Received:` that SES did not add.
 * Once SES's own hop has been seen, the block also ends at the first field SES never writes, so a sender
 * whose message carries no `Received:` of its own still cannot slip a verdict in right below SES's block.
 * The first copy of each field wins: SES's lines come before anything the sender wrote.
 */
export function readSesVerdictsFromHeaders(headers: readonly RawHeader[]): SesVerdicts {
  let spam: string | null = null;
  let virus: string | null = null;
  let spamSeen = false;
  let virusSeen = false;
  let sesHopSeen = false;
  for (const header of headers) {
    if (header.key === 'received') {
      if (!SES_RECEIVED.test(header.value)) break;
      sesHopSeen = true;
      continue;
    }
    if (sesHopSeen && !SES_BLOCK_FIELDS.has(header.key)) break;
    if (header.key === 'x-ses-spam-verdict' && !spamSeen) {
      spamSeen = true;
      spam = verdictValue(header.value);
    }
    if (header.key === 'x-ses-virus-verdict' && !virusSeen) {
      virusSeen = true;
      virus = verdictValue(header.value);
    }
  }
  return { spam, virus };
}
