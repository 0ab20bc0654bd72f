// parseEmail on messages built byte by byte: charsets, ids, dates, addresses, attachments
import { describe, expect, it } from 'vitest';
import { parseEmail, toContractJson } from '../../../functions/core/email/parse-email';
import { parseMailDate } from '../../../functions/core/email/parse/mail-date';
import { parseIdList } from '../../../functions/core/email/parse/message-ids';
import { bytesIn, mail, plain } from './build-mail';

describe('charsets', () => {
  it('decodes RFC 2047 subjects and names in B and Q form', async () => {
    const parsed = await parseEmail(
      mail(
        'From: =?iso-8859-1?Q?J=FCrgen_M=FCller?= <J@Example.com>\r\nSubject: =?utf-8?B?w5xiZXJwcsO8ZnVuZw==?= =?utf-8?Q?_l=C3=A4uft?=\r\n\r\nbody',
      ),
    );
    expect(parsed.subject).toBe('Überprüfung läuft');
    expect(parsed.from).toEqual({ address: 'j@example.com', name: 'Jürgen Müller' });
  });

  it.each([
    ['iso-8859-2', 'Příliš žluťoučký kůň'],
    ['windows-1251', 'Привет, мир'],
    ['koi8-r', 'Привет, мир'],
    ['big5', '繁體中文測試'],
    ['shift_jis', '日本語のテスト'],
    ['iso-8859-7', 'Καλημέρα'],
    ['windows-1250', 'Zażółć gęślą jaźń'],
  ])('decodes a %s body', async (charset, text) => {
    const parsed = await parseEmail(
      plain(`Subject: t\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n`, bytesIn(charset, text)),
    );
    expect(parsed.text.trim()).toBe(text);
    expect(parsed.warnings).toEqual([]);
  });

  it('reads a body declared UTF-8 but written in windows-1252 as windows-1252', async () => {
    const parsed = await parseEmail(plain('Content-Type: text/plain; charset=utf-8\r\n', bytesIn('windows-1252', 'Grüße – “quoted” €5')));
    expect(parsed.text.trim()).toBe('Grüße – “quoted” €5');
    expect(parsed.warnings.join(' ')).toMatch(/declared utf-8 but is not; read as windows-1252/);
  });

  it('reads a quoted-printable body declared us-ascii with 8-bit bytes as windows-1252', async () => {
    const parsed = await parseEmail(
      plain('Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: quoted-printable\r\n', 'Fr=F6sche und K=E4se'),
    );
    expect(parsed.text.trim()).toBe('Frösche und Käse');
  });

  it('reads UTF-8 bytes mislabelled as iso-8859-1 as UTF-8', async () => {
    const parsed = await parseEmail(plain('Content-Type: text/plain; charset=iso-8859-1\r\n', Buffer.from('Grüße aus Köln', 'utf8')));
    expect(parsed.text.trim()).toBe('Grüße aus Köln');
  });

  it('uses the HTML meta charset when the MIME label is wrong', async () => {
    const html = Buffer.concat([
      Buffer.from('<html><head><meta charset="windows-1251"></head><body><p>'),
      bytesIn('windows-1251', 'Привет'),
      Buffer.from('</p></body></html>'),
    ]);
    const parsed = await parseEmail(plain('Content-Type: text/html; charset=utf-8\r\n', html));
    expect(parsed.html).toContain('Привет');
    expect(parsed.reply).toContain('Привет');
  });

  it('reads raw 8-bit latin-1 headers and UTF-8 encoded words that hold latin-1 bytes', async () => {
    const parsed = await parseEmail(
      mail('From: "J', Uint8Array.from([0xfc]), 'rgen" <j@example.com>\r\nSubject: =?utf-8?Q?Fr=F6sche?=\r\nTo: b@example.com\r\n\r\nhi'),
    );
    expect(parsed.from.name).toBe('Jürgen');
    expect(parsed.subject).toBe('Frösche');
  });

  it('keeps a message with a unknown charset label readable', async () => {
    const parsed = await parseEmail(plain('Content-Type: text/plain; charset=x-no-such-charset\r\n', bytesIn('windows-1252', 'café')));
    expect(parsed.text.trim()).toBe('café');
  });
});

