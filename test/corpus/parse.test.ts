// Corpus evaluation of parseEmail: every message parses to a valid contract object, and the parse agrees with
// the expectations other parsers (Stalwart mail-parser, Zammad, GitLab) wrote down. Scores are printed per source.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseEmail, toContractJson } from '../../functions/core/email/parse-email';
import { expectValidContract } from '../support/contract-checks';
import { corpusDir, corpusPath } from '../support/corpus';
import { reportScore } from '../support/corpus-score';
import { listMailFiles } from '../support/mail-files';

const CORPUS = corpusDir();

describe('every corpus message', () => {
  const files = listMailFiles(CORPUS);
  let parsed = 0;
  for (const file of files) {
    it(`parses ${file} into a valid contract object that survives JSON`, async () => {
      expectValidContract(toContractJson(await parseEmail(readFileSync(path.join(CORPUS, file)))));
      parsed += 1;
    });
  }

  it('scores every message', ({ task }) => {
    reportScore(task, { source: 'all messages (parse to contract 3)', passed: parsed, total: files.length, floor: files.length });
    expect(parsed).toBe(files.length);
  });
});

/** Whitespace-insensitive form for comparing bodies written by different parsers. */
function squash(text: string): string {
  return text.replace(/\r/g, '').replace(/\s+/g, ' ').trim();
}

/** True when `actual` contains `expected`, where a U+FFFD in `expected` (the other parser gave up) matches any one character. */
function containsLoosely(actual: string, expected: string): boolean {
  if (!expected.includes('\uFFFD')) return actual.includes(expected);
  const pattern = expected
    .split('\uFFFD')
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.');
  return new RegExp(pattern, 's').test(actual);
}

interface Score {
  passed: number;
  total: number;
  misses: string[];
}
const scores: Record<string, Score> = {};
function check(suite: string, label: string, ok: boolean): void {
  if (KNOWN_MISSES[label]) return;
  const score = (scores[suite] ??= { passed: 0, total: 0, misses: [] });
  score.total += 1;
  if (ok) score.passed += 1;
  else score.misses.push(label);
}

/** Checks that cannot match, with the reason; they are left out of the score. */
const KNOWN_MISSES: Record<string, string> = {
  'zammad/mail024.box body': 'Zammad writes "no visible content" for an empty body; ours is an empty string',
  'rfc/001.eml attachment /u/nsb/writing/rfcs/RFC-MIME.ps':
    'a message/external-body pointer whose name is a remote path; we never keep "/" in a stored filename',
  ...Object.fromEntries(
    ['redball.png', 'greenball.png', 'blueball.png'].map((file) => [
      `legacy/048.eml attachment ${file}`,
      'Stalwart keeps x-uuencode bodies encoded (its size is the encoded text); we decode them to the PNG',
    ]),
  ),
};
/** The scores reached when this suite was written: raise them when the parser improves. */
const SCORE_FLOORS = { stalwart: 198, zammad: 15, gitlab: 2 } as const;

function scoreTest(suite: keyof typeof SCORE_FLOORS, source: string): void {
  it(`scores ${source} at ${SCORE_FLOORS[suite]} or better`, ({ task }) => {
    const score = scores[suite] ?? { passed: 0, total: 0, misses: [] };
    reportScore(task, { source, passed: score.passed, total: score.total, floor: SCORE_FLOORS[suite] });
    expect(score.passed, `misses: ${score.misses.join('; ')}`).toBeGreaterThanOrEqual(SCORE_FLOORS[suite]);
  });
}

// --- Stalwart mail-parser: NNN.json is its full parse of NNN.eml --------------------------------

interface StalwartHeader {
  name: string | { other: string };
  value: Record<string, unknown>;
}
interface StalwartPart {
  headers: StalwartHeader[];
  body: Record<string, unknown> | string;
}
interface StalwartMessage {
  parts: StalwartPart[];
  text_body: number[];
  attachments: number[];
}

function header(part: StalwartPart, name: string): Record<string, unknown> | undefined {
  return part.headers.find((h) => h.name === name)?.value;
}
function stalwartAddresses(part: StalwartPart, name: string): { name: string | null; address: string | null }[] {
  const list = (header(part, name)?.Address as { List?: { name: string | null; address: string | null }[] } | undefined)?.List;
  return list ?? [];
}
function contentParam(part: StalwartPart, headerName: string, param: string): string | undefined {
  const ct = header(part, headerName)?.ContentType as { attributes?: { name: string; value: string }[] | null } | undefined;
  return ct?.attributes?.find((a) => a.name === param)?.value;
}
function bodyKind(part: StalwartPart): string {
  return typeof part.body === 'string' ? part.body : (Object.keys(part.body)[0] ?? '');
}

