// adapter: the AWS SDK clients a function uses, made once per container and shared by its adapters
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A document client that drops `undefined` attributes (optional fields of core objects), over a low-level
 * client; Lambda's defaults when none is given.
 */
export function documentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
