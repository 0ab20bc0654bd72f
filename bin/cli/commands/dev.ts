// cli: `sesdesk dev` (`npm start`): runs the whole desk on this machine until Ctrl-C
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { localEnv, loadDeskConfig } from '../../local/local-env';
import { startLocalStack } from '../../local/stack';
import { buildDashboard, WEB_DIST } from '../../local/web-build';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk dev [--reset] [--rebuild-web]

Starts the local stack on 127.0.0.1: DynamoDB Local, S3 (s3rver), the SES stand-in and its outbox, the SMTP
server that stands in for SES receiving, and the dashboard with its API. Data lives in $SESDESK_DATA_DIR
(default .sesdesk/) and is kept between runs.
  --reset        start with empty data
  --rebuild-web  rebuild the dashboard even if web/dist exists
Ports: SESDESK_SMTP_PORT (2525), SESDESK_HTTP_PORT (3000), SESDESK_SES_PORT (8005),
SESDESK_DYNAMODB_PORT (8006), SESDESK_S3_PORT (8007). Configuration: sesdesk.config.json (SESDESK_CONFIG).`;

export const command: CliCommand = {
  async run(args) {
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
    const started = Date.now();
    const progress = (line: string) => console.log(`  ${line}`);
    try {
      const env = localEnv();
      const config = loadDeskConfig(env.configFile);
      console.log(`sesdesk: starting the local desk (data in ${path.relative(process.cwd(), env.dataDir) || '.'})`);
      if (values['rebuild-web'] || !existsSync(path.join(WEB_DIST, 'index.html'))) {
        progress('building the dashboard (web/dist)…');
        await buildDashboard();
      }
      const stack = await startLocalStack({ env, config, reset: values.reset, webDir: WEB_DIST, progress });
      const member = config.team[0]!;
      console.log(
        [
          '',
          `  Dashboard:   ${stack.urls.dashboard}   sign in as ${member.email} with code ${stack.signInCode}`,
          `  API token:   npx sesdesk token`,
          `  SES outbox:  ${stack.urls.outbox}   (JSON: ${stack.urls.outbox}/store)`,
          `  SMTP:        ${stack.urls.smtp}   mail to ${config.desks.map((d) => d.address).join(', ')}`,
          `  Try it:      npx sesdesk send --from you@example.com --subject "Hello" --body "Help!"`,
          `  Started in ${((Date.now() - started) / 1000).toFixed(1)} s. Ctrl-C stops everything.`,
          '',
          'sesdesk ready',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          console.log(`\nsesdesk: ${signal}, stopping…`);
          stack.stop().then(resolve, (error: unknown) => {
            console.error(`sesdesk: error while stopping: ${(error as Error).message}`);
            resolve();
          });
        };
        process.once('SIGINT', () => shutdown('SIGINT'));
        process.once('SIGTERM', () => shutdown('SIGTERM'));
      });
      console.log('sesdesk: stopped');
      return 0;
    } catch (error) {
      console.error(`sesdesk dev: ${(error as Error).message}`);
      return 1;
    }
  },
};
