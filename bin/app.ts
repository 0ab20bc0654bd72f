// CDK entry point: `npx cdk synth|deploy -c domain=… -c stage=… -c activateRuleSet=…` (see docs/deploy.md)
import { App } from 'aws-cdk-lib';
import { addSesDeskStack } from '../lib/sesdesk-app';

const app = new App();
addSesDeskStack(app, {
  cwd: process.cwd(),
  webAssetsPath: 'web/dist',
  // No env: the template names no account, region or partition (all pseudo parameters), so `cdk synth` gives
  // the same template offline and anywhere, and `cdk deploy` deploys it to the region of the credentials in use.
});
