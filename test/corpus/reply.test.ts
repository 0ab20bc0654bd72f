// Corpus evaluation of reply extraction: one case per expectation entry, and the score of each corpus
import { describe, expect, it } from 'vitest';
import { reportScore } from '../support/corpus-score';
import { loadReplyCases, scoreReplyCorpus } from './support/reply-corpus';

/**
 * Corpus entries we do not match on purpose, with the reason. Matching them would need a rule that
 * breaks other entries of the same corpus, so they are kept out of the per-case assertions and only
 * counted by the score floor below.
 */
const KNOWN_MISSES: Record<string, string> = {
  'mailgun-talon/reply-separated-by-hr.html':
    'talon drops the name line "Bob" right above the <hr>; the nine talon html_replies keep the same kind of ' +
    'closing name ("Thanks,\\nAlex") above the quote, and we keep closings',
  'mailgun-talon/signature/emails/stripped/short_url_body':
    'talon calls "Thank you,\\nNoam" a signature because the sender is Noam (its classifier takes the sender); ' +
    'extractReply has no sender and keeps closings, as the talon html_replies expect',
};

/** Score floors reached when this suite was written: raise them when the extractor improves. */
const MIN_SCORES: Record<string, number> = {
  'github-email_reply_parser': 22,
  'mailgun-talon': 28,
  'gitlab-spec-fixtures-emails': 5,
};

const cases = await loadReplyCases();
const scores = await scoreReplyCorpus();

describe('reply extraction on the corpus', () => {
  for (const c of cases) {
    const key = `${c.corpus}/${c.name}`;
    if (key in KNOWN_MISSES) continue;
    it(`extracts the reply of ${key}`, () => {
      const outcome = c.run();
      expect(outcome.problems, `reply was ${JSON.stringify(outcome.actual.slice(0, 500))}`).toEqual([]);
    });
  }

  it('lists only known misses that exist in the corpus', () => {
    const keys = new Set(cases.map((c) => `${c.corpus}/${c.name}`));
    expect(Object.keys(KNOWN_MISSES).filter((k) => !keys.has(k))).toEqual([]);
  });

  it('scores exactly the corpora that have floors', () => {
    expect(scores.map((s) => s.corpus).sort()).toEqual(Object.keys(MIN_SCORES).sort());
  });
  for (const score of scores) {
    const floor = MIN_SCORES[score.corpus] ?? Number.POSITIVE_INFINITY;
    it(`scores ${score.corpus} at ${floor} or better`, ({ task }) => {
      reportScore(task, { source: `${score.corpus} (reply)`, passed: score.passed, total: score.total, floor });
      expect(score.passed, `misses: ${score.failures.map((f) => f.name).join('; ')}`).toBeGreaterThanOrEqual(floor);
    });
  }
});
