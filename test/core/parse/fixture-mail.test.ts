// tests: parseEmail on the project's own test mail: charsets, MIME structures, attachments, threading headers, damage
import { describe, expect, it } from 'vitest';
import { parseEmail, toContractJson } from '../../../functions/core/email/parse-email';
import type { ParsedMail } from '../../../functions/core/types';
import { expectValidContract } from '../../support/contract-checks';
import { FIXTURE_MAIL, fixtureMail } from '../../support/fixture-mail';

async function parseFixture(name: string): Promise<ParsedMail> {
  return parseEmail(fixtureMail(name));
}

describe('every fixture message', () => {
  it.each(FIXTURE_MAIL)('parses %s into a valid contract object that survives JSON', async (name) => {
    expectValidContract(toContractJson(await parseFixture(name)));
  });
});

describe('charsets', () => {
  it('decodes an iso-8859-2 B-encoded subject and name, a quoted-printable text part and a base64 HTML part', async () => {
    const mail = await parseFixture('charset/iso-8859-2-subject-qp-text-base64-html.eml');
    expect(mail.subject).toBe('Reklamácia: ťažký kôň č. 7');
    expect(mail.from).toEqual({ address: 'lubica.horakova@example.sk', name: 'Ľubica Horáková' });
    expect(mail.text).toContain('kôň je príliš ťažký a žltý. Ďakujem za opravu.');
    expect(mail.html).toContain('Ďakujem za opravu.');
    expect(mail.warnings).toEqual([]);
  });

  it('reads raw 8-bit windows-1252 header text and a body declared UTF-8 but written in windows-1252', async () => {
    const mail = await parseFixture('charset/raw-8bit-windows-1252-headers-and-body.eml');
    expect(mail.from.name).toBe('Jürgen Größ');
    expect(mail.subject).toBe('Grüße – Rückfrage zur Lieferung');
    expect(mail.text).toContain('die Lieferung für “Größe M” kostet 5 €?');
    expect(mail.warnings).toEqual([
      'raw 8-bit header text is not UTF-8; read as windows-1252',
      'the body is declared utf-8 but is not; read as windows-1252',
    ]);
  });

  it('decodes koi8-r encoded words and an 8-bit koi8-r body', async () => {
    const mail = await parseFixture('charset/koi8-r-8bit-body.eml');
    expect(mail.from.name).toBe('Иван Петров');
    expect(mail.subject).toBe('Не работает принтер');
    expect(mail.reply).toBe('Здравствуйте!\n\nПринтер печатает пустые страницы.\n\nИван');
  });

  it('decodes ISO-2022-JP encoded words and a 7-bit ISO-2022-JP body', async () => {
    const mail = await parseFixture('charset/iso-2022-jp-subject-and-body.eml');
    expect(mail.from.name).toBe('山田太郎');
    expect(mail.subject).toBe('プリンターの故障について');
    expect(mail.text).toBe('お世話になっております。\nプリンターが動きません。\n\n山田\n');
  });

  it('decodes raw 8-bit bytes inside Q-encoded words with the charset each word declares, in subjects and names', async () => {
    const mail = await parseFixture('charset/raw-8bit-bytes-inside-encoded-words.eml');
    expect(mail.subject).toBe('Die Hasen und die Frösche');
    expect(mail.from).toEqual({ address: 'juergen.mueller@example.de', name: 'Jürgen Müller' });
    expect(mail.to).toEqual([{ address: 'support@desk.localhost', name: '“Support”' }]);
    expect(mail.cc).toEqual([{ address: 'ivan@example.ru', name: 'Иван' }]);
    expect(mail.text.trim()).toBe('Die Frösche sind grün.');
    expect(mail.warnings).toContain('raw 8-bit bytes inside encoded header words were read as iso-8859-1, windows-1252, koi8-r');
  });

  it('reads UTF-8 bytes labelled iso-8859-1 as UTF-8', async () => {
    const mail = await parseFixture('charset/utf-8-bytes-labelled-iso-8859-1.eml');
    expect(mail.subject).toBe('Fatura não recebida');
    expect(mail.text.trim()).toBe('Olá, a fatura de março não chegou. Obrigada!');
  });

  it('re-reads an encoded word declared UTF-8 that holds latin-1 bytes, and decodes a UTF-7 encoded word', async () => {
    const mail = await parseFixture('charset/encoded-words-utf-8-label-latin-1-bytes-and-utf-7.eml');
    expect(mail.subject).toBe('Frösche und Käse');
    expect(mail.from.name).toBe('René');
  });

  it('uses the HTML meta charset when the MIME label is wrong', async () => {
    const mail = await parseFixture('charset/html-meta-charset-overrides-wrong-label.eml');
    expect(mail.reply).toBe('Здравейте, фактурата е грешна.');
    expect(mail.html).toContain('Здравейте');
  });

  it('reads quoted-printable 8-bit text under a us-ascii label, and text under an unknown label, as windows-1252', async () => {
    expect((await parseFixture('charset/qp-8-bit-under-us-ascii-label.eml')).text.trim()).toBe('Frösche und Käse sind grün.');
    expect((await parseFixture('charset/unknown-charset-label.eml')).text.trim()).toBe('One café crème, please.');
  });
});

