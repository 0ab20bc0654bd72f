// cli: `sesdesk open`: opens the local dashboard already signed in, through a link that carries a local token
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { issueLocalToken, LOCAL_TOKEN_LIFETIME_SECONDS } from '../../../functions/core/api/local-auth';
import { teamMember } from '../../../functions/core/config/desk-config';
import { localEnv, loadDeskConfig } from '../../local/local-env';
import { readLocalSecret } from '../../local/local-secret';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk open [--email ADDRESS] [--print]

Opens the local dashboard (http://localhost:$SESDESK_HTTP_PORT) in the browser, signed in as the first team member
of the configuration, or --email. The link carries a ${LOCAL_TOKEN_LIFETIME_SECONDS / 3600}-hour token signed with the secret in
$SESDESK_DATA_DIR/local-secret: keep it to yourself. Only the local stack accepts it; a deployed desk signs in
through Cognito and ignores it.
  --email   a team member listed in the configuration
  --print   print the link only, do not start a browser`;

/** How long the running desk gets to answer before `open` says it is not running. */
const PROBE_TIMEOUT_MS = 3_000;

/** The command that opens a URL in the default browser here. `BROWSER` wins, as in other tools. */
function browserCommand(url: string): [string, string[]] {
  if (process.env.BROWSER) return [process.env.BROWSER, [url]];
  if (process.platform === 'darwin') return ['open', [url]];
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""', url]];
  return ['xdg-open', [url]];
}

/** Starts the browser without waiting for it; false when there is none to start. */
function startBrowser(url: string): Promise<boolean> {
  const [program, programArgs] = browserCommand(url);
  return new Promise((resolve) => {
    const child = spawn(program, programArgs, { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

export const command: CliCommand = {
  async run(args) {
    let values: { email?: string; print?: boolean; help?: boolean };
    try {
      ({ values } = parseArgs({
        args,
        options: { email: { type: 'string' }, print: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      }));
    } catch (error) {
      console.error(`sesdesk open: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    try {
      const env = localEnv();
      const config = loadDeskConfig(env.configFile);
      const member = teamMember(config, values.email);
      const dashboard = `http://localhost:${env.httpPort}`;
      const token = await issueLocalToken(await readLocalSecret(env.dataDir), member);
      // The desk must be up and sign with the same secret, or the link would only lead to the sign-in page.
      const me = await fetch(`${dashboard}/api/me`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      }).catch(() => null);
      if (!me) {
        console.error(`sesdesk open: no local desk answers at ${dashboard}: start it with \`npm start\` (or set SESDESK_HTTP_PORT)`);
        return 1;
      }
      if (me.status === 401) {
        console.error(`sesdesk open: the desk at ${dashboard} keeps its data elsewhere: set SESDESK_DATA_DIR to the directory it uses`);
        return 1;
      }
      // A fragment never reaches a server or a Referer header; the dashboard removes it from the address bar.
      const link = `${dashboard}/#sign-in=${token}`;
      console.log(
        `Signed in as ${member.name} <${member.email}> for ${LOCAL_TOKEN_LIFETIME_SECONDS / 3600} hours (keep the link to yourself):\n${link}`,
      );
      if (!values.print && !(await startBrowser(link))) console.log('No browser could be started here: open the link above.');
      return 0;
    } catch (error) {
      console.error(`sesdesk open: ${(error as Error).message}`);
      return 1;
    }
  },
};
