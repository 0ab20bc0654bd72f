// cli: `sesdesk parse FILE.eml…`: prints each message as the ingest function sees it (contracts 3 and 5)
import { readFile } from 'node:fs/promises';
import { parseEmail, toContractJson } from '../../../functions/core/email/parse-email';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk parse FILE.eml [FILE.eml…]

Parses one raw email (.eml, mbox .box or plain text) and prints one JSON object on stdout:
messageId, inReplyTo, references, from, replyTo, to, cc, subject, date, text, reply,
replyConfidence, html, attachments and classification. Given several files, prints one JSON object per line, in order.
Malformed mail still prints JSON (exit 0); a file that cannot be read prints an error on stderr
and the others are still printed (exit 1).`;

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
  summary: 'print email files as the JSON the ingest function sees (one object per file)',
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      console.log(USAGE);
      return 0;
    }
    if (args.length === 0) {
      console.error(USAGE);
      return 2;
    }
    let status = 0;
    for (const file of args) {
      let raw: Buffer;
      try {
        raw = await readFile(file);
      } catch (err) {
        console.error(describeReadError(file, err));
        status = 1;
        continue;
      }
      const contract = toContractJson(await parseEmail(raw));
      // One file keeps the readable layout; several print one object per line (contract 5).
      process.stdout.write(`${args.length === 1 ? JSON.stringify(contract, null, 2) : JSON.stringify(contract)}\n`);
    }
    return status;
  },
};
