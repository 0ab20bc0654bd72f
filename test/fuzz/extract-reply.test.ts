// Fuzz: reply extraction on adversarial text and HTML never throws, never grows the text and always ends quickly
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractReply } from '../../functions/core/email/extract-reply';
import { extractReplyFromHtml } from '../../functions/core/email/extract-reply-html';
import { htmlToReplyText } from '../../functions/core/email/reply/html-to-text';
import { replyHtml, replyText } from '../support/mime-arbitraries';
import { BUDGET_MS, fuzzOptions, fuzzTimeout, timed } from './fuzz-settings';

describe('reply extraction under fuzzing', () => {
  it(
    'returns at most the input text, within the time budget, for any plain-text body',
    async () => {
      await fc.assert(
        fc.asyncProperty(replyText, async ({ text }) => {
          const { value: reply, ms } = await timed(() => extractReply(text));

          expect(ms).toBeLessThan(BUDGET_MS);
          expect(typeof reply).toBe('string');
          expect(reply.length).toBeLessThanOrEqual(text.length);
        }),
        fuzzOptions(250, 20261122),
      );
    },
    fuzzTimeout(120_000),
  );

  it(
    'returns at most the text of the HTML, within the time budget, for any HTML body',
    async () => {
      await fc.assert(
        fc.asyncProperty(replyHtml, async ({ text: html }) => {
          const { value: reply, ms } = await timed(() => extractReplyFromHtml(html));

          expect(ms).toBeLessThan(BUDGET_MS);
          expect(typeof reply).toBe('string');
          // Lists gain `1. ` markers, so the bound is the HTML's text, not its markup.
          expect(reply.length).toBeLessThanOrEqual(htmlToReplyText(html).length);
        }),
        fuzzOptions(150, 20261123),
      );
    },
    fuzzTimeout(120_000),
  );
});
