// CDK entry point: `npx cdk synth|deploy -c domain=… -c activateRuleSet=…` (see docs/deploy.md)
import { App } from 'aws-cdk-lib';
import { addSesDeskStack } from '../lib/sesdesk-app';

const app = new App();
addSesDeskStack(app, {
  cwd: process.cwd(),
  webAssetsPath: 'web/dist',
  // Set by the cdk CLI from the active profile; unset offline, which keeps synth credential-free.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
