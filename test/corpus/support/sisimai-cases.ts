// corpus support: load the sisimai corpus expectations and score classifyEmail against them
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Classification, ClassificationKind } from '../../../functions/core/types';
import { parseEmail } from '../../../functions/core/email/parse-email';
import { corpusPath } from '../../support/corpus';

interface ExpectedResult {
  readonly deliverystatus: string;
  readonly reason: string;
  readonly hardbounce: boolean;
}

interface ExpectationFile {
  readonly email: string;
  readonly engine?: string;
  readonly results: ExpectedResult[];
}

/** One corpus message with what sisimai says about it, translated to our classification. */
export interface SisimaiCase {
  /** `bsd/lhost-postfix-01.eml` */
  readonly name: string;
  readonly folder: 'bsd' | 'not';
  /** Sisimai's engine (`Postfix`, `ARF`, `RFC3834`…), `not` for the non-bounce folder. */
  readonly engine: string;
  readonly file: string;
  readonly kind: ClassificationKind;
  /** How many distinct recipients sisimai reports (bounces and complaints). */
  readonly recipients: number;
  /** For bounces: true when any recipient failed permanently (5.x.x, or sisimai's hard bounce). */
  readonly permanent: boolean | null;
}

export const SISIMAI_FOLDERS = ['bsd', 'not'] as const;

/** Sisimai reports vacation auto-replies (RFC 3834) with reason `vacation` and feedback with `feedback`. */
function expectedKind(file: ExpectationFile, folder: 'bsd' | 'not'): ClassificationKind {
  if (folder === 'not' || file.results.length === 0) return 'normal';
  if (file.results.every((r) => r.reason === 'vacation')) return 'auto-reply';
  if (file.results.every((r) => r.reason === 'feedback')) return 'complaint';
  return 'bounce';
}

/** Every sisimai corpus case, sorted by folder then name. */
export function loadSisimaiCases(): SisimaiCase[] {
  const cases: SisimaiCase[] = [];
  for (const folder of SISIMAI_FOLDERS) {
    const dir = corpusPath('sisimai-set-of-emails', folder);
    for (const entry of readdirSync(dir)
      .filter((f) => f.endsWith('.expected.json'))
      .sort()) {
      const expectation = JSON.parse(readFileSync(path.join(dir, entry), 'utf8')) as ExpectationFile;
      const kind = expectedKind(expectation, folder);
      cases.push({
        name: `${folder}/${expectation.email}`,
        folder,
        engine: folder === 'not' ? 'not' : (expectation.engine ?? 'unknown'),
        file: path.join(dir, expectation.email),
        kind,
        recipients: kind === 'bounce' || kind === 'complaint' ? expectation.results.length : 0,
        permanent: kind === 'bounce' ? expectation.results.some((r) => r.hardbounce || r.deliverystatus.startsWith('5')) : null,
      });
    }
  }
  return cases;
}

/** Classifies one corpus file as ingest does: through parseEmail, with its repairs (a report without parts is still read). */
export async function classifyFile(file: string): Promise<Classification> {
  return (await parseEmail(readFileSync(file))).classification;
}

/** Lists what differs between the expectation and the classification; empty when it matches. */
export function mismatches(expected: SisimaiCase, actual: Classification): string[] {
  const problems: string[] = [];
  if (actual.kind !== expected.kind) problems.push(`kind ${actual.kind}, expected ${expected.kind}`);
  const distinct = new Set(actual.failedRecipients.map((a) => a.toLowerCase()));
  if (distinct.size !== expected.recipients) {
    problems.push(`${distinct.size} failed recipients [${[...distinct].join(', ')}], expected ${expected.recipients}`);
  }
  if (expected.permanent !== null && actual.kind === 'bounce' && actual.permanent !== expected.permanent) {
    problems.push(`permanent ${String(actual.permanent)}, expected ${String(expected.permanent)}`);
  }
  return problems;
}
