// bench: the API over a fresh DynamoDB Local that the list and search benchmarks share
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDeskRepository } from '../../functions/adapters/dynamo-desk-repository';
import type { DynamoTable } from '../../functions/adapters/dynamo-table';
import { DynamoTicketRepository } from '../../functions/adapters/dynamo-ticket-repository';
import { createApiHandler, type ApiHandler } from '../../functions/api/create-handler';
import type { ApiDeps } from '../../functions/core/api/api-ports';
import { DEFAULT_DESK_CONFIG } from '../../functions/core/config/desk-config';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import type { LocalServer } from '../local/local-server';
import { findFreePort } from '../local/ports';

/** DynamoDB Local on a free port, with a low-level and a document client to it. */
export async function startBenchDynamo(): Promise<{ dynamo: LocalServer; client: DynamoDBClient; documents: DynamoDBDocumentClient }> {
  const dynamo = await startDynamoDbLocal({ port: await findFreePort(), dataDir: null });
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
  });
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { dynamo, client, documents };
}

/** The API handler over one table with only the read routes' dependencies: any other route fails loudly if reached. */
export function benchApiHandler(table: DynamoTable): ApiHandler {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const deps = {
    config: DEFAULT_DESK_CONFIG,
    tickets: new DynamoTicketRepository(table),
    desk: new DynamoDeskRepository(table),
    clock: () => new Date(),
    log: quiet,
  };
  return createApiHandler(deps as unknown as ApiDeps);
}
