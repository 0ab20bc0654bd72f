// unit: templates fill placeholders, escape customer text and leave unknown placeholders alone
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderTemplate } from '../../../functions/core/notify/templates';
import { defaultDeskSettings, deskSettingsSchema, parseDeskSettings } from '../../../functions/core/settings/desk-settings';

describe('renderTemplate', () => {
  it('fills known placeholders, with or without spaces inside the braces', () => {
    const out = renderTemplate(
      { subject: '{{ticket.subject}}', body: 'Ticket #{{ ticket.number }} by {{agent.name}}' },
      {
        'ticket.subject': { text: 'Printer' },
        'ticket.number': { text: '42' },
        'agent.name': { text: 'Ada' },
      },
    );

    expect(out).toEqual({ subject: 'Printer', markdown: 'Ticket #42 by Ada' });
  });

  it('leaves unknown placeholders as written', () => {
    expect(renderTemplate({ subject: 's', body: 'Hi {{customer.nickname}}' }, {}).markdown).toBe('Hi {{customer.nickname}}');
  });

  it('inserts the agent reply as Markdown but customer text escaped', () => {
    const out = renderTemplate(
      { subject: 's', body: '{{note.text}} / {{ticket.subject}}' },
      {
        'note.text': { markdown: '**bold**' },
        'ticket.subject': { text: '**not bold**' },
      },
    );

    expect(marked.parse(out.markdown, { async: false })).toBe('<p><strong>bold</strong> / **not bold**</p>\n');
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['[link](https://evil.example)'],
    ['![img](https://evil.example/x.png)'],
    ['<script>alert(1)</script>'],
    ['# heading'],
    ['1. list'],
    ['https://evil.example/autolink'],
    ['www.evil.example'],
    ['mail me at eve@evil.example'],
    ['`code` and *em* and ~~del~~'],
  ])('shows %s as plain text', (input) => {
    const html = marked.parse(escapeMarkdown(input), { async: false });

    expect(html).not.toMatch(/<(a|img|script|h1|ol|code|em|del)\b/);
    expect(
      html
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'"),
    ).toBe(`<p>${input}</p>\n`);
  });

  it('keeps line breaks as breaks inside one paragraph', () => {
    expect(marked.parse(escapeMarkdown('one\n# two'), { async: false })).toBe('<p>one<br># two</p>\n');
  });
});

describe('desk settings', () => {
  it('gives defaults that validate and use only known placeholders', () => {
    const settings = defaultDeskSettings({ id: 'support' });

    expect(deskSettingsSchema.parse(settings)).toEqual(settings);
    expect(settings.templates.ack.body).toContain('#{{ticket.number}}');
    expect(settings.templates.ack.body).not.toContain('{{note.text}}');
    expect(settings.templates.reply.body).toContain('{{note.text}}');
    expect(settings.templates.participantAdded.body).toContain('{{unsubscribe.url}}');
  });

  it('fills a partial stored object with the defaults', () => {
    const settings = parseDeskSettings(
      { id: 'support' },
      { templates: { ack: { subject: 'Got it', body: 'Thanks' } }, templateVersion: 2 },
    );

    expect(settings.templates.ack).toEqual({ subject: 'Got it', body: 'Thanks' });
    expect(settings.templates.reply).toEqual(defaultDeskSettings({ id: 'support' }).templates.reply);
    expect(settings.ackEnabled).toBe(true);
  });

  it('rejects an empty template body', () => {
    expect(() => parseDeskSettings({ id: 'support' }, { templates: { reply: { subject: 'x', body: '' } } })).toThrow(
      'body must not be empty',
    );
  });
});