describe('Stalwart mail-parser expectations', () => {
  const dir = corpusPath('stalwart-mail-parser');
  for (const name of listMailFiles(dir).filter((f) => /^[^/]+\/\d{3}\.eml$/.test(f))) {
    const file = path.join(dir, name);
    it(`agrees with Stalwart on headers, text and attachments of ${name}`, async () => {
      const expected = JSON.parse(readFileSync(file.replace(/\.eml$/, '.json'), 'utf8')) as StalwartMessage;
      const mail = await parseEmail(readFileSync(file));
      const root = expected.parts[0] as StalwartPart;
      const subject = header(root, 'subject')?.Text;
      if (typeof subject === 'string') check('stalwart', `${name} subject`, containsLoosely(mail.subject, squash(subject)));
      const from = stalwartAddresses(root, 'from')[0];
      if (from?.address) {
        check(
          'stalwart',
          `${name} from`,
          mail.from.address === from.address.toLowerCase() && containsLoosely(mail.from.name, squash(from.name ?? '')),
        );
      }
      for (const field of ['to', 'cc'] as const) {
        const want = stalwartAddresses(root, field).flatMap((a) => (a.address ? [a.address.toLowerCase()] : []));
        if (want.length > 0)
          check('stalwart', `${name} ${field}`, JSON.stringify(mail[field].map((m) => m.address)) === JSON.stringify(want));
      }
      for (const index of expected.text_body) {
        const part = expected.parts[index] as StalwartPart;
        const isPlain = (header(part, 'content_type')?.ContentType as { c_subtype?: string } | undefined)?.c_subtype !== 'html';
        if (bodyKind(part) !== 'Text' || !isPlain || expected.attachments.includes(index)) continue;
        const text = (part.body as { Text: string }).Text;
        check('stalwart', `${name} text part ${index}`, containsLoosely(squash(mail.text), squash(text)));
      }
      for (const index of expected.attachments) {
        const part = expected.parts[index] as StalwartPart;
        const kind = bodyKind(part);
        const filename = contentParam(part, 'content_disposition', 'filename') ?? contentParam(part, 'content_type', 'name');
        // Embedded messages and unnamed text parts are shown inline by mailparser, not listed as files.
        if (!filename || (kind !== 'Binary' && kind !== 'InlineBinary')) continue;
        const size = ((part.body as Record<string, number[]>)[kind] ?? []).length;
        check(
          'stalwart',
          `${name} attachment ${filename}`,
          mail.attachments.some((a) => a.filename === filename && a.size === size),
        );
      }
      expect(scores.stalwart?.misses.filter((miss) => miss.startsWith(name)) ?? []).toEqual([]);
    });
  }
  scoreTest('stalwart', 'stalwart-mail-parser (headers, text, attachments)');
});

// --- Zammad: mailNNN.yml is Zammad's parse of mailNNN.box --------------------------------------

interface ZammadExpectation {
  from_email: string;
  from_display_name: string;
  subject: string;
  body: string;
  attachments?: { filename: string; preferences?: Record<string, unknown> }[];
}

function htmlToWords(html: string): string {
  const text = html
    .replace(/<[^<>]{0,2000}>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"');
  return squash(text);
}

describe('Zammad expectations', () => {
  const dir = corpusPath('zammad');
  for (const file of listMailFiles(dir)
    .filter((f) => f.endsWith('.box'))
    .map((f) => path.join(dir, f))) {
    const name = `zammad/${path.basename(file)}`;
    it(`agrees with Zammad on sender, subject, body and attachments of ${name}`, async () => {
      // The YAML carries Ruby class tags (`!ruby/hash:...`); they say nothing we compare, so drop them.
      const expected = load(readFileSync(file.replace(/\.box$/, '.yml'), 'utf8').replace(/!ruby\/\S+/g, '')) as ZammadExpectation;
      const mail = await parseEmail(readFileSync(file));
      check(
        'zammad',
        `${name} from`,
        mail.from.address === expected.from_email.toLowerCase() && mail.from.name === expected.from_display_name,
      );
      check('zammad', `${name} subject`, mail.subject === expected.subject.trim());
      const words = htmlToWords(expected.body).slice(0, 200);
      const bodyOk = squash(mail.text).startsWith(words) || squash(mail.text).includes(words);
      check('zammad', `${name} body`, bodyOk);
      // Zammad stores the HTML alternative as "message.html"; that is its convention, not an attachment.
      const files = (expected.attachments ?? []).filter((a) => a.preferences?.['content-alternative'] !== true).map((a) => a.filename);
      check('zammad', `${name} attachments`, JSON.stringify(mail.attachments.map((a) => a.filename)) === JSON.stringify(files));
    });
  }
  scoreTest('zammad', 'zammad (sender, subject, body, attachments)');
});

// --- GitLab: service_desk_encoding.eml (iso-8859-2) ----------------------------------------------

describe('GitLab expectations', () => {
  it('decodes the iso-8859-2 subject and body of service_desk_encoding.eml', async () => {
    const mail = await parseEmail(readFileSync(corpusPath('gitlab-spec-fixtures-emails', 'service_desk_encoding.eml')));
    const subjectOk = mail.subject === 'Testing encoding iso-8859-2 ťžščľžťťč';
    const bodyOk = mail.text.includes('Body of encoding iso-8859-2 test: ťžščľžťťč');
    check('gitlab', 'service_desk_encoding subject', subjectOk);
    check('gitlab', 'service_desk_encoding body', bodyOk);
    expect([subjectOk, bodyOk]).toEqual([true, true]);
  });

  it('splits the quoted, comma-joined References of valid_reply_with_references_in_comma.eml', async () => {
    const mail = await parseEmail(readFileSync(corpusPath('gitlab-spec-fixtures-emails', 'valid_reply_with_references_in_comma.eml')));
    expect(mail.references).toEqual([
      '<reply-59d8df8370b7e95c5a49fbf86aeb2c93@localhost>',
      '<issue_1@localhost>',
      '<exchange@microsoft.com>',
    ]);
    expect(mail.inReplyTo).toBe('<issue_1@localhost>');
  });
  scoreTest('gitlab', 'gitlab-spec-fixtures-emails (iso-8859-2 encoding)');
});
