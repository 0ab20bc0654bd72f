// corpus support: scores reply extraction against the third-party corpora and their expectations
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { extractReply } from '../../../functions/core/email/extract-reply';
import { extractReplyFromHtml } from '../../../functions/core/email/extract-reply-html';
import { corpusPath } from '../../support/corpus';

/** One corpus entry turned into a runnable check. */
export interface ReplyCase {
  /** Corpus folder name, e.g. `mailgun-talon`. */
  readonly corpus: string;
  /** Entry name inside the corpus, e.g. `standard_replies/gmail.eml`. */
  readonly name: string;
  /** Runs the extractor on the entry and lists every expectation it breaks (empty = pass). */
  run(): CaseOutcome;
}

/** What one case produced and what was wrong with it. */
export interface CaseOutcome {
  readonly actual: string;
  readonly problems: string[];
}

/** Score of one corpus. */
export interface CorpusScore {
  readonly corpus: string;
  readonly passed: number;
  readonly total: number;
  readonly failures: { name: string; problems: string[]; actual: string }[];
}

const ERP = 'github-email_reply_parser';
const TALON = 'mailgun-talon';
const GITLAB = 'gitlab-spec-fixtures-emails';

interface ErpExpectation {
  fragment_count?: number;
  quoted?: boolean[];
  hidden?: boolean[];
  fragment_equals?: Record<string, string>;
  fragment_matches?: Record<string, string[]>;
  parse_reply?: string;
}

interface TalonExpectations {
  standard_replies: { expected: Record<string, string> };
  html_replies: { files: string[]; expected_reply_text: string };
  'OLK_SRC_BODY_SECTION.html': { expected: string };
  'reply-separated-by-hr.html': { expected: string };
}

interface GitlabExpectation {
  reply_body?: string;
}

function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(corpusPath(...parts), 'utf8')) as T;
}

function readText(...parts: string[]): string {
  return readFileSync(corpusPath(...parts), 'utf8');
}

function makeCase(corpus: string, name: string, produce: () => string, judge: (actual: string) => string[]): ReplyCase {
  return {
    corpus,
    name,
    run() {
      const actual = produce();
      return { actual, problems: judge(actual) };
    },
  };
}

function exactly(expected: string): (actual: string) => string[] {
  return (actual) => (actual.trim() === expected.trim() ? [] : [`expected ${JSON.stringify(expected.trim())}`]);
}

const noWhitespace = (s: string): string => s.replace(/\s+/g, '');

function sameIgnoringWhitespace(expected: string): (actual: string) => string[] {
  return (actual) => (noWhitespace(actual) === noWhitespace(expected) ? [] : [`expected (whitespace ignored) ${JSON.stringify(expected)}`]);
}

// Every reply must say something and must not keep `>`-quoted lines.
function basicProblems(actual: string): string[] {
  const problems: string[] = [];
  if (actual.trim() === '') problems.push('reply is empty');
  if (/^[ \t]*>/m.test(actual)) problems.push('reply keeps a quoted (>) line');
  return problems;
}

/**
 * email_reply_parser expectations describe fragments, not one reply string. Mapping: a fragment
 * that is neither quoted nor hidden is "kept" (new text); all others are "dropped" (quotes, quote
 * headers, signatures). Entries without flags come from upstream tests whose fragment 0 is the reply
 * and whose later fragments are quote headers/quotes, so fragment 0 is kept and the rest dropped.
 * Checks: kept `fragment_equals` text must appear in the reply and dropped text must not; kept
 * `fragment_matches` regexes (Ruby multiline, so `^` is a line start) must match, dropped ones must
 * not (unless a kept fragment needs the same regex); when every kept fragment has exact text, or
 * the only fragment is the whole body (`fragment_count: 1`), the reply must equal it; `parse_reply`
 * is compared exactly. Every case also needs a non-empty reply without `>` lines.
 */
