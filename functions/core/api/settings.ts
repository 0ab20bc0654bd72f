// core: use cases for a desk's settings (email templates and options)
import type { Desk } from '../config/desk-config';
import { InvalidInputError, NotFoundError } from '../errors';
import { checkTemplates, previewTemplate, type TemplatePreview } from '../notify/template-check';
import { checkIntakeRules } from '../workflow/intake-rules';
import { parseSubmittedDeskSettings, type DeskSettings, type DeskTemplate, type TemplateName } from '../settings/desk-settings';
import type { ApiDeps } from './api-ports';
import type { Agent } from './auth';

function deskById(deps: ApiDeps, deskId: string): Desk {
  const desk = deps.config.desks.find((d) => d.id === deskId);
  if (!desk) throw new NotFoundError(`desk ${deskId} does not exist`);
  return desk;
}

/** The desk's settings, or its defaults when nobody saved any. @throws NotFoundError for an unknown desk. */
export function getDeskSettings(deps: ApiDeps, deskId: string): Promise<DeskSettings> {
  deskById(deps, deskId);
  return deps.settings.getSettings(deskId);
}

/**
 * Validates and saves a desk's settings; missing parts take the defaults.
 * @throws NotFoundError for an unknown desk; InvalidInputError when the body names another desk or a template uses an
 *   unknown or broken placeholder (each named); ZodError for an invalid field.
 */
export async function saveDeskSettings(deps: ApiDeps, agent: Agent, deskId: string, input: unknown): Promise<DeskSettings> {
  const desk = deskById(deps, deskId);
  const given = (input ?? {}) as { deskId?: unknown };
  if (given.deskId !== undefined && given.deskId !== deskId) throw new InvalidInputError(`deskId: must be ${deskId}, the desk in the path`);
  const settings: DeskSettings = { ...parseSubmittedDeskSettings(desk, input), updatedAt: deps.clock().toISOString() };
  checkTemplates(settings);
  checkIntakeRules(settings.rules, deps.config.team);
  await deps.settings.saveSettings(settings);
  deps.log.info('desk settings saved', { deskId, by: agent.email });
  return settings;
}

/**
 * A template rendered with sample values, as the settings page previews it.
 * @throws NotFoundError for an unknown desk; InvalidInputError naming an unknown or broken placeholder.
 */
export function previewDeskTemplate(deps: ApiDeps, deskId: string, name: TemplateName, template: DeskTemplate): Promise<TemplatePreview> {
  return previewTemplate(name, template, deskById(deps, deskId));
}
