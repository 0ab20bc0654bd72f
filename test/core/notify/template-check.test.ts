import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors';
import { checkTemplates, previewTemplate, templateTextProblems } from '../../../functions/core/notify/template-check';
import { defaultDeskSettings, TEMPLATE_PLACEHOLDERS } from '../../../functions/core/settings/desk-settings';

describe('template checks', () => {
  it('accept the default templates', () => {
    expect(() => checkTemplates(defaultDeskSettings({ id: 'support' }))).not.toThrow();
  });

  it('name an unknown placeholder exactly as written', () => {
    const settings = defaultDeskSettings({ id: 'support' });
    const broken = { ...settings, templates: { ...settings.templates, reply: { subject: 'Re', body: 'Ticket #{{ticket.numbr}}' } } };
    expect(() => checkTemplates(broken)).toThrow(InvalidInputError);
    expect(() => checkTemplates(broken)).toThrow(
      /^templates\.reply\.body: unknown placeholder \{\{ticket\.numbr\}\}; known: ticket\.number/,
    );
  });

  it('refuse an unclosed or malformed placeholder', () => {
    expect(templateTextProblems('Hi {{customer.firstName', TEMPLATE_PLACEHOLDERS)).toEqual([
      expect.stringMatching(/^"\{\{customer\.firstName" is not a placeholder/),
    ]);
    expect(templateTextProblems('{{ 1abc }}', TEMPLATE_PLACEHOLDERS)).toHaveLength(1);
    expect(templateTextProblems('{{ ticket.number }} and {{customer.name}}', TEMPLATE_PLACEHOLDERS)).toEqual([]);
  });

  it('refuse an unsubscribe link in the acknowledgement, which has none', () => {
    const settings = defaultDeskSettings({ id: 'support' });
    const ack = { subject: '{{ticket.subject}}', body: '[stop]({{unsubscribe.url}})' };
    expect(() => checkTemplates({ templates: { ...settings.templates, ack } })).toThrow(
      /templates\.ack\.body: unknown placeholder \{\{unsubscribe\.url\}\}/,
    );
  });

  it('preview with sample values, customer names included', async () => {
    const rendered = await previewTemplate(
      'reply',
      { subject: '{{ticket.subject}}', body: 'Hi {{customer.firstName}}, #{{ticket.number}}' },
      { name: 'Acme' },
    );
    expect(rendered.text).toBe('Hi Ann, #42');
    await expect(previewTemplate('reply', { subject: 'x', body: '{{ticket.numbr}}' }, { name: 'Acme' })).rejects.toThrow(
      /\{\{ticket\.numbr\}\}/,
    );
  });
});
