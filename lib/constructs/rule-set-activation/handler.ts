// infra handler: activates our SES receipt rule set; on delete, deactivates receiving only if our set is still active
import { DescribeActiveReceiptRuleSetCommand, SESClient, SetActiveReceiptRuleSetCommand } from '@aws-sdk/client-ses';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/** The part of the SES client the handler uses, so tests can pass a mock. */
export type SesSender = Pick<SESClient, 'send'>;

/** What the custom resource provider framework expects back from the event handler. */
export interface ActivationResponse {
  readonly PhysicalResourceId: string;
}

/**
 * Builds the event handler. Create/Update make `RuleSetName` the region's active set. Delete only
 * deactivates when the active set is still ours: the region has one active set, and another team may
 * have activated theirs since, which we must never switch off.
 */
export const createActivationHandler =
  (ses: SesSender) =>
  async (event: CloudFormationCustomResourceEvent): Promise<ActivationResponse> => {
    const ruleSetName = String(event.ResourceProperties.RuleSetName ?? '');
    if (!ruleSetName) throw new Error('RuleSetName is required');
    if (event.RequestType === 'Delete') {
      const active = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
      if (active.Metadata?.Name === ruleSetName) await ses.send(new SetActiveReceiptRuleSetCommand({}));
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    await ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: ruleSetName }));
    // One physical id per set: renaming the set replaces the resource, and the old one's Delete is a no-op
    // because the new set is active by then.
    return { PhysicalResourceId: `active-receipt-rule-set/${ruleSetName}` };
  };

export const handler = createActivationHandler(new SESClient({}));
