// tests: every row of the reply extractor's table (quote-table.ts) against replies written in that client's or language's format
import { describe, expect, it } from 'vitest';
import { separateReply, separateReplyFromHtml } from '../../../functions/core/email/extract-reply';
import { CLIENT_ROWS, LANGUAGE_ROWS } from '../../../functions/core/email/reply/quote-table';
import { REPLY_SAMPLES, SAMPLE_CLIENTS, SAMPLE_LANGUAGES, type ReplySample } from '../../fixtures/replies/reply-samples';

function separate(sample: ReplySample) {
  return sample.format === 'html' ? separateReplyFromHtml(sample.body) : separateReply(sample.body);
}

describe('the quote table', () => {
  it('has a language row for every sample language and a client row for every sample client', () => {
    expect(SAMPLE_LANGUAGES.filter((language) => !LANGUAGE_ROWS.some((row) => row.language === language))).toEqual([]);
    expect(SAMPLE_CLIENTS.filter((client) => !CLIENT_ROWS.some((row) => row.client === client))).toEqual([]);
  });

  it('has samples for every row except the catch-alls', () => {
    const languages = new Set(REPLY_SAMPLES.map((s) => s.language as string));
    const clients = new Set(REPLY_SAMPLES.map((s) => s.client as string));
    expect(LANGUAGE_ROWS.map((row) => row.language).filter((l) => !languages.has(l))).toEqual(['Other']);
    expect(CLIENT_ROWS.map((row) => row.client).filter((c) => !clients.has(c))).toEqual(['Other webmail']);
  });
});

describe.each(SAMPLE_LANGUAGES)('%s replies', (language) => {
  const samples = REPLY_SAMPLES.filter((s) => s.language === language);

  it.each(samples.map((s) => [s.client, s.shape, s] as const))(
    '%s, %s: keeps only the new text, confidently',
    (_client, _shape, sample) => {
      const separated = separate(sample);
      expect(separated.reply).toBe(sample.reply);
      expect(separated.confidence).toBe('high');
    },
  );
});

describe.each(SAMPLE_CLIENTS)('%s replies', (client) => {
  it('cover all twelve languages', () => {
    const languages = new Set(REPLY_SAMPLES.filter((s) => s.client === client).map((s) => s.language));
    expect([...languages].sort()).toEqual([...SAMPLE_LANGUAGES].sort());
  });
});
