// cli: `sesdesk replay`: re-runs ingest over raw mail stored in S3 (recorded failures, everything, or given keys)
import { parseArgs } from 'node:util';
import { readFailedInvocations, writeFailedInvocations } from '../../local/async-invoker';
import { localEnv, loadDeskConfig } from '../../local/local-env';
import { createLocalRuntime } from '../../local/local-runtime';
import { LocalLog } from '../../local/local-log';
import { readLocalSecret } from '../../local/local-secret';
import { MAIL_PREFIXES } from '../../../functions/contracts';
import { replayIngest, type ReplaySelection } from '../../../functions/core/ingest/replay-ingest';
import type { S3Event } from 'aws-lambda';
import path from 'node:path';
import { decodeS3Key } from '../../../functions/ingest/create-handler';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk replay [--failed | --all | KEY...]

Re-runs ingest over raw mail stored in the local desk's bucket (the local stack must be running: \`npm start\`).
  --failed  mail whose ingest was recorded as failed, and events that failed every retry (the default)
  --all     everything under ${MAIL_PREFIXES.inbound}
  KEY...    the given object keys, e.g. inbound/q041v1u3p6g5bust1o2se9of7vf685mtivi7ci01
Safe to repeat: mail already ingested is reported as a duplicate and left alone; failed and ignored mail is
processed again with the current code. In AWS, run the same with the deployed function's code path by
invoking the ingest function with an S3 event for the key (see docs/deploy.md).`;

export const command: CliCommand = {
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: { failed: { type: 'boolean' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      });
    } catch (error) {
      console.error(`sesdesk replay: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if ([values.failed, values.all, positionals.length > 0].filter(Boolean).length > 1) {
      console.error(`sesdesk replay: choose one of --failed, --all or keys\n\n${USAGE}`);
      return 2;
    }
    const env = localEnv();
    const failureFile = path.join(env.dataDir, 'failed-events.jsonl');
    const deadLetters = await readFailedInvocations<S3Event>(failureFile);
    const selection: ReplaySelection = values.all
      ? { kind: 'all', prefix: MAIL_PREFIXES.inbound }
      : positionals.length > 0
        ? { kind: 'keys', keys: positionals }
        : { kind: 'failed' };
    try {
      const runtime = createLocalRuntime({
        endpoints: {
          dynamo: `http://127.0.0.1:${env.dynamoPort}`,
          s3: `http://127.0.0.1:${env.s3Port}`,
          ses: `http://127.0.0.1:${env.sesPort}`,
        },
        config: loadDeskConfig(env.configFile),
        tableName: env.tableName,
        bucket: env.bucket,
        secret: await readLocalSecret(env.dataDir),
        log: (service) => new LocalLog(service, env.dataDir, null),
      });
      let done = 0;
      const onResult = (key: string, result: { outcome: string; reason: string }) => {
        done += 1;
        console.error(`  [${done}] ${key}: ${result.outcome}${result.reason ? ` (${result.reason})` : ''}`);
      };
      const summary = await replayIngest(runtime.ingest, { bucket: env.bucket, selection, onResult });
      // Events that failed every retry in the local stack (its on-failure destination) are replayed too; those
      // that still fail stay in the file.
      let fromDeadLetters = 0;
      if (selection.kind === 'failed' && deadLetters.length > 0) {
        const stillFailing: typeof deadLetters = [];
        for (const entry of deadLetters) {
          const key = decodeS3Key(entry.event.Records[0]!.s3.object.key);
          const again = await replayIngest(runtime.ingest, { bucket: env.bucket, selection: { kind: 'keys', keys: [key] }, onResult });
          fromDeadLetters += again.total;
          for (const [outcome, count] of Object.entries(again.byOutcome))
            summary.byOutcome[outcome] = (summary.byOutcome[outcome] ?? 0) + count;
          if (again.byOutcome.error || again.byOutcome.failed) stillFailing.push(entry);
        }
        await writeFailedInvocations(failureFile, stillFailing);
      }
      const total = summary.total + fromDeadLetters;
      const parts = Object.entries(summary.byOutcome).map(([outcome, count]) => `${count} ${outcome}`);
      console.log(total === 0 ? 'sesdesk replay: nothing to replay' : `sesdesk replay: ${total} replayed: ${parts.join(', ')}`);
      return summary.byOutcome.error || summary.byOutcome.failed ? 1 : 0;
    } catch (error) {
      const refused = String((error as Error).message).includes('ECONNREFUSED');
      console.error(
        `sesdesk replay: ${refused ? 'the local desk is not running; start it with `npm start` first' : (error as Error).message}`,
      );
      return 1;
    }
  },
};
