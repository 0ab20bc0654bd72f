// adapter: the single-table layout, shared by the DynamoDB repository, the local stack and the CDK table

/**
 * Key layout (one table, generic keys):
 *
 * | item            | pk                          | sk                         | gsi1 (by status)          | gsi2 (by assignee)               | gsi3 (by requester) |
 * |-----------------|-----------------------------|----------------------------|---------------------------|----------------------------------|---------------------|
 * | ticket          | TICKET#<id>                 | META                       | STATUS#<s> / <upd>#<id>   | ASSIGNEE#<who or -none-#<s>      | REQUESTER#<addr> / <created>#<id> |
 * | message         | TICKET#<id>                 | MSG#<created>#<msgId>      |                           |                                  |                     |
 * | delivery        | TICKET#<id>                 | OUT#<deliveryId>           |                           |                                  |                     |
 * | Message-ID      | MSGID#<lowercased id>       | MSGID                      |                           |                                  |                     |
 * | ingest record   | INGEST#<s3 key>             | INGEST                     | INGEST#<outcome> / <at>   |                                  |                     |
 * | desk counter    | DESK#<deskId>               | COUNTER                    |                           |                                  |                     |
 * | desk settings   | DESK#<deskId>               | SETTINGS                   |                           |                                  |                     |
 * | ticket number   | NUM#<deskId>#<n>            | NUM                        |                           |                                  |                     |
 * | subject word    | WORD#<word>                 | <created>#<ticketId>       |                           |                                  |                     |
 * | address state   | ADDR#<addr>                 | ADDR                       |                           |                                  |                     |
 * | ack rate        | RATE#<addr>#<day>           | RATE                       |                           |                                  |                     |
 *
 * Ticket views sort by last activity because gsi1sk/gsi2sk start with `updatedAt`, which every
 * write to a ticket rewrites; a status change moves the ticket to another gsi1 partition.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
} as const;

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const TABLE_INDEXES: readonly IndexDefinition[] = [
  { indexName: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  { indexName: 'byAssignee', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  { indexName: 'byRequester', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
];

/** The CreateTable input for DynamoDB Local and tests; the CDK construct builds the same shape. */
export function createTableInput(tableName: string) {
  const attributes = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...TABLE_INDEXES.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: TABLE_INDEXES.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const },
  };
}
