// cli: reading a deployed sesdesk stack (its outputs) and turning AWS SDK failures into messages a person can act on
import { DescribeStacksCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';

/** The outputs of a deployed stack, by key. @throws Error naming the stack when it does not exist. */
export async function stackOutputs(client: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  let stacks: Stack[];
  try {
    ({ Stacks: stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? '')) {
      throw new Error(
        `There is no stack ${stackName} in ${await client.config.region()}: deploy it first, or name the right stage and region.`,
        { cause: error },
      );
    }
    throw error;
  }
  return Object.fromEntries(
    (stacks[0]?.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [])),
  );
}

/** The output `key` of a stack, or an error saying which output is missing. */
export function requireOutput(outputs: Record<string, string>, key: string, stackName: string): string {
  const value = outputs[key];
  if (!value) throw new Error(`Stack ${stackName} has no output ${key}: redeploy it with this version of sesdesk.`);
  return value;
}

/** A one-line explanation of an AWS SDK failure: missing credentials and unreachable endpoints say what to do. */
export function explainAwsError(error: unknown): string {
  const { name = '', message = String(error) } = (error ?? {}) as { name?: string; message?: string };
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(message)) {
    return `no AWS credentials (${message}); configure them (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID)`;
  }
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|socket hang up|NetworkingError|TimeoutError/i.test(`${name} ${message}`)) {
    return `AWS could not be reached (${message}); check the network and the region`;
  }
  if (/Region is missing|region/i.test(message) && /missing/i.test(message)) {
    return 'no AWS region: pass --region or set AWS_REGION';
  }
  return message;
}
