// tests: the general rules of reply extraction (languages, clients, signatures, HTML layout)
import { describe, expect, it } from 'vitest';
import { extractReply, separateReply } from '../../../functions/core/email/extract-reply';
import { extractReplyFromHtml, separateReplyFromHtml } from '../../../functions/core/email/extract-reply-html';

describe('extractReply quote headers', () => {
  it.each([
    ['German', 'Am 02.04.2012 um 18:22 schrieb Max Mustermann <max@example.de>:'],
    ['French', 'Le lun. 2 avr. 2012 à 18:22, Jean Dupont <jean@example.fr> a écrit :'],
    ['Spanish', 'El lun., 2 abr. 2012 a las 18:22, Juan <juan@example.es> escribió:'],
    ['Portuguese', 'Em seg., 2 de abr. de 2012 às 18:22, João <joao@example.pt> escreveu:'],
    ['Italian', 'Il giorno lun 2 apr 2012 alle ore 18:22 Mario <mario@example.it> ha scritto:'],
    ['Dutch', 'Op ma 2 apr. 2012 om 18:22 schreef Jan <jan@example.nl>:'],
    ['Swedish', 'Den 2 apr. 2012 kl. 18:22 skrev Sven <sven@example.se>:'],
    ['Polish (wrapped)', 'pon., 2 kwi 2012 o 18:22 Jan Kowalski <jan@example.pl>\nnapisał(a):'],
    ['Russian', '2 апреля 2012 г., 18:22 пользователь Иван <ivan@example.ru> написал:'],
    ['Japanese', '2012年4月2日(月) 18:22 Taro <taro@example.jp>:'],
    ['Chinese', '在 2012年4月2日，下午6:22，Li <li@example.cn> 写道：'],
    ['English (wrapped)', 'On Mon, Apr 2, 2012 at 6:22 PM, Bob Smith\n<bob@example.com> wrote:'],
  ])('removes the %s reply header and its quote', (_language, header) => {
    expect(extractReply(`Thanks a lot\n\n${header}\n\n> the original\n> text`)).toBe('Thanks a lot');
  });

  it('keeps replies written between quoted passages', () => {
    const text = 'On Mon, Apr 2, 2012 at 6:22 PM, Bob <bob@example.com> wrote:\n> first?\n\nYes.\n\n> second?\n\nNo.';
    expect(extractReply(text)).toBe('Yes.\n\nNo.');
  });

  it('keeps a reply written below the quote', () => {
    expect(extractReply('On 04/02/2012 06:26 PM, Bob wrote:\n> Hi\nHello')).toBe('Hello');
  });

  it('cuts an unquoted original that follows a dated reply header', () => {
    expect(extractReply('Fine.\n\nOn 2 Apr 2012 18:22, Bob <bob@example.com> wrote:\n\nOriginal text')).toBe('Fine.');
  });

  it('keeps a sentence that merely ends in "wrote:" when no quote follows', () => {
    const text = 'Here is what John wrote:\n\nthe plan is fine';
    expect(extractReply(text)).toBe(text);
  });

  it('keeps a line starting with "On" that is not a header', () => {
    const text = 'On your host run:\n\n  telnet 127.0.0.1 52698';
    expect(extractReply(text)).toBe(text);
  });
});

describe('extractReply original-message blocks', () => {
  it.each([
    [
      'Outlook',
      '________________________________\nFrom: Bob <bob@example.com>\nSent: Monday, April 2, 2012 6:22 PM\nTo: Support\nSubject: Help',
    ],
    ['Outlook (bold markers)', '*From:* Bob [mailto:bob@example.com]\n*Sent:* Monday, April 2, 2012 6:22 PM\n*To:* Support'],
    ['German Outlook', 'Von: Max <max@example.de>\nGesendet: Montag, 2. April 2012 18:22\nAn: support@example.com\nBetreff: Frage'],
    ['French Outlook', 'De : Jean <jean@example.fr>\nEnvoyé : lundi 2 avril 2012 18:22\nÀ : support@example.com\nObjet : Question'],
    ['Russian Outlook', 'От: Иван <ivan@example.ru>\nОтправлено: 2 апреля 2012 г. 18:22\nКому: support@example.com'],
    ['Original Message separator', '-----Original Message-----\nFrom: Bob\nSubject: Help'],
    ['German separator', '-----Ursprüngliche Nachricht-----\nVon: Max'],
    ['Gmail forward', '---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\nDate: Mon, Apr 2, 2012\nSubject: Help'],
    ['Apple forward', 'Begin forwarded message:\n\nFrom: Bob <bob@example.com>\nSubject: Help'],
  ])('cuts the %s block and everything after it', (_client, block) => {
    expect(extractReply(`See below\n\n${block}\n\nthe original message`)).toBe('See below');
  });

  it('keeps a lone "From:" line that is not a header block', () => {
    const text = 'Route:\nFrom: London\nvia the tunnel';
    expect(extractReply(text)).toBe(text);
  });
});

