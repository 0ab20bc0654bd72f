// cli: `sesdesk dev` (`npm start`): runs the whole desk on this machine until Ctrl-C
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { localEnv, loadDeskConfig } from '../../local/local-env';
import { SIGN_IN_CODE_FILE } from '../../local/local-secret';
import { commandClock } from '../start-clock';
import type { startLocalStack as StartLocalStack } from '../../local/stack';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk dev [--reset] [--rebuild-web]

Starts the local stack on 127.0.0.1: DynamoDB Local, S3 (s3rver), the SES stand-in and its outbox, the SMTP
server that stands in for SES receiving, and the dashboard with its API. Data lives in $SESDESK_DATA_DIR
(default .sesdesk/) and is kept between runs, the sign-in code and the SES outbox included.
  --reset        start with empty data (a new sign-in code, an empty outbox)
  --rebuild-web  rebuild the dashboard even if web/dist was built from the current sources
Ports: SESDESK_SMTP_PORT (2525), SESDESK_HTTP_PORT (3000), SESDESK_SES_PORT (8005),
SESDESK_DYNAMODB_PORT (8006), SESDESK_S3_PORT (8007). Configuration: sesdesk.config.json (SESDESK_CONFIG).`;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export const command: CliCommand = {
  async run(args) {
    const clock = commandClock();
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: { reset: { type: 'boolean' }, 'rebuild-web': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      }));
    } catch (error) {
      console.error(`sesdesk dev: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    // Each line says when it happened, counted from the command, so a slow phase shows itself.
    const progress = (line: string) => console.log(`  ${seconds(clock.elapsedMs()).padStart(7)}  ${line}`);
    // The SDK's Node 20 notice says nothing a person starting the desk can act on.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    // One listener for the whole run: swapping listeners would leave a moment in which a signal is lost, and Ctrl-C
    // reaches DynamoDB Local (same process group) whatever happens here. While starting, or on a second signal,
    // exiting fires DynamoDB Local's exit hook, which kills the JVM; once ready, the stack stops in order.
    let onSignal = (signal: NodeJS.Signals): void => {
      console.log(`\nsesdesk: ${signal} while starting, stopped`);
      process.exit(130);
    };
    const relay = (signal: NodeJS.Signals) => onSignal(signal);
    process.on('SIGINT', relay);
    process.on('SIGTERM', relay);
    try {
      const env = localEnv();
      const config = loadDeskConfig(env.configFile);
      console.log(`sesdesk: starting the local desk (data in ${env.dataDir})`);
      if (values.reset && existsSync(env.dataDir)) {
        await rm(env.dataDir, { recursive: true, force: true });
        progress(`reset: removed ${env.dataDir}`);
      }

      // The JVM takes longest, so it starts first, while the handlers' modules load and the dashboard builds.
      const { startLocalDynamo } = await import('../../local/dynamodb-local');
      const dynamo = startLocalDynamo(env);
      // The stack reports a failure to start it; until the stack takes it, this keeps it from counting as unhandled.
      dynamo.catch(() => undefined);
      const { ensureDashboard, WEB_DIST } = await import('../../local/web-build');
      const buildStarted = clock.elapsedMs();
      const web = ensureDashboard({ force: values['rebuild-web'] }).then(
        (outcome) => {
          progress(
            outcome === 'built'
              ? `dashboard built (${WEB_DIST}) in ${seconds(clock.elapsedMs() - buildStarted)}`
              : `dashboard: ${WEB_DIST} is up to date`,
          );
          return null;
        },
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
      let startLocalStack: typeof StartLocalStack;
      try {
        ({ startLocalStack } = await import('../../local/stack'));
      } catch (error) {
        await dynamo.then((server) => server.stop()).catch(() => undefined);
        throw error;
      }
      const stack = await startLocalStack({ env, config, webDir: WEB_DIST, progress, dynamo });
      const webError = await web;
      if (webError) {
        await stack.stop();
        throw new Error(`the dashboard could not be built: ${webError.message}`, { cause: webError });
      }

      const member = config.team[0]!;
      console.log(
        [
          '',
          `  Dashboard:   ${stack.urls.dashboard}   sign in as ${member.email} with code ${stack.signInCode}`,
          `               (the code is kept in ${path.join(env.dataDir, SIGN_IN_CODE_FILE)}; --reset makes a new one)`,
          `  Signed in:   npx sesdesk open   opens the dashboard signed in as ${member.email}`,
          `  API token:   npx sesdesk token`,
          `  SES outbox:  ${stack.urls.outbox}   (JSON: ${stack.urls.outbox}/store)`,
          `  SMTP:        ${stack.urls.smtp}   mail to ${config.desks.map((d) => d.address).join(', ')}`,
          `  Try it:      npx sesdesk send --from you@example.com --subject "Hello" --body "Help!"`,
          `  Ready in ${seconds(clock.elapsedMs())} from \`${clock.command}\`. Ctrl-C stops everything.`,
          '',
          'sesdesk ready',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        onSignal = (signal) => {
          console.log(`\nsesdesk: ${signal}, stopping… (again to stop at once)`);
          onSignal = () => process.exit(130);
          stack.stop().then(resolve, (error: unknown) => {
            console.error(`sesdesk: error while stopping: ${(error as Error).message}`);
            resolve();
          });
        };
      });
      console.log('sesdesk: stopped');
      return 0;
    } catch (error) {
      console.error(`sesdesk dev: ${(error as Error).message}`);
      return 1;
    } finally {
      process.removeListener('SIGINT', relay);
      process.removeListener('SIGTERM', relay);
    }
  },
};
