// unit: composeEmail builds MIME whose headers are safe and thread, whatever the customer wrote
import { simpleParser, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeEmail, replySubject, type ComposeInput } from '../../../functions/core/notify/compose-email';
import { defaultDeskSettings } from '../../../functions/core/settings/desk-settings';
import { createReplyToken, replyAddress, verifyReplyToken } from '../../../functions/core/threading/reply-token';
import { TEST_TOKEN_KEYS } from '../../support/secret';
import { CONFIG, TICKET_ID, delivery } from './notify-fixtures';

const desk = CONFIG.desks[0]!;

function input(overrides: Partial<ComposeInput> = {}): ComposeInput {
  return {
    delivery: delivery(),
    desk,
    settings: defaultDeskSettings(desk),
    messageId: `<dlv1@${CONFIG.domain}>`,
    replyTo: replyAddress(desk.address, createReplyToken(TEST_TOKEN_KEYS, TICKET_ID)),
    unsubscribeUrl: 'https://desk.example.com/api/unsubscribe?ticket=t&address=ann%40customer.example&sig=abc',
    ticketUrl: `https://desk.example.com/#/tickets/${TICKET_ID}`,
    attachments: [],
    linkedAttachments: [],
    date: new Date('2025-01-02T03:04:05Z'),
    ...overrides,
  };
}

async function parsed(overrides: Partial<ComposeInput> = {}): Promise<{ mail: ParsedMail; raw: string }> {
  const { raw } = await composeEmail(input(overrides));
  return { mail: await simpleParser(Buffer.from(raw)), raw: Buffer.from(raw).toString('utf8') };
}

/** Header names of the top-level part, lowercased, in order. */
function headerNames(raw: string): string[] {
  const head = raw.split(/\r\n\r\n/)[0]!;
  return head.split(/\r\n(?![ \t])/).map((line) => line.split(':')[0]!.toLowerCase());
}

