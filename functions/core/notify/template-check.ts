// core: templates checked before they are saved: unknown placeholders and broken `{{…}}` are refused by name
import { InvalidInputError } from '../errors';
import { TEMPLATE_PLACEHOLDERS, type DeskSettings, type DeskTemplate, type TemplateName } from '../settings/desk-settings';
import { mailBodyOf } from './compose-email';
import { renderTemplate, type RenderedTemplate, type TemplateValues } from './templates';

/** Placeholders each template may use: an acknowledgement carries no unsubscribe link. */
export function placeholdersOf(name: TemplateName): readonly string[] {
  return name === 'ack' ? TEMPLATE_PLACEHOLDERS.filter((p) => p !== 'unsubscribe.url') : TEMPLATE_PLACEHOLDERS;
}

const OPENING = /\{\{/g;
const WHOLE = /^\{\{\s*([a-zA-Z][\w.]*)\s*\}\}/;

/**
 * What is wrong with one text of a template, one line each, naming the placeholder as written: `{{ticket.numbr}}` is
 * not a placeholder; `{{ticket.number` is not closed.
 * @example templateTextProblems('#{{ticket.numbr}}', ['ticket.number']) // ['unknown placeholder {{ticket.numbr}} …']
 */
export function templateTextProblems(text: string, allowed: readonly string[]): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(OPENING)) {
    const rest = text.slice(match.index);
    const whole = WHOLE.exec(rest);
    if (!whole) {
      const shown = rest.slice(0, 30).split('\n')[0]!;
      problems.push(`"${shown}" is not a placeholder: write {{name}} with one of ${allowed.join(', ')}`);
      continue;
    }
    if (!allowed.includes(whole[1]!)) {
      problems.push(`unknown placeholder {{${whole[1]}}}; known: ${allowed.join(', ')}`);
    }
  }
  return problems;
}

/**
 * Refuses settings whose templates would reach a customer with a placeholder left literally in them.
 * @throws InvalidInputError listing every problem as `templates.<name>.<subject|body>: …`.
 */
export function checkTemplates(settings: Pick<DeskSettings, 'templates'>): void {
  const problems: string[] = [];
  for (const [name, template] of Object.entries(settings.templates) as [TemplateName, DeskTemplate][]) {
    for (const field of ['subject', 'body'] as const) {
      for (const problem of templateTextProblems(template[field], placeholdersOf(name)))
        problems.push(`templates.${name}.${field}: ${problem}`);
    }
  }
  if (problems.length > 0) throw new InvalidInputError(problems.join('; '));
}

/** Sample values for a preview: what a real email would carry, with made-up names. */
export const SAMPLE_VALUES: TemplateValues = {
  'ticket.number': { text: '42' },
  'ticket.subject': { text: 'Printer on fire' },
  'note.text': { markdown: 'Thanks for writing. Please **unplug** the printer first.' },
  'agent.name': { text: 'Ada Agent' },
  'author.name': { text: 'Ann Lee' },
  'desk.name': { text: 'Support' },
  'customer.name': { text: 'Ann Lee' },
  'customer.firstName': { text: 'Ann' },
  'unsubscribe.url': { url: 'https://desk.example.com/api/unsubscribe?ticket=sample' },
  'ticket.url': { url: 'https://desk.example.com/#/tickets/sample' },
};

/** A template rendered for a preview: what the mail's subject, Markdown body and text/plain part would be. */
export interface TemplatePreview extends RenderedTemplate {
  readonly text: string;
}

/**
 * Renders a template with sample values, after checking it as saving would.
 * @throws InvalidInputError naming each unknown or broken placeholder.
 */
export async function previewTemplate(
  name: TemplateName,
  template: DeskTemplate,
  desk: { readonly name: string },
): Promise<TemplatePreview> {
  const problems = (['subject', 'body'] as const).flatMap((field) =>
    templateTextProblems(template[field], placeholdersOf(name)).map((p) => `${field}: ${p}`),
  );
  if (problems.length > 0) throw new InvalidInputError(problems.join('; '));
  const rendered = renderTemplate(template, { ...SAMPLE_VALUES, 'desk.name': { text: desk.name } });
  return { ...rendered, text: (await mailBodyOf(rendered.markdown)).text };
}
