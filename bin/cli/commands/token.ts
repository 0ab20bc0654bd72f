// cli: `sesdesk token [--email X]`: prints a dashboard API token for the local stack
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DESK_CONFIG, parseDeskConfig, teamMember, type DeskConfig } from '../../../functions/core/config/desk-config';
import { issueLocalToken } from '../../../functions/core/api/local-auth';
import { localDataDir, readLocalSecret } from '../../local/local-secret';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk token [--email ADDRESS] [--config FILE]

Prints a 12-hour token for the local stack's API (Authorization: Bearer <token>), signed with the secret in
$SESDESK_DATA_DIR/local-secret (default .sesdesk/). Without --email: the first team member of the configuration.
  --email   a team member listed in the configuration
  --config  the desk configuration (default sesdesk.config.json; without it, the built-in default desk)`;

function loadConfig(file: string | undefined): DeskConfig {
  const configFile = path.resolve(file ?? 'sesdesk.config.json');
  if (!existsSync(configFile)) {
    if (file) throw new Error(`${configFile} does not exist`);
    return DEFAULT_DESK_CONFIG;
  }
  return parseDeskConfig(JSON.parse(readFileSync(configFile, 'utf8')) as unknown, configFile);
}

export const command: CliCommand = {
  async run(args) {
    let values: { email?: string; config?: string; help?: boolean };
    try {
      ({ values } = parseArgs({
        args,
        options: { email: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      }));
    } catch (error) {
      console.error(`sesdesk token: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    try {
      const config = loadConfig(values.config);
      const member = teamMember(config, values.email);
      console.log(await issueLocalToken(await readLocalSecret(localDataDir()), member));
      return 0;
    } catch (error) {
      console.error(`sesdesk token: ${(error as Error).message}`);
      return 1;
    }
  },
};
