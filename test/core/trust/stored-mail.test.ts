// tests: what ingest keeps of hostile or odd mail: content fingerprints, parts over the limit, bidi in names
import { describe, expect, it } from 'vitest';
import { neutralizeBidi } from '../../../functions/core/email/display-names';
import { parseEmail } from '../../../functions/core/email/parse-email';
import { cutAfterParts } from '../../../functions/core/email/parse/parts-limit';
import { contentFingerprint } from '../../../functions/core/ingest/content-fingerprint';
import { manyPartsMail } from '../../support/mail';

const MAIL = [
  'From: Ann <ann@example.com>',
  'To: support@desk.localhost',
  'Subject: Printer',
  'Message-ID: <fixed-id@mailer.example>',
  '',
  'The printer is on fire.',
  '',
].join('\r\n');

function sesStored(id: string, time: string, mail = MAIL): Buffer {
  return Buffer.from(
    [
      'Return-Path: <ann@example.com>',
      'Received: from mx.example.com (mx.example.com [192.0.2.1])',
      ` by inbound-smtp.us-east-1.amazonaws.com with SMTP id ${id}`,
      ` for support@desk.localhost; ${time}`,
      'X-SES-Spam-Verdict: PASS',
      'X-SES-Virus-Verdict: PASS',
      `X-SES-RECEIPT: ${id}receipt`,
      mail,
    ].join('\r\n'),
  );
}

describe('contentFingerprint', () => {
  it('is the same for one mail SES stored twice with different receipt headers', () => {
    const first = sesStored('aaaa', 'Mon, 20 Mar 2023 03:11:44 +0000 (UTC)');
    const second = sesStored('bbbb', 'Mon, 20 Mar 2023 03:12:01 +0000 (UTC)');
    expect(first.equals(second)).toBe(false);
    expect(contentFingerprint(first)).toBe(contentFingerprint(second));
  });

  it('differs for another mail that reuses the same Message-ID', () => {
    const other = MAIL.replace('The printer is on fire.', 'I want a refund.').replace('ann@example.com', 'zed@example.org');
    expect(contentFingerprint(sesStored('aaaa', 'x'))).not.toBe(contentFingerprint(sesStored('aaaa', 'x', other)));
  });

  it('hashes the whole object when SES wrote no block (mail put into the bucket by hand)', () => {
    const withoutSes = Buffer.from(`X-SES-RECEIPT: forged\r\n${MAIL}`);
    expect(contentFingerprint(withoutSes)).not.toBe(contentFingerprint(Buffer.from(MAIL)));
  });
});

describe('mail over the parts limit', () => {
  it('keeps the text and the parts before the limit of a 1,200-part mail, and says what was dropped', async () => {
    const mail = await parseEmail(manyPartsMail(1200));
    expect(mail.text).toContain('The important text of the mail.');
    expect(mail.attachments.length).toBeGreaterThan(900);
    expect(mail.attachments.length).toBeLessThan(1000);
    expect(mail.dropped).toHaveLength(1);
    expect(mail.dropped[0]).toMatch(/more than 1000 MIME parts.*about 2\d\d further parts/);
  });

  it('drops nothing from a mail under the limit', async () => {
    const mail = await parseEmail(manyPartsMail(500));
    expect(mail.attachments).toHaveLength(500);
    expect(mail.dropped).toEqual([]);
  });

  it('cuts before the boundary line that would start the part past the limit', () => {
    const cut = cutAfterParts(Buffer.from('head\r\n--b\r\none\r\n--b\r\ntwo\r\n--b\r\nthree\r\n--b--\r\n'), 3);
    expect(cut.raw.toString()).toBe('head\r\n--b\r\none\r\n');
    expect(cut.droppedParts).toBe(3);
  });

  it('says on the message that a mail whose MIME could not be read kept only its headers', async () => {
    const mail = await parseEmail(manyPartsMail(3), { maxHeadSize: 10 });
    expect(mail.dropped.join(' ')).toMatch(/MIME structure could not be read/);
  });
});

describe('neutralizeBidi', () => {
  it('replaces right-to-left overrides, isolates and marks so the real extension shows last', () => {
    expect(neutralizeBidi('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe');
    expect(neutralizeBidi('a\u2066b\u2069c\u200e\u200fd\u202ae')).toBe('a_b_c__d_e');
    expect(neutralizeBidi('Résumé 2026.pdf')).toBe('Résumé 2026.pdf');
  });
});
