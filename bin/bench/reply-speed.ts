// bench: prints reply-extraction timings on the corpus performance cases (`npx tsx bin/bench/reply-speed.ts`)
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { extractReply } from '../../functions/core/email/extract-reply';
import { extractReplyFromHtml } from '../../functions/core/email/extract-reply-html';
import { corpusPath } from '../../test/support/corpus';

const RUNS = 5;

function time(label: string, run: () => string): void {
  const ms: number[] = [];
  let size = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    size = run().length;
    ms.push(performance.now() - start);
  }
  const first = ms[0] ?? 0;
  const best = Math.min(...ms);
  console.log(`${label}: first ${first.toFixed(1)} ms, best ${best.toFixed(1)} ms of ${RUNS} (reply ${size} chars)`);
}

const longQuote = readFileSync(corpusPath('github-email_reply_parser', 'email_long_quote.txt'), 'utf8');
const pathological = readFileSync(corpusPath('github-email_reply_parser', 'pathological.txt'), 'utf8');

time(`email_long_quote.txt (${longQuote.length} chars)`, () => extractReply(longQuote));
time(`pathological.txt (${pathological.length} chars)`, () => extractReply(pathological));

// Synthetic worst cases for the line rules and the HTML walker.
const longLines = Array.from({ length: 2000 }, (_, i) => `On ${'x'.repeat(900)} ${i} wrote ${'a@b.c '.repeat(10)}`).join('\n');
time(`2000 near-miss header lines (${longLines.length} chars)`, () => extractReply(longLines));
const rules = 'text\n' + '----\n'.repeat(50_000);
time(`50k rule lines (${rules.length} chars)`, () => extractReply(rules));
const deepHtml = '<div>'.repeat(10_000) + 'Hi' + '</div>'.repeat(10_000);
time(`10k nested divs (htmlparser2 is quadratic in nesting depth) (${deepHtml.length} chars)`, () => extractReplyFromHtml(deepHtml));
const quoteHtml = `<p>Reply</p><blockquote type="cite">${'<p>quoted line</p>'.repeat(50_000)}</blockquote>`;
time(`HTML with 50k quoted paragraphs (${quoteHtml.length} chars)`, () => extractReplyFromHtml(quoteHtml));
