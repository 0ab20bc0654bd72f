import { DescribeActiveReceiptRuleSetCommand, SESClient, SetActiveReceiptRuleSetCommand } from '@aws-sdk/client-ses';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createActivationHandler } from '../../lib/constructs/rule-set-activation/handler';

const ses = mockClient(SESClient);
// Unit test files share a worker's modules (isolate: false): a class-wide mock must not outlive this file.
afterAll(() => ses.restore());
const handler = createActivationHandler(new SESClient({}));
const activations = () => ses.commandCalls(SetActiveReceiptRuleSetCommand).map((call) => call.args[0].input);

function event(requestType: 'Create' | 'Update' | 'Delete', ruleSetName = 'ours'): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
    ResponseURL: 'https://example.com/response',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/SesDesk/1',
    RequestId: 'request-1',
    LogicalResourceId: 'Activation',
    ResourceType: 'Custom::SesActiveReceiptRuleSet',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider', RuleSetName: ruleSetName },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update') {
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: 'active-receipt-rule-set/ours',
      OldResourceProperties: common.ResourceProperties,
    };
  }
  return { ...common, RequestType: 'Delete', PhysicalResourceId: 'active-receipt-rule-set/ours' };
}

describe('the receipt rule set activation handler', () => {
  afterEach(() => ses.reset());

  it('activates the rule set on create', async () => {
    ses.on(SetActiveReceiptRuleSetCommand).resolves({});

    const response = await handler(event('Create'));

    expect(activations()).toEqual([{ RuleSetName: 'ours' }]);
    expect(response.PhysicalResourceId).toBe('active-receipt-rule-set/ours');
  });

  it('activates the renamed rule set on update under a new physical id', async () => {
    ses.on(SetActiveReceiptRuleSetCommand).resolves({});

    const response = await handler(event('Update', 'renamed'));

    expect(activations()).toEqual([{ RuleSetName: 'renamed' }]);
    expect(response.PhysicalResourceId).toBe('active-receipt-rule-set/renamed');
  });

  it('deactivates receiving on delete when our set is still the active one', async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves({ Metadata: { Name: 'ours' } });
    ses.on(SetActiveReceiptRuleSetCommand).resolves({});

    await handler(event('Delete'));

    // No RuleSetName: SES's way to say "no active rule set".
    expect(activations()).toEqual([{}]);
  });

  it("leaves another team's active rule set alone on delete", async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves({ Metadata: { Name: 'another-team' } });

    const response = await handler(event('Delete'));

    expect(activations()).toEqual([]);
    expect(response.PhysicalResourceId).toBe('active-receipt-rule-set/ours');
  });

  it('does nothing on delete when no rule set is active', async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves({});

    await handler(event('Delete'));

    expect(activations()).toEqual([]);
  });

  it('fails when the rule set name is missing, so CloudFormation reports it', async () => {
    await expect(handler(event('Create', ''))).rejects.toThrow('RuleSetName is required');
  });
});