function erpJudge(body: string, exp: ErpExpectation): (actual: string) => string[] {
  const indexes = [...Object.keys(exp.fragment_equals ?? {}), ...Object.keys(exp.fragment_matches ?? {})].map(Number);
  const count = exp.fragment_count ?? Math.max(exp.hidden?.length ?? 0, exp.quoted?.length ?? 0, ...indexes.map((i) => i + 1), 1);
  const hasFlags = exp.hidden !== undefined || exp.quoted !== undefined;
  const kept = (i: number): boolean => (hasFlags ? !(exp.hidden?.[i] ?? false) && !(exp.quoted?.[i] ?? false) : i === 0);
  return (actual) => {
    const problems = basicProblems(actual);
    if (exp.parse_reply !== undefined) return [...problems, ...exactly(exp.parse_reply)(actual)];
    if (!hasFlags && exp.fragment_count === 1) return [...problems, ...exactly(body)(actual)];
    const keptPatterns = new Set<string>();
    for (const [index, patterns] of Object.entries(exp.fragment_matches ?? {})) {
      if (kept(Number(index))) patterns.forEach((p) => keptPatterns.add(p));
    }
    for (const [index, patterns] of Object.entries(exp.fragment_matches ?? {})) {
      for (const pattern of patterns) {
        const matches = new RegExp(pattern, 'm').test(actual);
        if (kept(Number(index)) && !matches) problems.push(`kept fragment ${index} should match /${pattern}/`);
        if (!kept(Number(index)) && matches && !keptPatterns.has(pattern)) {
          problems.push(`dropped fragment ${index} should not match /${pattern}/`);
        }
      }
    }
    const equals = exp.fragment_equals ?? {};
    for (const [index, text] of Object.entries(equals)) {
      const t = text.trim();
      if (t === '') continue;
      if (kept(Number(index)) && !actual.includes(t)) problems.push(`kept fragment ${index} text missing`);
      if (!kept(Number(index)) && actual.includes(t)) problems.push(`dropped fragment ${index} text present`);
    }
    const keptIndexes = Array.from({ length: count }, (_, i) => i).filter(kept);
    const keptTexts = keptIndexes.map((i) => equals[String(i)]);
    if (keptIndexes.length > 0 && keptTexts.every((t) => t !== undefined)) {
      const expected = keptTexts
        .map((t) => (t ?? '').trim())
        .filter(Boolean)
        .join('\n');
      problems.push(...exactly(expected)(actual));
    }
    return problems;
  };
}

function erpCases(): ReplyCase[] {
  const expectations = readJson<Record<string, ErpExpectation | string>>(ERP, 'expectations.derived.json');
  return Object.entries(expectations)
    .filter((entry): entry is [string, ErpExpectation] => !entry[0].startsWith('_') && typeof entry[1] === 'object')
    .map(([file, exp]) => {
      const body = readText(ERP, file);
      return makeCase(ERP, file, () => extractReply(body), erpJudge(body, exp));
    });
}

// Talon's extract_from_plain keeps signatures; our reply drops them, so its expectation is cut at
// the first signature line ("-- " or a "Sent from my …"/"Sent with …" footer) before comparing.
function withoutSignature(talonExpected: string): string {
  const lines = talonExpected.split('\n');
  const sig = lines.findIndex((l) => /^(?:-- ?|Sent from my .*|Sent with .*)$/.test(l));
  return (sig < 0 ? lines : lines.slice(0, sig)).join('\n').trim();
}

