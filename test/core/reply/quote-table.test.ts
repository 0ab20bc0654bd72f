// tests: every row of the reply extractor's table (quote-table.ts) against replies written in that client's or language's format
import { describe, expect, it } from 'vitest';
import { separateReply } from '../../../functions/core/email/extract-reply';
import { extractReplyFromHtml, separateReplyFromHtml } from '../../../functions/core/email/extract-reply-html';
import { CLIENT_ROWS, LANGUAGE_ROWS, type HtmlMarker } from '../../../functions/core/email/reply/quote-table';
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

/** An element carrying one client marker, with `inner` as its content. */
function element(marker: HtmlMarker, inner: string): string {
  if ('class' in marker) return `<div class="x ${marker.class}">${inner}</div>`;
  if ('id' in marker) return `<div id="${marker.id}">${inner}</div>`;
  if ('idPrefix' in marker) return `<div id="${marker.idPrefix}_1">${inner}</div>`;
  if ('attribute' in marker) return `<${marker.tag ?? 'div'} ${marker.attribute}="${marker.value}">${inner}</${marker.tag ?? 'div'}>`;
  return `<div style="${marker.style} 1.0pt;padding:3pt">${inner}</div>`;
}

const rowsWithMarkers = CLIENT_ROWS.filter((row) => row.quote.length + row.cut.length + row.skip.length > 0);

describe.each(rowsWithMarkers.map((row) => [row.client, row] as const))('%s HTML markers', (_client, row) => {
  it('has a marker for quotes, originals or signatures', () => {
    expect(row.quote.length + row.cut.length + row.skip.length).toBeGreaterThan(0);
  });

  it.each(row.quote.map((m) => [JSON.stringify(m), m] as const))('removes the quote container %s', (_name, marker) => {
    expect(extractReplyFromHtml(`<div>New text</div>${element(marker, 'Old text')}<div>After</div>`)).toBe('New text\nAfter');
  });

  it.each(row.cut.map((m) => [JSON.stringify(m), m] as const))('drops everything from the original-message marker %s', (_name, marker) => {
    expect(extractReplyFromHtml(`<div>New text</div>${element(marker, 'From: Support')}<div>Old text</div>`)).toBe('New text');
  });

  it.each(row.skip.map((m) => [JSON.stringify(m), m] as const))('drops the signature or caption %s on its own', (_name, marker) => {
    expect(extractReplyFromHtml(`<div>New text</div>${element(marker, 'Ann Lee, Example Ltd')}<div>After</div>`)).toBe('New text\nAfter');
  });
});
