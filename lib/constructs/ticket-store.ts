// infra: the ticket table, built from the same key and index constants the repository and local stack use
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV, TABLE_INDEXES, TABLE_KEYS } from '../../functions/contracts';
import type { AppFunction } from './app-function';

/** The item-level actions the functions use; no Scan of the whole table, no table management. */
const DATA_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

/** The single table of tickets, messages, deliveries and Message-ID index items. */
export class TicketStore extends Construct {
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    const key = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: key(TABLE_KEYS.partitionKey),
      sortKey: key(TABLE_KEYS.sortKey),
      billing: dynamodb.Billing.onDemand(),
      globalSecondaryIndexes: TABLE_INDEXES.map((index) => ({
        indexName: index.indexName,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      })),
      // The notify function reads both images to tell a new delivery from a status change.
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Gives a function the table: its name in `TABLE_NAME` and item reads and writes ({@link grantData}). */
  connect(fn: AppFunction): void {
    fn.setEnv(ENV.tableName, this.table.tableName);
    this.grantData(fn.fn);
  }

  /**
   * Grants item reads and writes on the table and its indexes, naming each index ARN instead of `index/*`.
   */
  grantData(grantee: iam.IGrantable): void {
    const indexArns = TABLE_INDEXES.map((index) => `${this.table.tableArn}/index/${index.indexName}`);
    iam.Grant.addToPrincipal({ grantee, actions: DATA_ACTIONS, resourceArns: [this.table.tableArn, ...indexArns] });
  }
}