describe('ids and dates', () => {
  it('splits References joined by commas, quoted, or spread over several headers, without duplicates', async () => {
    const parsed = await parseEmail(
      mail(
        'From: a@example.com\r\nMessage-ID: bare@example.com\r\nIn-Reply-To: <b@x> (comment)\r\nReferences: "<a@x>,<b@x>"\r\nReferences: <b@x>\r\n <c@x>\r\n\r\nhi',
      ),
    );
    expect(parsed.messageId).toBe('<bare@example.com>');
    expect(parsed.inReplyTo).toBe('<b@x>');
    expect(parsed.references).toEqual(['<a@x>', '<b@x>', '<c@x>']);
    expect(parseIdList('a@x, b@y')).toEqual(['<a@x>', '<b@y>']);
  });

  it('derives the same Message-ID for a message without one after SES prepends headers', async () => {
    const body =
      'From: a@example.com\r\nTo: support@desk.example\r\nSubject: Help\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nMy printer is on fire.\r\n';
    const first = await parseEmail(mail(body));
    const redelivered = await parseEmail(
      mail('Return-Path: <a@example.com>\r\nX-SES-Spam-Verdict: PASS\r\nReceived: from x by y\r\n', body),
    );
    const other = await parseEmail(mail(body.replace('on fire', 'fine')));
    expect(first.messageIdDerived).toBe(true);
    expect(first.messageId).toMatch(/^<derived-[0-9a-f]{32}@sesdesk\.invalid>$/);
    expect(redelivered.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    expect(first.warnings).toContain('no Message-ID header; derived from content');
  });

  it('returns null, never "now", for a missing or unreadable Date', async () => {
    expect((await parseEmail(mail('From: a@example.com\r\n\r\nhi'))).date).toBeNull();
    const garbled = await parseEmail(mail('From: a@example.com\r\nDate: next Tuesday-ish\r\n\r\nhi'));
    expect(garbled.date).toBeNull();
    expect(garbled.warnings.join(' ')).toMatch(/unreadable Date header/);
  });

  it('reads RFC 5322 dates with obsolete zones, comments and two-digit years', () => {
    expect(parseMailDate('Thu, 13 Jun 2013 17:03:48 -0400')?.toISOString()).toBe('2013-06-13T21:03:48.000Z');
    expect(parseMailDate('13 Jun 13 17:03 PDT (Pacific)')?.toISOString()).toBe('2013-06-14T00:03:00.000Z');
    expect(parseMailDate('2024-02-03T04:05:06Z')?.toISOString()).toBe('2024-02-03T04:05:06.000Z');
    expect(parseMailDate('31 Feb 2024 10:00:00 +0000')).toBeNull();
  });
});

describe('addresses', () => {
  it('falls back from From to Sender to Return-Path, and to an empty mailbox', async () => {
    expect((await parseEmail(mail('Sender: "Desk Bot" <Bot@Example.com>\r\n\r\nhi'))).from).toEqual({
      address: 'bot@example.com',
      name: 'Desk Bot',
    });
    expect((await parseEmail(mail('Return-Path: <bounce@example.com>\r\n\r\nhi'))).from.address).toBe('bounce@example.com');
    expect((await parseEmail(mail('Subject: x\r\n\r\nhi'))).from).toEqual({ address: '', name: '' });
  });

  it('collects envelope recipients from To, Cc, Delivered-To, X-Original-To, Envelope-To and Received "for"', async () => {
    const parsed = await parseEmail(
      mail(
        'Received: from mx by inbound-smtp.us-east-1.amazonaws.com with SMTP id abc\r\n for <Support+TOKEN@desk.example>; Mon, 1 Jan 2024 10:00:00 +0000\r\n',
        'Delivered-To: d@desk.example\r\nX-Original-To: o@desk.example\r\nEnvelope-To: e@desk.example\r\nX-Envelope-To: <x@desk.example>\r\n',
        'From: a@example.com\r\nTo: "Team" <Team@desk.example>, group: g1@desk.example, g2@desk.example;\r\nCc: c@desk.example, team@desk.example\r\n\r\nhi',
      ),
    );
    expect(parsed.to.map((m) => m.address)).toEqual(['team@desk.example', 'g1@desk.example', 'g2@desk.example']);
    expect(parsed.envelopeRecipients.sort()).toEqual(
      [
        'c@desk.example',
        'd@desk.example',
        'e@desk.example',
        'g1@desk.example',
        'g2@desk.example',
        'o@desk.example',
        'support+token@desk.example',
        'team@desk.example',
        'x@desk.example',
      ].sort(),
    );
  });
});

describe('bodies and attachments', () => {
  const related = mail(
    'From: a@example.com\r\nSubject: pics\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n',
    '--outer\r\nContent-Type: multipart/related; boundary="rel"\r\n\r\n',
    '--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p onclick="x()">Look: <img src="cid:logo@x"><script>alert(1)</script><a href="javascript:alert(1)">x</a></p>\r\n',
    '--rel\r\nContent-Type: image/png; name="logo.png"\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n',
    '--rel--\r\n',
    '--outer\r\nContent-Type: application/pdf; name="invoice.pdf"\r\nContent-Disposition: attachment; filename="invoice.pdf"\r\nContent-ID: <pdf@x>\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n',
    '--outer\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.com\r\nSubject: inner\r\n\r\ninner body\r\n',
    '--outer--\r\n',
  );

  it('tells inline cid images from real attachments and keeps an embedded message as an .eml attachment', async () => {
    const parsed = await parseEmail(related);
    expect(parsed.attachments).toEqual([
      { filename: 'logo.png', contentType: 'image/png', size: 8, inline: true, cid: 'logo@x' },
      { filename: 'invoice.pdf', contentType: 'application/pdf', size: 8, inline: false, cid: 'pdf@x' },
      expect.objectContaining({ filename: 'forwarded-message.eml', contentType: 'message/rfc822', inline: false, cid: null }),
    ]);
    expect(Buffer.from(parsed.attachmentContents[1]?.content ?? []).toString()).toBe('%PDF-1.4');
  });

  it('sanitises the HTML, keeps cid images, and derives text and reply from an HTML-only message', async () => {
    const parsed = await parseEmail(related);
    expect(parsed.html).toContain('src="cid:logo@x"');
    expect(parsed.html).not.toMatch(/script|onclick|javascript/i);
    expect(parsed.text).toContain('Look:');
    expect(parsed.reply).toContain('Look:');
  });

  it('prints only the contract fields', async () => {
    const json = toContractJson(await parseEmail(related));
    expect(Object.keys(json)).not.toContain('attachmentContents');
    expect(Object.keys(json)).not.toContain('warnings');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('decodes x-uuencode attachments', async () => {
    const png = Buffer.from('\x89PNG\r\n\x1a\nhello', 'latin1');
    const line =
      String.fromCharCode(32 + png.length) +
      [...Array(Math.ceil(png.length / 3)).keys()]
        .map((i) => {
          const [a = 0, b = 0, c = 0] = png.subarray(i * 3, i * 3 + 3);
          return [a >> 2, ((a & 3) << 4) | (b >> 4), ((b & 15) << 2) | (c >> 6), c & 63]
            .map((v) => String.fromCharCode(v === 0 ? 96 : v + 32))
            .join('');
        })
        .join('');
    const parsed = await parseEmail(
      mail(
        'From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee file\r\n--b\r\n',
        `Content-Type: image/png; name=x.png\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x.png\r\n${line}\r\n\`\r\nend\r\n--b--\r\n`,
      ),
    );
    expect(Buffer.from(parsed.attachmentContents[0]?.content ?? []).equals(png)).toBe(true);
  });
});