async function talonCases(): Promise<ReplyCase[]> {
  const exp = readJson<TalonExpectations>(TALON, 'expectations.derived.json');
  const cases: ReplyCase[] = [];
  for (const [file, expected] of Object.entries(exp.standard_replies.expected)) {
    const mail = await simpleParser(readFileSync(corpusPath(TALON, 'standard_replies', file)));
    const text = mail.text ?? '';
    cases.push(makeCase(TALON, `standard_replies/${file}`, () => extractReply(text), exactly(withoutSignature(expected))));
  }
  for (const file of exp.html_replies.files) {
    const html = readText(TALON, 'html_replies', file);
    cases.push(
      makeCase(
        TALON,
        `html_replies/${file}`,
        () => extractReplyFromHtml(html),
        sameIgnoringWhitespace(exp.html_replies.expected_reply_text),
      ),
    );
  }
  for (const file of ['OLK_SRC_BODY_SECTION.html', 'reply-separated-by-hr.html'] as const) {
    const html = readText(TALON, file);
    // Talon expects cleaned HTML; we produce text, so compare with the expected markup's text.
    const expectedText = exp[file].expected.replace(/<[^>]*>/g, '');
    cases.push(makeCase(TALON, file, () => extractReplyFromHtml(html), sameIgnoringWhitespace(expectedText)));
  }
  const shareRaw = readText(TALON, 'reply-quotations-share-block.eml');
  const share = await simpleParser(shareRaw);
  const shareHtml = typeof share.html === 'string' ? share.html : '';
  const shareText = share.text ?? '';
  // The expectation runs on the raw file; the decoded text and HTML parts are checked as well.
  cases.push(
    makeCase(
      TALON,
      'reply-quotations-share-block.eml',
      () => [extractReply(shareRaw), extractReply(shareText), extractReplyFromHtml(shareHtml)].join('\n=====\n'),
      (actual) =>
        actual.split('\n=====\n').flatMap((part, i) => {
          const problems: string[] = [];
          if (part.trim() === '') problems.push(`variant ${i} is empty`);
          if (part.includes('From')) problems.push(`variant ${i} contains "From"`);
          return problems;
        }),
    ),
  );
  const stripped = path.join(corpusPath(TALON, 'signature', 'emails', 'stripped'));
  for (const file of readdirSync(stripped)
    .filter((f) => f.endsWith('_body'))
    .sort()) {
    const body = readFileSync(path.join(stripped, file), 'utf8');
    const signature = readFileSync(path.join(stripped, file.replace(/_body$/, '_signature')), 'utf8').trim();
    const trimmed = body.trim();
    const expected = signature && trimmed.endsWith(signature) ? trimmed.slice(0, -signature.length) : trimmed;
    cases.push(makeCase(TALON, `signature/emails/stripped/${file}`, () => extractReply(body), exactly(expected)));
  }
  return cases;
}

// GitLab (Ruby Mail) strips leading whitespace before parsing and uses the text part, else the HTML
// part, else the undivided body (dutch.eml declares multipart but has no boundaries).
async function gitlabCases(): Promise<ReplyCase[]> {
  const exp = readJson<Record<string, GitlabExpectation | string>>(GITLAB, 'expectations.derived.json');
  const cases: ReplyCase[] = [];
  for (const [file, entry] of Object.entries(exp)) {
    if (typeof entry !== 'object' || entry.reply_body === undefined) continue;
    const raw = readText(GITLAB, file).trimStart();
    const mail = await simpleParser(raw);
    const html = typeof mail.html === 'string' ? mail.html : null;
    const rawBody = raw.replace(/\r\n/g, '\n').split('\n\n').slice(1).join('\n\n');
    const produce = mail.text
      ? () => extractReply(mail.text ?? '')
      : html !== null
        ? () => extractReplyFromHtml(html)
        : () => extractReply(rawBody);
    cases.push(makeCase(GITLAB, file, produce, exactly(entry.reply_body)));
  }
  return cases;
}

/** Loads every reply-extraction case of the three corpora (parses the .eml files once). */
export async function loadReplyCases(): Promise<ReplyCase[]> {
  return [...erpCases(), ...(await talonCases()), ...(await gitlabCases())];
}

/** Runs every case and returns `{passed, total, failures}` per corpus. */
export async function scoreReplyCorpus(): Promise<CorpusScore[]> {
  const byCorpus = new Map<string, { passed: number; total: number; failures: CorpusScore['failures'] }>();
  for (const c of await loadReplyCases()) {
    const score = byCorpus.get(c.corpus) ?? { passed: 0, total: 0, failures: [] };
    const outcome = c.run();
    score.total++;
    if (outcome.problems.length === 0) score.passed++;
    else score.failures.push({ name: c.name, problems: outcome.problems, actual: outcome.actual });
    byCorpus.set(c.corpus, score);
  }
  return [...byCorpus].map(([corpus, s]) => ({ corpus, ...s }));
}
