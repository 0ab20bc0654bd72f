// infra: cdk-nag acknowledgements for the singleton functions CDK adds to a stack (S3 notifications, BucketDeployment)
import { type CfnResource, type Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

const BASIC_EXECUTION_ROLE = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/**
 * Acknowledges findings on functions CDK writes and configures itself, each with its reason. Findings on
 * our own resources are acknowledged next to them, in their constructs.
 */
export function acknowledgeCdkInternals(stack: Stack): void {
  const notifications = childStartingWith(stack, 'BucketNotificationsHandler');
  if (notifications) {
    Validations.of(notifications).acknowledge(
      { id: BASIC_EXECUTION_ROLE, reason: 'CDK-managed S3 notification handler; CDK builds its role with the basic execution policy.' },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'CDK-managed S3 notification handler: s3:PutBucketNotification is granted on * by CDK.',
      },
    );
  }

  const deployment = childStartingWith(stack, 'Custom::CDKBucketDeployment');
  if (deployment) {
    const siteBucket = stack.node.findAll().find((c) => c.node.path.endsWith('/Dashboard/SiteBucket/Resource'));
    const siteBucketId = siteBucket ? stack.getLogicalId(siteBucket as CfnResource) : 'SiteBucket';
    const reason = 'CDK-managed BucketDeployment function that copies the built web app from the CDK asset bucket to the site bucket.';
    Validations.of(deployment).acknowledge(
      { id: BASIC_EXECUTION_ROLE, reason },
      { id: 'AwsSolutions-L1', reason: `${reason} Its runtime is chosen by CDK.` },
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${reason} CDK's grantRead/grantReadWrite use these action groups.`,
      })),
      { id: `AwsSolutions-IAM5[Resource::<${siteBucketId}.Arn>/*]`, reason: `${reason} It replaces every object of the site bucket.` },
      { id: `AwsSolutions-IAM5[Resource::${assetBucketObjects(stack)}]`, reason: `${reason} It reads the asset it is given.` },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${reason} cloudfront:CreateInvalidation supports no narrower resource in CDK's grant.`,
      },
    );
  }
}

function childStartingWith(stack: Stack, prefix: string): IConstruct | undefined {
  return stack.node.children.find((child) => child.node.id.startsWith(prefix));
}

/** The asset bucket ARN as cdk-nag prints it: pseudo parameters for an agnostic stack, literals otherwise. */
function assetBucketObjects(stack: Stack): string {
  const qualifier = (stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ?? 'hnb659fds';
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
  return `arn:${partition}:s3:::cdk-${qualifier}-assets-${account}-${region}/*`;
}
