// local stand-in: Lambda's event filtering for the patterns the stack uses (nested fields, lists of allowed values)

/** A Lambda filter pattern: each leaf is the list of values the field may have. */
export type EventPattern = { readonly [field: string]: EventPattern | readonly (string | number | boolean)[] };

/**
 * True when the event matches the pattern as Lambda would read it: every field the pattern names exists and has
 * one of the listed values. Lambda's other operators (prefix, numeric, exists) are not used by sesdesk, and a
 * pattern using them fails here loudly rather than matching silently.
 * @example matchesPattern(NOTIFY_STREAM_FILTER, record)
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([field, rule]) => {
    const value = (event as Record<string, unknown>)[field];
    if (!Array.isArray(rule)) return matchesPattern(rule as EventPattern, value);
    return rule.some((allowed) => {
      if (typeof allowed === 'object') throw new Error(`filter operator ${JSON.stringify(allowed)} is not supported locally`);
      return value === allowed;
    });
  });
}