describe('extractReply signatures and footers', () => {
  it.each([
    ['Sent from my iPhone'],
    ['Sent from my Verizon Wireless BlackBerry'],
    ['Von meinem iPhone gesendet'],
    ['Envoyé de mon iPhone'],
    ['Enviado desde mi iPhone'],
    ['Verzonden vanaf mijn iPhone'],
    ['Get Outlook for Android'],
    ['iPhoneから送信'],
  ])('removes the mobile footer "%s"', (footer) => {
    expect(extractReply(`Here is another email\n\n${footer}`)).toBe('Here is another email');
  });

  it('keeps a sentence that starts like a mobile footer', () => {
    const text = 'Here is another email\n\nSent from my desk, is much easier then my mobile phone.';
    expect(extractReply(text)).toBe(text);
  });

  it('removes a "-- " signature block', () => {
    expect(extractReply('Hello there\n\n-- \nJohn Smith\nACME Corp')).toBe('Hello there');
  });

  it('keeps a "--" inside a sentence', () => {
    const text = 'Here is a fix -- this is not a signature.\n\nkthxbai';
    expect(extractReply(text)).toBe(text);
  });

  it('removes a closing contact block', () => {
    const text = 'Please ship it today.\n\nGina Smith\ngina@example.com\n(555) 346-9947\nwww.example.com';
    expect(extractReply(text)).toBe('Please ship it today.');
  });

  it('keeps a closing greeting and name', () => {
    expect(extractReply('Works now.\n\nThanks,\nAlex')).toBe('Works now.\n\nThanks,\nAlex');
  });

  it('removes a mailing-list footer below a rule', () => {
    const text = 'Answer\n\n_______________________________________________\nlist mailing list\nlist@example.com';
    expect(extractReply(text)).toBe('Answer');
  });
});

describe('extractReply input handling', () => {
  it('handles Windows line endings', () => {
    expect(extractReply('Yes\r\n\r\nOn Tue, Sep 25, 2012 at 8:59 AM, Bob <b@example.com> wrote:\r\n> q\r\n')).toBe('Yes');
  });

  it('returns an empty string for an empty body', () => {
    expect(extractReply('')).toBe('');
  });

  it('returns a plain message unchanged apart from trailing whitespace', () => {
    expect(extractReply('\nOne\n\n  - two\n   \n')).toBe('One\n\n  - two');
  });
});

describe('extractReplyFromHtml', () => {
  it('removes a Gmail quote container', () => {
    const html =
      '<div dir="ltr">Thanks<br><br><div class="gmail_quote"><div class="gmail_attr">Am Mo., 2. Apr. 2012 um 18:22 Uhr ' +
      'schrieb Max &lt;max@x.de&gt;:<br></div><blockquote class="gmail_quote">Hallo</blockquote></div></div>';
    expect(extractReplyFromHtml(html)).toBe('Thanks');
  });

  it('drops everything from an Outlook divRplyFwdMsg header', () => {
    const html = '<div>Thanks</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Bob</div><div>old</div>';
    expect(extractReplyFromHtml(html)).toBe('Thanks');
  });

  it('keeps Apple Mail interleaved answers between cite blockquotes', () => {
    const html =
      '<p>Top</p><div class="moz-cite-prefix">On 1/2/12 Bob wrote:</div><blockquote type="cite">q1</blockquote>' +
      '<p>Answer 1</p><blockquote type="cite">q2</blockquote><p>Answer 2</p>';
    expect(extractReplyFromHtml(html)).toBe('Top\nAnswer 1\nAnswer 2');
  });

  it('removes a Gmail signature container', () => {
    expect(extractReplyFromHtml('<div>Hi</div><div class="gmail_signature">John<br>CEO</div>')).toBe('Hi');
  });

  it('keeps a blockquote that no reply header introduces', () => {
    expect(extractReplyFromHtml('<p>As the poet said:</p><blockquote><p>Words.</p></blockquote>')).toBe('As the poet said:\nWords.');
  });

  it('turns an Outlook &nbsp; paragraph into an empty line', () => {
    const html = '<p class=MsoNormal>Hi<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Alex</p>';
    expect(extractReplyFromHtml(html)).toBe('Hi\n\nAlex');
  });

  it('renders lists with bullets and numbers', () => {
    const html = '<ul><li>one</li><li>two<ul><li>two.a</li></ul></li></ul><ol><li><p>first</p></li><li>second</li></ol>';
    expect(extractReplyFromHtml(html)).toBe('- one\n- two\n  - two.a\n1. first\n2. second');
  });

  it('renders table rows as tab-separated lines', () => {
    const html = '<table><tr><th>A</th> <th>B</th></tr><tr><td>1</td><td>2</td></tr></table>';
    expect(extractReplyFromHtml(html)).toBe('A\tB\n1\t2');
  });

  it('keeps preformatted text and link text', () => {
    const html = '<pre>  code\n    indented</pre><p>Visit <a href="http://x.example">our site</a>.</p>';
    expect(extractReplyFromHtml(html)).toBe('  code\n    indented\nVisit our site.');
  });

  it('skips styles, scripts and hidden elements', () => {
    const html = '<head><style>p{}</style></head><body><div style="display:none">preheader</div><script>x()</script>Hi</body>';
    expect(extractReplyFromHtml(html)).toBe('Hi');
  });
});

