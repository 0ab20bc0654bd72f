// cli: `sesdesk load`: sends a mix of mail to the running local desk and checks nothing was lost or doubled
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { issueLocalToken } from '../../../functions/core/api/local-auth';
import { DEFAULT_DESK_CONFIG } from '../../../functions/core/config/desk-config';
import { formatLoadReport, runLoad } from '../../local/load-generator';
import { loadDeskConfig, localEnv } from '../../local/local-env';
import { readLocalSecret } from '../../local/local-secret';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk load [--count N] [--connections M] [--timeout SECONDS]

Sends N emails (default 200) over M SMTP connections (default 4) to the running local desk (npm start):
new threads, replies to an acknowledgement's Reply-To, replies by References only, auto-replies and
bounces. Then waits until the desk settles and checks it: one ticket per new thread, every reply in its
ticket, one acknowledgement per new thread and none for auto-replies or bounces, no failed ingests.
Prints a summary table; exits 1 on any mismatch. Progress goes to stderr.
Start the desk with SESDESK_FAULTS (e.g. dynamodb=0.2,ses=0.2,seed=7) to run it under injected faults.
  --count        emails to send (default 200)
  --connections  SMTP connections (default 4)
  --timeout      longest wait for the desk to settle after the last email, in seconds (default 120)`;

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number above 0, not ${value}`);
  return n;
}

export const command: CliCommand = {
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          count: { type: 'string' },
          connections: { type: 'string' },
          timeout: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (error) {
      console.error(`sesdesk load: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    try {
      const count = positive(values.count, 200, 'count');
      const connections = positive(values.connections, 4, 'connections');
      const timeout = positive(values.timeout, 120, 'timeout');
      const env = localEnv();
      const config = existsSync(env.configFile) ? loadDeskConfig(env.configFile) : DEFAULT_DESK_CONFIG;
      const token = await issueLocalToken(await readLocalSecret(env.dataDir), config.team[0]!);
      const report = await runLoad({
        smtp: { host: '127.0.0.1', port: env.smtpPort },
        outboxUrl: `http://127.0.0.1:${env.sesPort}`,
        apiUrl: `http://127.0.0.1:${env.httpPort}`,
        token,
        deskAddress: config.desks[0]!.address,
        count,
        connections,
        settleTimeoutMs: timeout * 1000,
        progress: process.stderr,
      });
      console.log(formatLoadReport(report));
      return report.ok ? 0 : 1;
    } catch (error) {
      // fetch reports a refused connection as "fetch failed" with the reason nested in its cause.
      const hint = /fetch failed|ECONNREFUSED/.test(`${(error as Error).message} ${String((error as { cause?: unknown }).cause)}`)
        ? ' (is the desk running? start it with `npm start`)'
        : '';
      console.error(`sesdesk load: ${(error as Error).message}${hint}`);
      return 1;
    }
  },
};