describe('MIME structures and attachments', () => {
  it('lists a message that is only an image as one attachment with an empty text', async () => {
    const mail = await parseFixture('structure/image-only-message.eml');
    expect(mail.text).toBe('');
    expect(mail.attachments).toEqual([{ filename: 'scan-0042.png', contentType: 'image/png', size: 70, inline: false, cid: null }]);
    expect(
      Buffer.from(mail.attachmentContents[0]?.content ?? [])
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('decodes a quoted-printable text with soft line breaks next to two base64 attachments', async () => {
    const mail = await parseFixture('structure/multipart-mixed-text-and-two-attachments.eml');
    expect(mail.text).toContain('The second one is from the settings page.');
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.inline])).toEqual([
      ['error.png', 'image/png', false],
      ['report.pdf', 'application/pdf', false],
    ]);
    expect(
      Buffer.from(mail.attachmentContents[1]?.content ?? [])
        .subarray(0, 8)
        .toString(),
    ).toBe('%PDF-1.4');
  });

  it('tells an inline cid image of a related part from a real CSV attachment, and keeps the cid link in the HTML', async () => {
    const mail = await parseFixture('structure/multipart-related-html-with-cid-image.eml');
    expect(mail.attachments).toEqual([
      { filename: 'logo-shot.png', contentType: 'image/png', size: 70, inline: true, cid: 'logo-shot@example.com' },
      { filename: 'orders.csv', contentType: 'text/csv', size: 36, inline: false, cid: null },
    ]);
    expect(mail.html).toContain('src="cid:logo-shot@example.com"');
    expect(mail.reply).toBe('The logo in your mail footer is cut off, see the picture.');
  });

  it('decodes x-uuencode attachments to their bytes', async () => {
    const mail = await parseFixture('structure/x-uuencode-attachments.eml');
    expect(mail.attachments.map((a) => [a.filename, a.size])).toEqual([
      ['first.png', 75],
      ['second.png', 82],
    ]);
    for (const part of mail.attachmentContents) expect(Buffer.from(part.content).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('keeps an embedded message/rfc822 as an .eml attachment and out of the text', async () => {
    const mail = await parseFixture('structure/embedded-message-rfc822.eml');
    expect(mail.text.trim()).toBe('The confirmation I got is attached; the price is wrong.');
    expect(mail.attachments).toEqual([expect.objectContaining({ filename: 'confirmation.eml', contentType: 'message/rfc822' })]);
  });

  it('shows the messages of a multipart/digest in the text', async () => {
    const mail = await parseFixture('structure/multipart-digest.eml');
    expect(mail.text).toContain('First message text.');
    expect(mail.text).toContain('Second message text.');
  });

  it('keeps a message/external-body pointer as a named attachment and the alternative text as the body', async () => {
    const mail = await parseFixture('structure/message-external-body.eml');
    expect(mail.text.trim()).toBe('The manual is on files.example.com under /pub/manuals/manual.pdf.');
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([['manual.pdf', 'message/external-body']]);
  });

  it('keeps text/enriched and audio parts of a multipart/parallel as attachments beside the plain text', async () => {
    const mail = await parseFixture('structure/text-enriched-in-multipart-parallel.eml');
    expect(mail.text.trim()).toBe('Plain opening line.');
    expect(mail.attachments.map((a) => a.contentType)).toEqual(['text/enriched', 'audio/basic']);
  });

  it('reads a message without any MIME header as plain text', async () => {
    const mail = await parseFixture('structure/no-content-type-header.eml');
    expect(mail.text).toBe('No MIME headers at all, just text.\nSecond line.\n');
  });

  it('skips the mbox "From " separator line of a .box file', async () => {
    const mail = await parseFixture('structure/mbox-from-line.box');
    expect(mail.from).toEqual({ address: 'vic.old@example.com', name: 'Vic Old' });
    expect(mail.subject).toBe('Saved from a mailbox file');
  });

  it('derives the text from HTML that sits inside multipart/mixed without a text part', async () => {
    const mail = await parseFixture('structure/html-only-inside-multipart-mixed.eml');
    expect(mail.text).toContain('Message: The download link is broken.');
    expect(mail.reply).toBe('Contact form\nName: Quinn\n\nMessage: The download link is broken.');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['details.txt']);
  });

  it('decodes a base64 text body, a raw UTF-8 sender name and an RFC 2231 file name', async () => {
    const mail = await parseFixture('structure/base64-text-body-and-rfc2231-filename.eml');
    expect(mail.from.name).toBe('Émile');
    expect(mail.reply).toBe('Bonjour,\n\nvoici la facture de mars.\n\nÉmile');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['facture mars 2025 été.pdf']);
  });
});

describe('SES notifications arriving as mail', () => {
  it('prints an SNS-delivered bounce as a bounce of the recipients in its JSON, with the ids of the mail we sent', async () => {
    const contract = toContractJson(await parseFixture('bounce/ses-bounce-notification-by-sns-email.eml'));
    expect(contract.classification).toEqual({
      kind: 'bounce',
      reason: 'SES bounce notification by mail (Permanent/General); 1 failed recipient',
      failedRecipients: ['moved.away@example.org'],
      permanent: true,
      originalMessageIds: [
        '<0102019601a2b3c4-5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f-000000@eu-west-1.amazonses.com>',
        '<answer-90@desk.localhost>',
      ],
      sesMessageId: '0102019601a2b3c4-5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f-000000',
    });
  });
});

describe('reply confidence', () => {
  it('is high for a reply cut at a recognised quote header', async () => {
    expect((await parseFixture('reply/gmail-text-and-html-on-wrote.eml')).replyConfidence).toBe('high');
  });

  it('is printed with the contract, right after the reply', async () => {
    const keys = Object.keys(toContractJson(await parseFixture('reply/yahoo-html-quoted.eml')));
    expect(keys.slice(keys.indexOf('reply'), keys.indexOf('reply') + 2)).toEqual(['reply', 'replyConfidence']);
  });
});

describe('threading headers', () => {
  it('splits a quoted, comma-joined References header (Exchange, iOS) into ids', async () => {
    const mail = await parseFixture('threading/references-quoted-and-comma-joined.eml');
    expect(mail.inReplyTo).toBe('<answer-50@desk.localhost>');
    expect(mail.references).toEqual(['<ack-50@desk.localhost>', '<answer-50@desk.localhost>', '<AM0PR01MB0000@example.com>']);
    expect(mail.envelopeRecipients).toEqual(['support+token@desk.localhost']);
  });

  it('brackets a bare Message-ID, drops an In-Reply-To comment and merges folded and repeated References', async () => {
    const mail = await parseFixture('threading/in-reply-to-comment-and-references-over-several-headers.eml');
    expect(mail.messageId).toBe('<bare-id-without-brackets@example.org>');
    expect(mail.inReplyTo).toBe('<answer-51@desk.localhost>');
    expect(mail.references).toEqual(['<first-51@example.org>', '<ack-51@desk.localhost>', '<answer-51@desk.localhost>']);
  });

  it('finds the desk address of forwarded mail in Delivered-To and Received "for", not in To', async () => {
    const mail = await parseFixture('threading/forwarded-to-desk-delivered-to.eml');
    expect(mail.to.map((m) => m.address)).toEqual(['helpdesk@company.example.com']);
    expect(mail.envelopeRecipients).toContain('support@desk.localhost');
  });
});

describe('malformed mail', () => {
  it('keeps the text and the partial attachment of a multipart whose closing boundary never came', async () => {
    const mail = await parseFixture('malformed/missing-closing-boundary.eml');
    expect(mail.text.trim()).toBe('The text arrives, the closing boundary never does.');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['half.bin']);
  });

  it('reads a part with an unknown transfer encoding as it is and survives a broken base64 attachment', async () => {
    const mail = await parseFixture('malformed/broken-base64-and-bogus-transfer-encoding.eml');
    expect(mail.text.trim()).toBe('This part names a transfer encoding nobody knows.');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['broken.bin']);
  });

  it('keeps unterminated encoded words as written and reports an unreadable Date instead of inventing one', async () => {
    const mail = await parseFixture('malformed/unterminated-encoded-word-and-bad-date.eml');
    expect(mail.subject).toBe('=?utf-8?Q?Half_encoded');
    expect(mail.from.address).toBe('xena@example.com');
    expect(mail.date).toBeNull();
    expect(mail.warnings).toContain('unreadable Date header: the day after tomorrow');
  });

  it('derives a stable Message-ID for mail without one and leaves the missing Date null', async () => {
    const first = await parseFixture('malformed/no-message-id-and-no-date.eml');
    const again = await parseFixture('malformed/no-message-id-and-no-date.eml');
    expect(first.messageId).toMatch(/^<derived-[0-9a-f]{32}@sesdesk\.invalid>$/);
    expect(again.messageId).toBe(first.messageId);
    expect(first.date).toBeNull();
  });

  it('drops NUL bytes from the text', async () => {
    const mail = await parseFixture('malformed/nul-byte-and-header-line-without-colon.eml');
    expect(mail.text).toBe('Text with a NUL byte in it.\n');
  });

  it('reads the body of a multipart without a boundary parameter as plain text, and separates its reply', async () => {
    const mail = await parseFixture('malformed/boundary-parameter-missing.eml');
    expect(mail.subject).toBe('Multipart without a boundary');
    expect(mail.text).toContain('> Please restart the router.');
    expect(mail.reply).toBe('Thanks, that fixed it.');
    expect(mail.warnings).toContain('multipart message without readable parts; the body was read as plain text');
  });

  it('reads the body of a multipart whose declared boundary never appears as plain text', async () => {
    const mail = await parseFixture('malformed/multipart-declared-boundary-never-used.eml');
    expect(mail.reply).toBe('The body is plain text although the header promises parts.');
  });

  it('reads the failed recipient of a delivery report whose parts have no boundary lines', async () => {
    const mail = await parseFixture('malformed/multipart-report-without-boundary-lines.eml');
    expect(mail.classification).toMatchObject({ kind: 'bounce', failedRecipients: ['quinn@example.net'], permanent: true });
  });
});
