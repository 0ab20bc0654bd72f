// infra: composes the CDK app: settings from context, the stack, and the cdk-nag checks
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readDeploySettings, stackName } from './deploy-settings';
import { SesDeskStack } from './sesdesk-stack';

export interface SesDeskAppOptions {
  /** Where relative context paths (`configFile`) resolve from. */
  readonly cwd: string;
  /** Directory of the built web app; must hold `index.html`. */
  readonly webAssetsPath: string;
  /** Account and region; leave them unset for an environment-agnostic template. */
  readonly env?: Environment;
}

/**
 * Adds the sesdesk stack to `app` from its context, and registers cdk-nag's AwsSolutions pack so any
 * unacknowledged finding fails synthesis.
 * @throws Error when context or the desk configuration is missing or invalid, or the web app is not built.
 */
export function addSesDeskStack(app: App, options: SesDeskAppOptions): SesDeskStack {
  const settings = readDeploySettings((key) => app.node.tryGetContext(key), options.cwd);
  const webAssetsPath = path.resolve(options.cwd, options.webAssetsPath);
  if (!existsSync(path.join(webAssetsPath, 'index.html'))) {
    throw new Error(`The dashboard is not built (${path.join(webAssetsPath, 'index.html')} is missing): run \`npm run build:web\` first.`);
  }
  const name = stackName(settings.stage);
  const stack = new SesDeskStack(app, name, {
    stackName: name,
    settings,
    webAssetsPath,
    description: `sesdesk help desk for ${settings.domain} (stage ${settings.stage})`,
    env: options.env,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
