// web: how many tickets a refresh asks for, so a poll keeps what "load more" already showed
/** The API's page limits (docs/api.md). */
export const PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/**
 * One request re-reads everything shown (up to the API's maximum), so the list and its cursor stay
 * consistent: merging a fresh first page into older pages would drop tickets pushed past it.
 */
export function refreshLimit(shown: number): number {
  return Math.min(MAX_PAGE_SIZE, Math.max(PAGE_SIZE, shown));
}
