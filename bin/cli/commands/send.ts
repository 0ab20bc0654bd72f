// cli: `sesdesk send`: sends a test email into the local desk over SMTP, like a customer's mail client
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { localEnv, loadDeskConfig } from '../../local/local-env';
import type { CliCommand } from '../main';

const USAGE = `Usage: sesdesk send [--from ADDR] [--to ADDR] [--subject TEXT] [--body TEXT] [--cc ADDR] [--in-reply-to ID]
       sesdesk send --eml FILE.eml [--from ADDR] [--to ADDR]

Sends one email to the local stack's SMTP server (localhost:$SESDESK_SMTP_PORT, default 2525).
Defaults: from customer@example.com, to the first desk address, a subject and body saying it is a test.
With --eml, the file is sent as it is (envelope from/to taken from the options or the defaults).`;

export const command: CliCommand = {
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          from: { type: 'string' },
          to: { type: 'string' },
          cc: { type: 'string', multiple: true },
          subject: { type: 'string' },
          body: { type: 'string' },
          eml: { type: 'string' },
          'in-reply-to': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (error) {
      console.error(`sesdesk send: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const env = localEnv();
    const config = loadDeskConfig(env.configFile);
    const from = values.from ?? 'customer@example.com';
    const to = values.to ?? config.desks[0]!.address;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: env.smtpPort, secure: false, ignoreTLS: true });
    try {
      const info = values.eml
        ? await transport.sendMail({ envelope: { from, to: [to] }, raw: await readFile(values.eml) })
        : await transport.sendMail({
            from,
            to,
            cc: values.cc,
            subject: values.subject ?? 'Test from sesdesk send',
            text: values.body ?? 'Hello, this is a test email sent with `npx sesdesk send`.',
            inReplyTo: values['in-reply-to'],
            references: values['in-reply-to'],
          });
      console.log(`sent to ${to}: ${info.response}`);
      return 0;
    } catch (error) {
      const message =
        (error as NodeJS.ErrnoException).code === 'ECONNREFUSED'
          ? `nothing listens on localhost:${env.smtpPort}; start the desk with \`npm start\` first`
          : (error as Error).message;
      console.error(`sesdesk send: ${message}`);
      return 1;
    } finally {
      transport.close();
    }
  },
};
