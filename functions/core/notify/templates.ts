// core: desk email templates: `{{placeholder}}` substitution with values escaped for Markdown
import type { DeskTemplate } from '../settings/desk-settings';

/** A placeholder value: `markdown` is inserted as written (the agent's own Markdown), `text` is escaped. */
export type TemplateValue = { readonly text: string } | { readonly markdown: string } | { readonly url: string };

export type TemplateValues = Readonly<Record<string, TemplateValue>>;

const PLACEHOLDER = /\{\{\s*([a-zA-Z][\w.]*)\s*\}\}/g;
/** Every ASCII punctuation character CommonMark lets a backslash escape. */
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+\-.!<>|~&"':;=$%^?@,/]/g;

/** What a rendered template gives: the subject and the Markdown body (the text/plain part is made from its HTML). */
export interface RenderedTemplate {
  readonly subject: string;
  readonly markdown: string;
}

/**
 * Fills a template. Unknown placeholders stay as written, so a typo shows up in the sent mail instead of
 * vanishing. Text from customers (subjects, names, their words) is escaped so it can only ever render as
 * text: no links, images, HTML or headings can be smuggled in through a subject line.
 * @example renderTemplate({ subject: '{{ticket.subject}}', body: 'Hi {{agent.name}}' }, { 'agent.name': { text: 'Ada' } })
 */
export function renderTemplate(template: DeskTemplate, values: TemplateValues): RenderedTemplate {
  const plain = (whole: string, name: string): string => {
    const value = values[name];
    if (!value) return whole;
    return 'text' in value ? value.text : 'url' in value ? value.url : value.markdown;
  };
  return {
    subject: template.subject.replace(PLACEHOLDER, plain),
    markdown: template.body.replace(PLACEHOLDER, (whole, name: string) => {
      const value = values[name];
      if (!value) return whole;
      if ('markdown' in value) return value.markdown;
      if ('url' in value) return encodeUrlForMarkdown(value.url);
      return escapeMarkdown(value.text);
    }),
  };
}

/**
 * Escapes text so Markdown shows it literally. Line breaks are kept as hard breaks inside the paragraph, so
 * a customer's multi-line text cannot start a heading, list or block of its own.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`))
    .join('  \n');
}

/** Percent-encodes what could end a Markdown link destination early (spaces, parentheses, angle brackets). */
function encodeUrlForMarkdown(url: string): string {
  return url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