describe('extractReply on quote headers the clients write in less common shapes', () => {
  it('removes a sender-first header Gmail wrapped over two lines', () => {
    const text = 'Passt so.\n\nMax Mustermann <max@example.de> schrieb am Fr., 28.\nApr. 2017 um 11:53 Uhr:\n\n> Passt das so?';
    expect(extractReply(text)).toBe('Passt so.');
  });

  it('removes a wrapped sender-first header whose address is HTML-escaped, even when the original is not quoted', () => {
    const text = 'Passt so.\n\nMax &lt;max@example.de&gt; schrieb am Fr., 28.\nApr. 2017 um 11:53 Uhr:\n\nPasst das so?';
    expect(extractReply(text)).toBe('Passt so.');
  });

  it('keeps a sentence that names an address and "schrieb am" but no date, when no quote follows', () => {
    const text = 'Max <max@example.de> schrieb am Montag an alle\nFolgendes:\n\nDer Server wird neu gestartet.';
    expect(extractReply(text)).toBe(text);
  });

  it('cuts at a dashed Zoho header and the unquoted original under it', () => {
    const text = 'Done.\n\n---- On Tue, 22 Dec 2015 14:17:36 +0530 Sam <sam@example.com> wrote ----\n\nPlease check the logs.';
    expect(extractReply(text)).toBe('Done.');
  });

  it('keeps a dashed line that is not a quote header', () => {
    const text = 'Steps:\n\n---- Part one ----\n\nRestart the service.';
    expect(extractReply(text)).toBe(text);
  });

  it('reads an HTML-escaped address in a plain-text header', () => {
    const text = 'Fine.\n\nOn Mon, 31 Mar 2025 at 17:04, Support &lt;info@example.org&gt; wrote:\nPlease restart it.';
    expect(extractReply(text)).toBe('Fine.');
  });

  it('removes quote lines whose ">" plain text converted from HTML kept as "&gt;"', () => {
    expect(extractReply('Fine.\n\n&gt; Please restart it.\n&gt; Support')).toBe('Fine.');
  });

  it('cuts a forwarded message embedded under the reply', () => {
    const text =
      'See below, the customer wrote to me directly.\n\n---------- Forwarded message ---------\nFrom: Bea <bea@example.com>\nDate: Mon, 31 Mar 2025 at 17:04\nSubject: Printer\nTo: Ann <ann@example.com>\n\nThe printer is broken.';
    expect(extractReply(text)).toBe('See below, the customer wrote to me directly.');
  });

  it.each([
    ['a Gmail tracking mark (U+1427)', 'Thanks!\n\n\u1427'],
    ['zero-width and no-break spaces', 'Thanks!\n\u200b\n\u00a0\n\ufeff'],
    ['a lone delimiter', 'Thanks!\n\n--'],
    ['delimiters and a tracking mark', 'Thanks!\n\n____\n\u1427\n'],
  ])('drops trailing lines of only %s', (_what, text) => {
    expect(extractReply(text)).toBe('Thanks!');
  });
});

describe('separateReply confidence', () => {
  it('is high when the reply was cut at a recognised quote header', () => {
    expect(separateReply('Yes.\n\nOn Mon, 31 Mar 2025 at 17:04, Bob <bob@example.com> wrote:\n> Ok?')).toEqual({
      reply: 'Yes.',
      confidence: 'high',
    });
  });

  it('is high for a message with nothing quoted', () => {
    expect(separateReply('The printer is on fire.')).toEqual({ reply: 'The printer is on fire.', confidence: 'high' });
  });

  it('is low when a header the extractor did not trust stays in the reply', () => {
    const separated = separateReply('See what John wrote:\n\nthe plan is fine\n\nFrom: John <john@example.com>\nTo: team@example.com');
    expect(separated.confidence).toBe('low');
    expect(separated.reply).toContain('See what John wrote:');
  });

  it('is none when everything is quoted', () => {
    expect(separateReply('On Mon, 31 Mar 2025 at 17:04, Bob <bob@example.com> wrote:\n> Ok?\n> Really?')).toEqual({
      reply: '',
      confidence: 'none',
    });
  });

  it('is high for an empty body', () => {
    expect(separateReply('')).toEqual({ reply: '', confidence: 'high' });
  });

  it('reads HTML the same way', () => {
    expect(separateReplyFromHtml('<div>Yes.</div><div class="gmail_quote">On Mon, Bob wrote:<blockquote>Ok?</blockquote></div>')).toEqual({
      reply: 'Yes.',
      confidence: 'high',
    });
  });
});
