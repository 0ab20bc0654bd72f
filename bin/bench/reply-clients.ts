// bench: reply extraction scored per mail client and per language on the project's samples, and on the corpus
import EmailReplyParser from 'email-reply-parser';
import { convert } from 'html-to-text';
import { separateReply } from '../../functions/core/email/extract-reply';
import { separateReplyFromHtml } from '../../functions/core/email/extract-reply-html';
import type { ReplyConfidence } from '../../functions/core/types';
import { scoreReplyCorpus } from '../../test/corpus/support/reply-corpus';
import { corpusProblem } from '../../test/support/corpus';
import { REPLY_SAMPLES, SAMPLE_CLIENTS, SAMPLE_LANGUAGES, type ReplySample } from '../../test/fixtures/replies/reply-samples';
import { progress, type Benchmark } from './benchmark';
import { formatMs, formatRatio, markdownTable, median, ratio } from './stats';

const peer = new EmailReplyParser();

/**
 * The baseline: email-reply-parser (npm, Crisp's multilingual port of GitHub's parser), the library a Node help
 * desk would pick. It reads plain text only, so HTML samples reach it through html-to-text, as mailparser's text.
 */
function baseline(sample: ReplySample): string {
  const text = sample.format === 'html' ? convert(sample.body, { wordwrap: false }) : sample.body;
  return peer.parseReply(text).trim();
}

function ours(sample: ReplySample): { reply: string; confidence: ReplyConfidence } {
  return sample.format === 'html' ? separateReplyFromHtml(sample.body) : separateReply(sample.body);
}

interface Tally {
  passed: number;
  baseline: number;
  total: number;
  notHigh: number;
}

function tallyBy(key: (sample: ReplySample) => string, keys: readonly string[]): Map<string, Tally> {
  const tallies = new Map(keys.map((k) => [k, { passed: 0, baseline: 0, total: 0, notHigh: 0 }]));
  for (const sample of REPLY_SAMPLES) {
    const tally = tallies.get(key(sample));
    if (!tally) continue;
    const separated = ours(sample);
    tally.total += 1;
    if (separated.reply === sample.reply) tally.passed += 1;
    if (separated.confidence !== 'high') tally.notHigh += 1;
    if (baseline(sample) === sample.reply) tally.baseline += 1;
  }
  return tallies;
}

function table(label: string, tallies: Map<string, Tally>): string {
  const sum = [...tallies.values()].reduce((a, t) => ({
    passed: a.passed + t.passed,
    baseline: a.baseline + t.baseline,
    total: a.total + t.total,
    notHigh: a.notHigh + t.notHigh,
  }));
  const row = (name: string, t: Tally) => [name, `${t.passed}/${t.total}`, `${t.baseline}/${t.total}`, String(t.notHigh)];
  return markdownTable(
    [label, 'sesdesk', 'email-reply-parser (baseline)', 'sesdesk confidence not high'],
    [...[...tallies].map(([name, t]) => row(name, t)), row('**all**', sum)],
  );
}

/** Median time for one pass over every sample, ours and the baseline interleaved. */
function timing(rounds: number): string {
  const oursMs: number[] = [];
  const baseMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let started = performance.now();
    for (const sample of REPLY_SAMPLES) ours(sample);
    oursMs.push(performance.now() - started);
    started = performance.now();
    for (const sample of REPLY_SAMPLES) baseline(sample);
    baseMs.push(performance.now() - started);
  }
  const [a, b] = [median(oursMs), median(baseMs)];
  return `One pass over the ${REPLY_SAMPLES.length} samples, median of ${rounds}: sesdesk ${formatMs(a)}, baseline ${formatMs(b)} (${formatRatio(ratio(a, b))}).`;
}

async function corpusSection(): Promise<string> {
  const problem = corpusProblem();
  if (problem !== null) return `Development corpus: not measured, ${problem}`;
  const scores = await scoreReplyCorpus();
  return [
    'Development corpus (third-party, read in place; the same cases as `npm run test:corpus`):',
    '',
    markdownTable(
      ['corpus', 'passed', 'misses'],
      scores.map((s) => [s.corpus, `${s.passed}/${s.total}`, s.failures.map((f) => f.name).join(', ') || '–']),
    ),
  ].join('\n');
}

export const benchmark: Benchmark = {
  name: 'reply-clients',
  description:
    'reply extraction scored per mail client and per language on the replies the project wrote in each client format ' +
    '(test/fixtures/replies), against email-reply-parser on the same samples, plus the development corpus scores; target: every sample',
  async run(options) {
    progress(`reply-clients: ${REPLY_SAMPLES.length} samples`);
    const byClient = tallyBy((s) => s.client, SAMPLE_CLIENTS);
    const byLanguage = tallyBy((s) => s.language, SAMPLE_LANGUAGES);
    progress('reply-clients: corpus');
    const corpus = await corpusSection();
    return [
      'A sample passes when the extracted reply equals the new text exactly.',
      '',
      table('client', byClient),
      '',
      table('language', byLanguage),
      '',
      timing(options.quick ? 3 : 21),
      '',
      corpus,
    ].join('\n');
  },
};
