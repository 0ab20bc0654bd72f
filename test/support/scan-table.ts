// test support: reading a table back, for tests that check what a run left behind
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys, TICKET_ITEM_PREFIXES } from '../../functions/contracts';

/** Every item in the table, page by page, read consistently (tests only: a scan). */
export async function scanTable(documents: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A ticket's delivery items, in key order, read consistently. */
export async function deliveriesOf(
  documents: DynamoDBDocumentClient,
  tableName: string,
  ticketId: string,
): Promise<Record<string, unknown>[]> {
  const { Items } = await documents.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :out)',
      ExpressionAttributeValues: { ':pk': keys.ticket(ticketId).pk, ':out': TICKET_ITEM_PREFIXES.delivery },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}
