// web: the template placeholders, mirrored from the core (which pulls in zod) and kept equal by test/web
/** Same list as `TEMPLATE_PLACEHOLDERS` in functions/core/settings/desk-settings.ts. */
export const TEMPLATE_PLACEHOLDERS = [
  'ticket.number',
  'ticket.subject',
  'note.text',
  'agent.name',
  'desk.name',
  'customer.name',
  'customer.firstName',
  'unsubscribe.url',
  'ticket.url',
  'author.name',
] as const;
