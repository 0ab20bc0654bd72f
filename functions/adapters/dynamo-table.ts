// adapter: the one table helper the repositories share: reads in batches, transactions with named items, retries
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type PutCommandInput,
  type QueryCommandInput,
  type ScanCommandInput,
  type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { TableKey } from '../contracts';

export type Item = Record<string, unknown>;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type WithoutTable<K extends keyof TransactItem> = Omit<NonNullable<TransactItem[K]>, 'TableName'>;

/** One write of a transaction, without the table name (the helper adds it). */
export type TableWrite =
  | { readonly Put: WithoutTable<'Put'> }
  | { readonly Update: WithoutTable<'Update'> }
  | { readonly Delete: WithoutTable<'Delete'> }
  | { readonly ConditionCheck: WithoutTable<'ConditionCheck'> };

/** A transaction element with a name, so a failed condition can be reported by what it guards. */
export interface NamedItem {
  readonly name: string;
  readonly write: TableWrite;
}

/** An item from a stream record's image (DynamoDB JSON), or null when the record has no such image. */
export function itemFromStreamImage(image: Record<string, unknown> | undefined): Item | null {
  return image ? unmarshall(image as Parameters<typeof unmarshall>[0]) : null;
}

/** BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_LIMIT = 100;
/** Rounds of re-requesting keys DynamoDB left unprocessed (throttling) before giving up. */
const UNPROCESSED_ROUNDS = 8;
/** Attempts of a transaction cancelled only by conflicts with other transactions in flight. */
const CONFLICT_ATTEMPTS = 3;

/**
 * A conditional write found the item not as expected. `names` are the transaction items whose conditions
 * failed (one for a single write); `oldItems` holds their stored values when DynamoDB returned them.
 */
export class ConditionFailedError extends Error {
  constructor(
    readonly names: readonly string[],
    readonly oldItems: ReadonlyMap<string, Item>,
    options?: ErrorOptions,
  ) {
    super(`condition failed on ${names.join(', ')}`, options);
    this.name = 'ConditionFailedError';
  }

  /** True when the named item's condition is among those that failed. */
  failed(name: string): boolean {
    return this.names.includes(name);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The single DynamoDB table, as every repository reads and writes it. */
export class DynamoTable {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** One item by key, read consistently; null when absent. */
  async get(key: TableKey): Promise<Item | null> {
    const { Item: item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return item ?? null;
  }

  /**
   * Many items by key, read consistently, in requests of 100 keys; duplicates are asked once and missing
   * items are simply absent. Keys DynamoDB leaves unprocessed are asked again with backoff.
   * @throws Error when keys are still unprocessed after the last round.
   */
  async batchGet(wanted: readonly TableKey[]): Promise<Item[]> {
    const unique = [...new Map(wanted.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
    const found: Item[] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let pending: TableKey[] = unique.slice(start, start + BATCH_GET_LIMIT);
      for (let round = 0; pending.length > 0; round += 1) {
        if (round > UNPROCESSED_ROUNDS) throw new Error(`DynamoDB left ${pending.length} keys unprocessed after retries`);
        if (round > 0) await sleep(Math.min(1000, 50 * 2 ** round));
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(result.Responses?.[this.tableName] ?? []));
        pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as TableKey[];
      }
    }
    return found;
  }

  /** Every item of a Query, following pages past 1 MB. */
  async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Every item of a Scan, page by page (operators' tools only: a scan reads the whole table). */
  async *scan(input: Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>): AsyncIterable<Item> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      yield* page.Items ?? [];
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** One page of a Query. */
  async queryPage(input: Omit<QueryCommandInput, 'TableName'>): Promise<{ items: Item[]; lastKey: Record<string, unknown> | null }> {
    const page = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName }));
    return { items: page.Items ?? [], lastKey: page.LastEvaluatedKey ?? null };
  }

  /** Counts a Query's items (all pages). */
  async count(input: Omit<QueryCommandInput, 'TableName' | 'Select'>): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ ...input, TableName: this.tableName, Select: 'COUNT', ExclusiveStartKey: start }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  /** @throws ConditionFailedError (named `name`) when the put's condition fails. */
  async put(name: string, input: Omit<PutCommandInput, 'TableName'>): Promise<void> {
    try {
      await this.client.send(new PutCommand({ ...input, TableName: this.tableName }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConditionFailedError([name], new Map(), { cause: error });
      throw error;
    }
  }

  /** @throws ConditionFailedError (named `name`) when the update's condition fails. */
  async update(name: string, input: Omit<UpdateCommandInput, 'TableName'>): Promise<Item | null> {
    try {
      const { Attributes } = await this.client.send(new UpdateCommand({ ...input, TableName: this.tableName }));
      return Attributes ?? null;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConditionFailedError([name], new Map(), { cause: error });
      throw error;
    }
  }

  /**
   * Writes all items or none. A transaction cancelled only because another transaction touched the same items
   * is tried again (it wrote nothing); failed conditions are reported by item name.
   * @throws ConditionFailedError naming the items whose conditions failed.
   */
  async transact(items: readonly NamedItem[]): Promise<void> {
    if (items.length === 0) return;
    const request = new TransactWriteCommand({ TransactItems: items.map((item) => this.withTable(item.write)) });
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.send(request);
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.flatMap((reason, i) => (reason.Code === 'ConditionalCheckFailed' ? [i] : []));
        if (failed.length > 0) {
          const oldItems = new Map<string, Item>();
          for (const i of failed) {
            const old = reasons[i]?.Item;
            if (old) oldItems.set(items[i]!.name, unmarshall(old));
          }
          throw new ConditionFailedError(
            failed.map((i) => items[i]!.name),
            oldItems,
            { cause: error },
          );
        }
        const onlyConflicts = reasons.every((reason) => reason.Code === 'None' || reason.Code === 'TransactionConflict');
        if (!onlyConflicts || attempt >= CONFLICT_ATTEMPTS) throw error;
        await sleep(25 * 2 ** attempt);
      }
    }
  }

  private withTable(write: TableWrite): TransactItem {
    const [kind, part] = Object.entries(write)[0] as [string, object];
    return { [kind]: { ...part, TableName: this.tableName } };
  }
}

/** A put that creates the item, and fails if one with its key exists. */
export function putNew(name: string, item: Item): NamedItem {
  return { name, write: { Put: { Item: item, ConditionExpression: 'attribute_not_exists(pk)' } } };
}
