// adapter: opaque list cursors made from index entry keys, checked on the way back in
import type { TableKey } from '../contracts';
import { InvalidInputError } from '../core/errors';

/** The index partition a list reads: the cursor must point back into it. */
export interface CursorPartition {
  readonly pkName: string;
  readonly skName: string;
  readonly pk: string;
}

/** An index entry's key as base64url JSON. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * A cursor back to its key. It must have exactly the key attributes of the index, point into the same partition
 * and name an item `isItemKey` accepts, so a cursor cannot steer the Query elsewhere (another view, another item type).
 * @throws InvalidInputError for anything else.
 */
export function decodeCursor(cursor: string, partition: CursorPartition, isItemKey: (key: TableKey) => boolean): TableKey {
  const invalid = () => new InvalidInputError('cursor: not a cursor this list gave out (start again without one)');
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  const record = value as Record<string, unknown>;
  const expected = ['pk', 'sk', partition.pkName, partition.skName].sort();
  const names = Object.keys(record).sort();
  if (names.length !== expected.length || names.some((name, i) => name !== expected[i])) throw invalid();
  if (Object.values(record).some((v) => typeof v !== 'string')) throw invalid();
  if (record[partition.pkName] !== partition.pk || !isItemKey(record as unknown as TableKey)) throw invalid();
  return record as unknown as TableKey;
}
