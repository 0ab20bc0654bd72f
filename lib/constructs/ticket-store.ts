// infra: the ticket table, built from the same key and index constants the repository and local stack use
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV, TABLE_ACCESS, TABLE_INDEXES, TABLE_KEYS, type IndexName, type TableAction } from '../../functions/contracts';
import type { AppFunction } from './app-function';

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

  /**
   * Gives a function the table: its name in `TABLE_NAME`, and exactly the actions and indexes its contract
   * lists in `TABLE_ACCESS` ({@link grantData}).
   * @throws Error for a function without a contract: what it may do with the table would be unknown.
   */
  connect(fn: AppFunction): void {
    if (!fn.contract) throw new Error(`${fn.node.path} has no contract: the table is granted per TABLE_ACCESS entry`);
    fn.setEnv(ENV.tableName, this.table.tableName);
    this.grantData(fn.fn, TABLE_ACCESS[fn.contract]);
  }

  /** Grants `actions` on the table, and Query on each of `indexes` by its own ARN (never `index/*`). */
  grantData(grantee: iam.IGrantable, access: { readonly actions: readonly TableAction[]; readonly indexes: readonly IndexName[] }): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: access.actions.map((action) => `dynamodb:${action}`),
      resourceArns: [this.table.tableArn],
    });
    if (access.indexes.length > 0) {
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['dynamodb:Query'],
        resourceArns: access.indexes.map((name) => `${this.table.tableArn}/index/${name}`),
      });
    }
  }
}
