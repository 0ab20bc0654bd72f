// unit: composeEmail builds MIME whose headers are safe and thread, whatever the customer wrote
import { simpleParser, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { bareSubject, composeEmail, newSubject, type ComposeInput } from '../../../functions/core/notify/compose-email';
import { defaultDeskSettings, parseDeskSettings, parseSubmittedDeskSettings } from '../../../functions/core/settings/desk-settings';
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

  it('marks a reply with X-Auto-Response-Suppress and one-click List-Unsubscribe (RFC 8058) but not Auto-Submitted', async () => {
    const { mail } = await parsed();

    expect(mail.headers.get('x-auto-response-suppress')).toBe('All');
    expect(mail.headers.has('auto-submitted')).toBe(false);
    const line = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/\r\n[ \t]+/g, ' ');
    expect(line).toBe('List-Unsubscribe: <https://desk.example.com/api/unsubscribe?ticket=t&address=ann%40customer.example&sig=abc>');
    // Without List-Unsubscribe-Post a client's one-click POST is not offered and gateways would GET the link.
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('marks an acknowledgement Auto-Submitted: auto-replied, from the desk name alone, without unsubscribe', async () => {
    const { mail } = await parsed({
      delivery: delivery({ kind: 'ack', content: { ...delivery().content, authorName: null, body: 'My printer is on fire' } }),
      unsubscribeUrl: null,
    });

    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.from?.value[0]?.name).toBe('Acme Support');
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
    expect(mail.headers.has('list-unsubscribe-post')).toBe(false);
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
    expect(mail.text).toContain('Please unplug it first.');
    expect(mail.text).toMatch(/Unsubscribe from this ticket \[https:\/\/desk\.example\.com\/api\/unsubscribe\?ticket=/);
  });

  it('writes the text/plain part as readable text: no Markdown markup from the template or the agent', async () => {
    const body = 'See **ticket #1** and run `lpstat -t`:\n\n- first\n- _second_\n\n# Steps\n\n[the manual](https://example.com/manual)';

    const { mail } = await parsed({ delivery: delivery({ content: { ...delivery().content, body } }) });

    expect(mail.text).toContain('See ticket #1 and run lpstat -t:');
    expect(mail.text).toMatch(/\* first\n \* second/);
    expect(mail.text).toContain('Steps');
    expect(mail.text).toContain('the manual [https://example.com/manual]');
    expect(mail.text).not.toMatch(/\*\*|`|__|\]\(|^#/m);
    expect(mail.html).toContain('<strong>ticket #1</strong>');
  });

  it('relays a customer reply as text: their Markdown-looking words are not interpreted, and says who wrote', async () => {
    const { mail } = await parsed({
      delivery: delivery({
        kind: 'relay',
        content: { ...delivery().content, authorName: 'Bob', body: 'It **still** burns [here](https://evil.example)' },
      }),
    });

    expect(mail.from?.value[0]?.name).toBe('Bob via Acme Support');
    expect(mail.html).not.toContain('<strong>');
    expect(mail.html).not.toContain('href="https://evil.example"');
    expect(mail.text).toContain('Bob wrote:');
    expect(mail.text).toContain('It **still** burns [here](https://evil.example)');
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
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
    expect(mail.text).toContain('Attachments too large for email: video.mp4 (25.0 MB). View them on the ticket');
    expect(mail.text).toContain(`[https://desk.example.com/#/tickets/${TICKET_ID}]`);
    expect(mail.html).toContain(`href="https://desk.example.com/#/tickets/${TICKET_ID}"`);
  });
});

describe('newSubject', () => {
  it('gives the first email of a ticket the desk opened its subject and tag, without "Re:"', async () => {
    expect(newSubject('Re: Your order [#7]')).toBe('Your order [#7]');
    const { mail } = await parsed({ delivery: delivery({ content: { ...delivery().content, inReplyTo: null, references: [] } }) });
    expect(mail.subject).toBe('Printer on fire [#42]');
    expect(mail.inReplyTo).toBeUndefined();
  });
});

describe('subjects', () => {
  const subjectOf = async (subject: string, settings = defaultDeskSettings(desk), kind: 'ack' | 'reply' | 'agent-notice' = 'reply') =>
    (await parsed({ settings, delivery: delivery({ kind, content: { ...delivery().content, subject } }) })).mail.subject;

  it('makes the default subject a reply tagged with the ticket: one "Re:" and one tag', async () => {
    expect(await subjectOf('Printer on fire')).toBe('Re: Printer on fire [#42]');
    expect(await subjectOf('Printer on fire', undefined, 'ack')).toBe('Re: Printer on fire [#42]');
  });

  it("gives a team notification the ticket's tagged reply subject, whatever the desk's templates say", async () => {
    const custom = parseSubmittedDeskSettings(desk, { templates: { reply: { subject: 'Answer', body: '{{note.text}}' } } });
    expect(await subjectOf('RE: Printer on fire [#42]', custom, 'agent-notice')).toBe('Re: Printer on fire [#42]');
  });

  it('does not double "Re:" or the tag on a subject that already has them', async () => {
    expect(await subjectOf('RE: Re: Printer on fire [#42]')).toBe('Re: Printer on fire [#42]');
  });

  it('keeps another ticket number a customer typed', async () => {
    expect(await subjectOf('Same as [#7]')).toBe('Re: Same as [#7] [#42]');
  });

  it('gives an empty subject just the tag', async () => {
    expect(await subjectOf(' \r\n ')).toBe('Re: [#42]');
    const bare = defaultDeskSettings(desk);
    bare.templates.reply.subject = '{{ticket.subject}}';
    expect(await subjectOf('', bare)).toBe('[#42]');
  });

  it('uses a customised acknowledgement subject as written, with no "Re:" in front', async () => {
    const settings = defaultDeskSettings(desk);
    settings.templates.ack.subject = '[#{{ticket.number}}] We got it: {{ticket.subject}}';

    expect(await subjectOf('Re: Printer on fire', settings, 'ack')).toBe('[#42] We got it: Printer on fire');
  });

  it('gives templates the subject without reply prefixes and the ticket tag', () => {
    expect(bareSubject('AW: sv: Printer\r\non fire [#42] [#42]', 42)).toBe('Printer on fire');
  });
});

describe('settings saved before subjects were used as written', () => {
  it('keep sending the subjects they sent: "Re:" and the tag are written into them when read', () => {
    const stored = {
      deskId: 'support',
      templates: {
        ack: { subject: '{{ticket.subject}}', body: 'Thanks' },
        reply: { subject: 'Re: Update on {{ticket.subject}} [#{{ticket.number}}]', body: '{{note.text}}' },
      },
      updatedAt: '2026-01-01T00:00:00.000Z',
    };

    const settings = parseDeskSettings(desk, stored);

    expect(settings.templates.ack.subject).toBe('Re: {{ticket.subject}} [#{{ticket.number}}]');
    expect(settings.templates.reply.subject).toBe('Re: Update on {{ticket.subject}} [#{{ticket.number}}]');
    expect(settings.templates.participantAdded.subject).toBe(defaultDeskSettings(desk).templates.participantAdded.subject);
    expect(settings.templateVersion).toBe(2);
    // Read again (as saved now), nothing changes.
    expect(parseDeskSettings(desk, settings)).toEqual(settings);
  });

  it('leave what a person submits now as written, whatever version the request names', () => {
    const submitted = { templates: { ack: { subject: '{{ticket.subject}}', body: 'Thanks' } }, templateVersion: 1 };

    expect(parseSubmittedDeskSettings(desk, submitted).templates.ack.subject).toBe('{{ticket.subject}}');
  });
});