describe('composeEmail', () => {
  it('sends an agent reply from "<agent> via <desk>" with a Reply-To token that verifies', async () => {
    const { mail } = await parsed();

    expect(mail.from?.value).toEqual([{ name: 'Ada Agent via Acme Support', address: 'support@help.example.com' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : null).toEqual([{ name: 'Ann Customer', address: 'ann@customer.example' }]);
    const replyTo = mail.replyTo?.value[0]?.address ?? '';
    const token = /^support\+([^@]+)@help\.example\.com$/.exec(replyTo)?.[1] ?? '';
    expect(verifyReplyToken(TEST_TOKEN_KEYS, token)).toBe(TICKET_ID);
  });

  it('threads with our Message-ID, In-Reply-To and the References chain', async () => {
    const { mail } = await parsed({
      delivery: delivery({
        content: {
          ...delivery().content,
          inReplyTo: '<second@customer.example>',
          references: ['<first@customer.example>', '<ses1@email.amazonses.com>'],
        },
      }),
    });

    expect(mail.messageId).toBe('<dlv1@help.example.com>');
    expect(mail.inReplyTo).toBe('<second@customer.example>');
    expect(mail.references).toEqual(['<first@customer.example>', '<ses1@email.amazonses.com>', '<second@customer.example>']);
  });

  it('marks a reply with X-Auto-Response-Suppress and List-Unsubscribe but not Auto-Submitted', async () => {
    const { mail } = await parsed();

    expect(mail.headers.get('x-auto-response-suppress')).toBe('All');
    expect(mail.headers.has('auto-submitted')).toBe(false);
    const line = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/\r\n[ \t]+/g, ' ');
    expect(line).toBe('List-Unsubscribe: <https://desk.example.com/api/unsubscribe?ticket=t&address=ann%40customer.example&sig=abc>');
  });

  it('marks an acknowledgement Auto-Submitted: auto-replied, from the desk name alone, without unsubscribe', async () => {
    const { mail } = await parsed({
      delivery: delivery({ kind: 'ack', content: { ...delivery().content, authorName: null, body: 'My printer is on fire' } }),
      unsubscribeUrl: null,
    });

    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.from?.value[0]?.name).toBe('Acme Support');
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
    expect(mail.text).toContain('ticket #42');
    expect(mail.text).not.toContain('My printer is on fire');
  });

  it('writes exactly the expected headers and no others', async () => {
    const { raw } = await parsed();

    expect(headerNames(raw).sort()).toEqual(
      [
        'content-type',
        'from',
        'to',
        'reply-to',
        'subject',
        'message-id',
        'in-reply-to',
        'references',
        'date',
        'mime-version',
        'x-auto-response-suppress',
        'list-unsubscribe',
        'list-unsubscribe-post',
      ].sort(),
    );
  });

  it('renders the Markdown reply as HTML and text alternatives', async () => {
    const { mail } = await parsed();

    expect(mail.html).toContain('<strong>unplug</strong>');
    expect(mail.text).toContain('Please **unplug** it first.');
    expect(mail.text).toContain('Unsubscribe from this ticket');
  });

  it('keeps a hostile subject on one encoded line: no CR/LF header injection, no raw 8-bit', async () => {
    const hostile = 'Help\r\nBcc: victim@evil.example\r\n\r\n<script>x</script> ' + 'Ünïcødé 日本語 '.repeat(20);

    const { mail, raw } = await parsed({ delivery: delivery({ content: { ...delivery().content, subject: hostile } }) });

    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.bcc).toBeUndefined();
    expect(mail.subject?.startsWith('Re: Help Bcc: victim@evil.example <script>x</script> Ünïcødé 日本語')).toBe(true);
    expect(mail.subject?.endsWith('[#42]')).toBe(true);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    const head = raw.split('\r\n\r\n')[0]!;
    expect(head).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m);
    expect(/[^\x00-\x7f]/.test(head)).toBe(false);
    expect(head.split('\r\n').every((line) => line.length <= 998)).toBe(true);
  });

  it('escapes a customer subject placed in the body so it cannot add links or HTML', async () => {
    const settings = defaultDeskSettings(desk);
    settings.templates.reply.body = 'About: {{ticket.subject}}';

    const { mail } = await parsed({
      settings,
      delivery: delivery({
        content: { ...delivery().content, subject: '[click](https://evil.example) <img src=x onerror=alert(1)> # big' },
      }),
    });

    expect(mail.html).not.toContain('<a ');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<h1');
    expect(mail.html).toContain('[click](https://evil.example) &lt;img src=x onerror=alert(1)&gt; # big');
  });

  it('names the sender safely even when the agent name holds line breaks and quotes', async () => {
    const { mail } = await parsed({
      delivery: delivery({ content: { ...delivery().content, authorName: 'Eve "Boss"\r\nBcc: x@evil.example' } }),
    });

    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.from?.value).toEqual([{ name: 'Eve "Boss" Bcc: x@evil.example via Acme Support', address: 'support@help.example.com' }]);
  });

  it('attaches files and mentions those too large for email as a link', async () => {
    const { mail } = await parsed({
      attachments: [{ filename: 'log.txt', contentType: 'text/plain', content: new TextEncoder().encode('line 1\n'), cid: null }],
      linkedAttachments: [
        { filename: 'video.mp4', contentType: 'video/mp4', size: 25_000_000, inline: false, cid: null, key: 'attachments/x/video.mp4' },
      ],
    });

    expect(mail.attachments.map((a) => [a.filename, a.content.toString('utf8')])).toEqual([['log.txt', 'line 1\n']]);
    expect(mail.text).toContain(
      `Attachments too large for email: video.mp4 (25.0 MB). View them on the ticket: https://desk.example.com/#/tickets/${TICKET_ID}`,
    );
    expect(mail.html).toContain(`href="https://desk.example.com/#/tickets/${TICKET_ID}"`);
  });
});

describe('replySubject', () => {
  it('adds one "Re:" and one tag', () => {
    expect(replySubject('Printer on fire', 42)).toBe('Re: Printer on fire [#42]');
  });

  it('does not double "Re:" or the tag on a subject that already has them', () => {
    expect(replySubject('RE: Re: Printer on fire [#42]', 42)).toBe('Re: Printer on fire [#42]');
  });

  it('keeps another ticket number a customer typed', () => {
    expect(replySubject('Same as [#7]', 42)).toBe('Re: Same as [#7] [#42]');
  });

  it('gives an empty subject just the tag', () => {
    expect(replySubject(' \r\n ', 42)).toBe('Re: [#42]');
  });
});
