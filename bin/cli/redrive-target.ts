// cli: what `sesdesk redrive` works on: the local stack (DynamoDB Local and its failure file) or a deployed stack
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRedriveRepository } from '../../functions/adapters/dynamo-redrive-repository';
import { DynamoTable } from '../../functions/adapters/dynamo-table';
import { SqsFailedBatchStore } from '../../functions/adapters/sqs-failed-batch-store';
import type { FailedBatchStore, RedriveDeps } from '../../functions/core/notify/redrive';
import type { Log } from '../../functions/core/ports';
import { stackName } from '../../lib/deploy-settings';
import { STACK_OUTPUTS } from '../../lib/stack-outputs';
import { createDocumentClient } from '../local/aws-clients';
import type { LocalEnv } from '../local/local-env';
import { FileFailedBatchStore, notifyFailuresFile } from '../local/notify-failures';
import { requireOutput, stackOutputs } from './aws-stack';

export interface RedriveTarget {
  readonly deps: RedriveDeps;
  /** Where it points, for the summary line. */
  readonly description: string;
}

/** The redrive's dependencies over a table client and a failure store. */
export function createRedriveDeps(resources: {
  documents: DynamoDBDocumentClient;
  tableName: string;
  failures: FailedBatchStore;
  log: Log;
  clock?: () => Date;
}): RedriveDeps {
  return {
    deliveries: new DynamoRedriveRepository(new DynamoTable(resources.documents, resources.tableName)),
    failures: resources.failures,
    clock: resources.clock ?? (() => new Date()),
    log: resources.log,
  };
}

/** The running local stack: DynamoDB Local on its port, and the stream poller's failure file. */
export function localRedriveTarget(env: LocalEnv, log: Log): RedriveTarget {
  return {
    deps: createRedriveDeps({
      documents: createDocumentClient(`http://127.0.0.1:${env.dynamoPort}`),
      tableName: env.tableName,
      failures: new FileFailedBatchStore(notifyFailuresFile(env.dataDir)),
      log,
    }),
    description: `the local desk (${env.dataDir})`,
  };
}

/** The stack `SesDesk-<stage>`: its table and its notify failure queue, found through the stack's outputs. */
export async function awsRedriveTarget(
  stage: string,
  clients: { cloudFormation: CloudFormationClient; documents: DynamoDBDocumentClient; sqs: SQSClient },
  log: Log,
): Promise<RedriveTarget> {
  const name = stackName(stage);
  const outputs = await stackOutputs(clients.cloudFormation, name);
  return {
    deps: createRedriveDeps({
      documents: clients.documents,
      tableName: requireOutput(outputs, STACK_OUTPUTS.tableName, name),
      failures: new SqsFailedBatchStore(clients.sqs, requireOutput(outputs, STACK_OUTPUTS.notifyFailureQueueUrl, name)),
      log,
    }),
    description: `${name} in ${await clients.cloudFormation.config.region()}`,
  };
}
