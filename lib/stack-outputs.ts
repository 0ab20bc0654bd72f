// infra contract: the stack outputs tools read (`sesdesk deploy` prints the DNS records, `sesdesk redrive` finds the table)

/** Output keys of the stack; kept apart from the stack so the CLI reads them without loading CDK. */
export const STACK_OUTPUTS = {
  dnsRecords: 'DnsRecords',
  tableName: 'TableName',
  notifyFailureQueueUrl: 'NotifyFailureQueueUrl',
  dashboardUrl: 'DashboardUrl',
  userPoolId: 'UserPoolId',
  receiptRuleSetName: 'ReceiptRuleSetName',
} as const;
