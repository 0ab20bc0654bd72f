// cli: `sesdesk parse FILE.eml`: prints the message as the ingest function sees it (contract 3)
import { readFile } from 'node:fs/promises';
import { parseEmail, toContractJson } from '../../../functions/core/email/parse-email';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk parse FILE.eml

Parses one raw email (.eml, mbox .box or plain text) and prints one JSON object on stdout:
messageId, inReplyTo, references, from, replyTo, to, cc, subject, date, text, reply, html,
attachments and classification. Malformed mail still prints JSON (exit 0); a file that
cannot be read prints an error on stderr (exit 1).`;

function describeReadError(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : String((err as Error).message);
  return `sesdesk parse: cannot read ${file}: ${reason}`;
}

export const command: CliCommand = {
  summary: 'print one email file as the JSON the ingest function sees',
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      console.log(USAGE);
      return 0;
    }
    const [file, ...extra] = args;
    if (!file || extra.length > 0) {
      console.error(USAGE);
      return 2;
    }
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (err) {
      console.error(describeReadError(file, err));
      return 1;
    }
    const mail = await parseEmail(raw);
    process.stdout.write(`${JSON.stringify(toContractJson(mail), null, 2)}\n`);
    return 0;
  },
};
