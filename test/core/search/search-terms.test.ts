// unit: which terms a text, a message and a query give the search index
import { describe, expect, it } from 'vitest';
import { DEFAULT_DESK_CONFIG } from '../../../functions/core/config/desk-config';
import { MAX_TERMS_PER_MESSAGE, inboundReplyTerms, messageTerms, queryTerms, textTerms } from '../../../functions/core/search/search-terms';
import type { ParsedMail } from '../../../functions/core/types';

describe('textTerms', () => {
  it('lowercases and normalises words, drops stop words and one-letter words, keeps each once', () => {
    expect(textTerms('The Printer is ON FIRE, the printer! Ｆｕｌｌwidth a')).toEqual(['printer', 'fire', 'fullwidth']);
  });

  it('splits CJK runs into overlapping pairs, also where they touch Latin letters', () => {
    expect(textTerms('ログインできません')).toEqual(['ログ', 'グイ', 'イン', 'ンで', 'でき', 'きま', 'ませ', 'せん']);
    expect(textTerms('Windows10でログイン')).toEqual(['windows10', 'でロ', 'ログ', 'グイ', 'イン']);
    expect(textTerms('打印机坏了')).toEqual(['打印', '印机', '机坏', '坏了']);
    expect(textTerms('로그인 오류')).toEqual(['로그', '그인', '오류']);
  });

  it('keeps words of other spaced scripts whole', () => {
    expect(textTerms('Принтер не работает')).toEqual(['принтер', 'не', 'работает']);
    expect(textTerms('Größe überprüfen')).toEqual(['größe', 'überprüfen']);
  });

  it('keeps an email address whole besides its words', () => {
    expect(textTerms('Mail ann.lee@example.com')).toEqual(['ann.lee@example.com', 'mail', 'ann', 'lee', 'example', 'com']);
  });

  it('skips overlong tokens (hashes, base64)', () => {
    expect(textTerms(`id ${'a'.repeat(41)} ok`)).toEqual(['id', 'ok']);
  });

  it('reads only the start of a huge text, and an address beside a long run without an @', () => {
    // The hostile-mail test's 40 MB body once held ingest for minutes in the address pattern's backtracking.
    const huge = `first ${'x'.repeat(250_000)} last ann@example.com`;
    expect(textTerms(huge)).toEqual(['first']);
    expect(textTerms(`${'y'.repeat(5_000)} ann@example.com`)).toContain('ann@example.com');
  });
});

/** A reply by mail from Ann to the desk, Cc Bob. */
function replyMail(text: string, reply: string, from = 'ann@example.com'): ParsedMail {
  return {
    from: { address: from, name: 'Ann' },
    to: [{ address: 'support@desk.localhost', name: 'Support' }],
    cc: [{ address: 'bob@example.com', name: 'Bob' }],
    text,
    reply,
    replyConfidence: 'high',
  } as unknown as ParsedMail;
}

describe('messageTerms', () => {
  it('indexes people first, then the subject, then the body, and stops at the cap', () => {
    const body = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const terms = messageTerms({ subject: 'Invoice', body, people: [{ address: 'ann@example.com', name: 'Ann Lee' }] });
    expect(terms).toHaveLength(MAX_TERMS_PER_MESSAGE);
    expect(terms.slice(0, 6)).toEqual(['ann@example.com', 'ann', 'example', 'com', 'lee', 'invoice']);
  });

  it('takes a reply by mail by its new text only when the extractor is sure, and never a desk address', () => {
    const mail = replyMail('New words\n> quoted oldwords', 'New words');
    const ticket = { requester: { address: 'carol@example.com', name: 'Carol' }, participants: [], subject: 'Printer' };
    const sure = inboundReplyTerms(mail, DEFAULT_DESK_CONFIG, ticket);
    expect(sure).toContain('bob@example.com');
    expect(sure).toContain('words');
    expect(sure).not.toContain('oldwords');
    expect(sure).not.toContain('support@desk.localhost');
    expect(inboundReplyTerms({ ...mail, replyConfidence: 'low' }, DEFAULT_DESK_CONFIG, ticket)).toContain('oldwords');
  });

  it('leaves out what the ticket already holds: the people on it and its subject words', () => {
    const mail = replyMail('Printer jammed again', 'Printer jammed again', 'Ann@Example.com');
    const ticket = {
      requester: { address: 'ann@example.com', name: 'Ann' },
      participants: [{ address: 'ann@example.com', name: 'Ann', role: 'requester' as const, unsubscribed: false }],
      subject: 'Printer broken',
    };
    expect(inboundReplyTerms(mail, DEFAULT_DESK_CONFIG, ticket)).toEqual(['bob@example.com', 'bob', 'example', 'com', 'jammed', 'again']);
  });
});

describe('queryTerms', () => {
  it('asks the longest terms first, at most six, and nothing for a query of stop words or one character', () => {
    expect(queryTerms('the printer on fire')).toEqual(['printer', 'fire']);
    expect(queryTerms('ログイン')).toEqual(['ログ', 'グイ', 'イン']);
    expect(queryTerms('a b c d e f g h i j k l m n o p')).toEqual([]);
    expect(queryTerms('ロ')).toEqual([]);
    expect(queryTerms('one two three four five six seven eight')).toHaveLength(6);
  });
});
