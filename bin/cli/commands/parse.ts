// cli: `sesdesk parse FILE.eml…`: prints each message as the ingest function sees it (contracts 3 and 5)
import { readFile } from 'node:fs/promises';
import { parseEmail, toContractJson } from '../../../functions/core/email/parse-email';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk parse FILE.eml [FILE.eml…]

Parses raw emails (.eml, mbox .box or plain text) and prints, for one file, one JSON object on stdout:
messageId, inReplyTo, references, from, replyTo, to, cc, subject, date, text, reply, replyConfidence,
html, attachments and classification. For several files, one JSON object per line, in the order given.
Malformed mail still prints JSON (exit 0); a file that cannot be read prints an error on stderr
(exit 1; with several files the others are still parsed).`;

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
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      console.log(USAGE);
      return 0;
    }
    if (args.length === 0) {
      console.error(USAGE);
      return 2;
    }
    // One file keeps the indented form people read; several give JSON Lines for scripts.
    const indent = args.length === 1 ? 2 : undefined;
    let unreadable = 0;
    // A reader that stops early (`sesdesk parse *.eml | head`) ends the run quietly instead of with an EPIPE stack.
    let readerGone = false;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      readerGone = true;
    });
    for (const file of args) {
      if (readerGone) break;
      let raw: Buffer;
      try {
        raw = await readFile(file);
      } catch (err) {
        console.error(describeReadError(file, err));
        unreadable += 1;
        continue;
      }
      const mail = await parseEmail(raw);
      process.stdout.write(`${JSON.stringify(toContractJson(mail), null, indent)}\n`);
    }
    return unreadable === 0 ? 0 : 1;
  },
};
