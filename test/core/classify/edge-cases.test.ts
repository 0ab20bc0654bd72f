// tests: hand-written edge cases for classification and SES verdicts (forged headers, markers, hostile input)
import type { ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { classifyEmail, readSesVerdicts } from '../../../functions/core/email/classify';

/** Builds a message from header lines and a body, CRLF like real mail. */
function eml(headers: string[], body = 'Hello,\r\nplease help.\r\n'): string {
  return [...headers, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body].join('\r\n');
}

const CUSTOMER = [
  'From: Alice <alice@example.org>',
  'To: support@help.example.com',
  'Subject: Printer broken',
  'Message-ID: <a1@example.org>',
];

const SES_BLOCK = [
  'Return-Path: <alice@example.org>',
  'Received: from mail-wm1-f50.google.com (mail-wm1-f50.google.com [209.85.128.50])',
  ' by inbound-smtp.us-east-1.amazonaws.com with SMTP id q041v1u3p6g5bust1o2se9of7vf685mtivi7ci01',
  ' for support@help.example.com; Mon, 20 Mar 2023 03:11:44 +0000 (UTC)',
];

async function classify(raw: string) {
  return classifyEmail(await simpleParser(raw));
}

describe('readSesVerdicts', () => {
  it('reads the verdicts SES prepended at the top', async () => {
    // Arrange
    const raw = eml([
      ...SES_BLOCK,
      'X-SES-Spam-Verdict: FAIL',
      'X-SES-Virus-Verdict: PASS',
      'Authentication-Results: amazonses.com; spf=pass; dkim=pass header.i=@example.org; dmarc=pass header.from=example.org;',
      'X-SES-RECEIPT: AEFBQUFBQUFBQUFHZFR2NW1r',
      'Received: by mail-wm1-f50.google.com with SMTP id x; Mon, 20 Mar 2023 03:11:40 +0000',
      ...CUSTOMER,
    ]);
    // Act
    const verdicts = readSesVerdicts(await simpleParser(raw));
    // Assert
    expect(verdicts).toEqual({ spam: 'FAIL', virus: 'PASS' });
  });

  it('ignores a forged lower copy below the sender’s own Received line', async () => {
    const raw = eml([
      ...SES_BLOCK,
      'X-SES-Spam-Verdict: FAIL',
      'X-SES-Virus-Verdict: FAIL',
      'Received: by mail.attacker.example with SMTP id x; Mon, 20 Mar 2023 03:11:40 +0000',
      'X-SES-Spam-Verdict: PASS',
      'X-SES-Virus-Verdict: PASS',
      ...CUSTOMER,
    ]);
    expect(readSesVerdicts(await simpleParser(raw))).toEqual({ spam: 'FAIL', virus: 'FAIL' });
  });

  it('returns null when SES gave no verdict and only the sender wrote one', async () => {
    const raw = eml([
      ...SES_BLOCK,
      'Received: by mail.attacker.example with SMTP id x; Mon, 20 Mar 2023 03:11:40 +0000',
      'X-SES-Spam-Verdict: PASS',
      'X-SES-Virus-Verdict: PASS',
      ...CUSTOMER,
    ]);
    expect(readSesVerdicts(await simpleParser(raw))).toEqual({ spam: null, virus: null });
  });

  it('ignores a forged copy that directly follows SES’s block when the sender added no Received line', async () => {
    const raw = eml([
      ...SES_BLOCK,
      'X-SES-RECEIPT: AEFBQUFBQUFBQUFHZFR2NW1r',
      'Message-ID: <forged@attacker.example>',
      'X-SES-Spam-Verdict: PASS',
      'X-SES-Virus-Verdict: PASS',
      'From: Mallory <m@attacker.example>',
    ]);
    expect(readSesVerdicts(await simpleParser(raw))).toEqual({ spam: null, virus: null });
  });

  it('reads GRAY and PROCESSING_FAILED values', async () => {
    const raw = eml([...SES_BLOCK, 'X-SES-Spam-Verdict: GRAY', 'X-SES-Virus-Verdict: PROCESSING_FAILED', ...CUSTOMER]);
    expect(readSesVerdicts(await simpleParser(raw))).toEqual({ spam: 'GRAY', virus: 'PROCESSING_FAILED' });
  });

  it('returns nulls for mail without verdicts', async () => {
    expect(readSesVerdicts(await simpleParser(eml(CUSTOMER)))).toEqual({ spam: null, virus: null });
  });
});

describe('classifyEmail auto-reply markers', () => {
  it('treats Auto-Submitted: no as a person writing', async () => {
    const result = await classify(eml([...CUSTOMER, 'Auto-Submitted: no']));
    expect(result).toEqual({ kind: 'normal', reason: 'no automatic-mail markers', failedRecipients: [] });
  });

  it('treats Auto-Submitted: auto-replied as an auto-reply', async () => {
    const result = await classify(eml([...CUSTOMER, 'Auto-Submitted: auto-replied']));
    expect(result.kind).toBe('auto-reply');
    expect(result.reason).toBe('Auto-Submitted: auto-replied');
  });

  it('treats Precedence: bulk as an auto-reply', async () => {
    const result = await classify(eml([...CUSTOMER, 'Precedence: bulk']));
    expect(result.kind).toBe('auto-reply');
    expect(result.reason).toBe('Precedence: bulk');
  });

  it('treats X-Autorespond as an auto-reply', async () => {
    expect((await classify(eml([...CUSTOMER, 'X-Autorespond: 1']))).kind).toBe('auto-reply');
  });

  it('treats Exchange X-Auto-Response-Suppress: All as an auto-reply but not RN, NRN alone', async () => {
    expect((await classify(eml([...CUSTOMER, 'X-Auto-Response-Suppress: All']))).kind).toBe('auto-reply');
    expect((await classify(eml([...CUSTOMER, 'X-Auto-Response-Suppress: RN, NRN']))).kind).toBe('normal');
  });

  it('says "mailing list" for List-Id mail', async () => {
    const result = await classify(eml([...CUSTOMER, 'List-Id: Printers <printers.lists.example.org>']));
    expect(result.kind).toBe('auto-reply');
    expect(result.reason).toContain('mailing list');
  });

  it('recognises out-of-office subjects in several languages', async () => {
    for (const subject of [
      'Automatic reply: Printer broken',
      'Out of Office: Printer broken',
      'Autosvar: Printer',
      'Abwesenheitsnotiz: Drucker',
    ]) {
      const result = await classify(eml(['From: Bob <bob@example.org>', 'To: support@help.example.com', `Subject: ${subject}`]));
      expect(result.kind, subject).toBe('auto-reply');
    }
  });

  it('leaves a person who mentions being out of office alone', async () => {
    const result = await classify(
      eml(
        ['From: Bob <bob@example.org>', 'To: support@help.example.com', 'Subject: Out of office next week?'],
        'I am out of office next week, can you fix it before?\r\n',
      ),
    );
    expect(result.kind).toBe('normal');
  });
});

describe('classifyEmail bounces and reports', () => {
  it('treats a null return path without other markers as a bounce', async () => {
    const result = await classify(eml(['Return-Path: <>', ...CUSTOMER]));
    expect(result.kind).toBe('bounce');
    expect(result.reason).toContain('null return path');
  });

  it('prefers the auto-reply reading for a null-sender vacation notice', async () => {
    const result = await classify(eml(['Return-Path: <>', ...CUSTOMER, 'Auto-Submitted: auto-replied']));
    expect(result.kind).toBe('auto-reply');
  });

  it('classifies a mailer-daemon bounce that also says Auto-Submitted as a bounce', async () => {
    const result = await classify(
      eml(
        [
          'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
          'To: support@help.example.com',
          'Subject: Undelivered Mail Returned to Sender',
          'Auto-Submitted: auto-replied',
        ],
        'This is the mail system at host mx.example.net.\r\n\r\n<carol@example.net>: host mx.example.net said: 550 5.1.1 User unknown\r\n',
      ),
    );
    expect(result).toMatchObject({ kind: 'bounce', failedRecipients: ['carol@example.net'], permanent: true });
  });

  it('marks a qmail-style 4xx failure as transient', async () => {
    const result = await classify(
      eml(
        ['From: MAILER-DAEMON@mx.example.net', 'To: support@help.example.com', 'Subject: failure notice'],
        "Hi. This is the qmail-send program at mx.example.net.\r\nI'm afraid I wasn't able to deliver your message to the following addresses.\r\n\r\n<dave@example.net>:\r\n  192.0.2.1 failed after I sent the message.\r\n  Remote host said: 452 mailbox full\r\n",
      ),
    );
    expect(result).toMatchObject({ kind: 'bounce', failedRecipients: ['dave@example.net'], permanent: false });
  });

  it('treats a success-only DSN as automatic mail, not a bounce', async () => {
    const raw = [
      'From: MAILER-DAEMON@mx.example.net',
      'To: support@help.example.com',
      'Subject: Successful Mail Delivery Report',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'Your message was delivered.',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      'Final-Recipient: rfc822; erin@example.net',
      'Action: delivered',
      'Status: 2.0.0',
      '--b1--',
      '',
    ].join('\r\n');
    const result = await classify(raw);
    expect(result.kind).toBe('auto-reply');
    expect(result.failedRecipients).toEqual([]);
  });

  it('classifies a read receipt as automatic mail', async () => {
    const raw = eml(['From: Bob <bob@example.org>', 'To: support@help.example.com', 'Subject: Read: Printer']).replace(
      'Content-Type: text/plain; charset=utf-8',
      'Content-Type: multipart/report; report-type=disposition-notification; boundary="x"',
    );
    expect((await classify(raw)).kind).toBe('auto-reply');
  });

  it('does not take the bounce’s own addressee for a failed recipient', async () => {
    const result = await classify(
      eml(
        ['From: MAILER-DAEMON@mx.example.net', 'To: <support@help.example.com>', 'Subject: Undeliverable: Printer'],
        'Delivery has failed to these recipients:\r\n\r\n<support@help.example.com>: sender\r\n<frank@example.net>: 550 5.1.1 no such user\r\n',
      ),
    );
    expect(result.failedRecipients).toEqual(['frank@example.net']);
  });
});

describe('classifyEmail on hostile input', () => {
  it('never throws on an object that is not a parsed mail', () => {
    const broken = { headerLines: 'nope', attachments: null, text: 42 } as unknown as ParsedMail;
    expect(classifyEmail(broken)).toEqual({ kind: 'normal', reason: 'no automatic-mail markers', failedRecipients: [] });
    expect(readSesVerdicts(broken)).toEqual({ spam: null, virus: null });
  });

  it('returns normal with a reason when reading fails', () => {
    const throwing = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    ) as ParsedMail;
    const result = classifyEmail(throwing);
    expect(result.kind).toBe('normal');
    expect(result.reason).toContain('boom');
  });

  it('stays fast on a huge body and a pathological address line', async () => {
    // Arrange
    const huge = `  ${'a@'.repeat(30_000)}\r\n<${'b'.repeat(20_000)}@\r\n${'x'.repeat(5_000_000)}\r\n`;
    const mail = await simpleParser(
      eml(['From: MAILER-DAEMON@mx.example.net', 'To: support@help.example.com', 'Subject: Returned mail'], huge),
    );
    // Act
    const started = performance.now();
    const result = classifyEmail(mail);
    const elapsed = performance.now() - started;
    // Assert
    expect(result.kind).toBe('bounce');
    expect(elapsed).toBeLessThan(200);
  });
});
