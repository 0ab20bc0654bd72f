// infra: a Lambda-backed custom resource that activates a receipt rule set without ever disabling someone else's
import { fileURLToPath } from 'node:url';
import { type CfnResource, CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ses from 'aws-cdk-lib/aws-ses';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { AppFunction } from './app-function';

export interface RuleSetActivationProps {
  /** The set to make the region's active receipt rule set. */
  readonly ruleSet: ses.IReceiptRuleSet;
}

/**
 * Makes `ruleSet` the active receipt rule set. CloudFormation has no "active" property and
 * `AwsCustomResource` can only make one fixed call on delete (`SetActiveReceiptRuleSet` with no name turns
 * off receiving for the whole region), so a small handler checks which set is active before deactivating.
 */
export class RuleSetActivation extends Construct {
  public readonly handler: AppFunction;
  public readonly provider: cr.Provider;

  constructor(scope: Construct, id: string, props: RuleSetActivationProps) {
    super(scope, id);

    this.handler = new AppFunction(this, 'Handler', {
      entry: fileURLToPath(new URL('./rule-set-activation/handler.ts', import.meta.url)),
      serviceName: 'sesdesk-rule-set-activation',
      description: 'Activates the sesdesk receipt rule set; deactivates on delete only if it is still active',
      timeout: Duration.minutes(1),
    });
    this.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // SES receipt rule set APIs have no resource-level permissions: `*` is the only valid resource.
        actions: ['ses:SetActiveReceiptRuleSet', 'ses:DescribeActiveReceiptRuleSet'],
        resources: ['*'],
      }),
    );

    Validations.of(this.handler.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ses:SetActiveReceiptRuleSet and ses:DescribeActiveReceiptRuleSet support no resource-level permissions.',
    });

    this.provider = new cr.Provider(this, 'Provider', { onEventHandler: this.handler.fn });
    const handlerId = Stack.of(this).getLogicalId(this.handler.fn.node.defaultChild as CfnResource);
    Validations.of(this.provider).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "The custom-resource provider framework's own function; CDK builds its role with the basic execution policy.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`,
        reason: 'The provider framework may invoke any version of our handler function, and only that function.',
      },
    );
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::SesActiveReceiptRuleSet',
      properties: { RuleSetName: props.ruleSet.receiptRuleSetName },
    });
    // Deleted before the set: SES refuses to delete the active set.
    resource.node.addDependency(props.ruleSet);
  }
}
