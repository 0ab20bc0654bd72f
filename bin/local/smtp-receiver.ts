// local stack: an SMTP server standing in for SES receiving: accepts desk mail, stores it in S3 the way SES does
import { MAIL_PREFIXES } from '../../functions/contracts';
import { randomBytes } from 'node:crypto';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { findDesk, type DeskConfig } from '../../functions/core/config/desk-config';
import { base32 } from '../../functions/core/threading/reply-token';
import type { LocalServer } from './local-server';
import { LOOPBACK, assertPortFree } from './ports';

/** SES receiving rejects larger messages (headers included). */
export const SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export interface SmtpReceiverOptions {
  readonly port: number;
  readonly config: DeskConfig;
  /** Stores one raw message under `key` (the local stack writes it to the mail bucket). */
  readonly store: (key: string, raw: Buffer) => Promise<void>;
  /** Key prefix of stored mail, like the receipt rule's S3 action. @default 'inbound/' */
  readonly prefix?: string;
  readonly region?: string;
  /** Called after a message was stored, e.g. for progress output or latency measurements. */
  readonly onStored?: (key: string, envelope: { from: string; to: string[] }) => void;
  readonly portHint?: string;
}

/** An SES-style receipt id: 40 lowercase letters and digits, like `q041v1u3p6g5bust1o2se9of7vf685mtivi7ci01`. */
export function sesMessageId(): string {
  return base32(randomBytes(25), 40);
}

/**
 * The lines SES prepends to a stored message (see ../shared/reference/aws.md §1.4). Verdicts are PASS: the
 * stand-in scans nothing, and tests that need FAIL write the header themselves.
 */
export function sesReceiptHeaders(options: {
  id: string;
  mailFrom: string;
  recipient: string;
  clientHostname: string;
  remoteAddress: string;
  region: string;
  date?: Date;
}): string {
  const date = (options.date ?? new Date()).toUTCString().replace('GMT', '+0000 (UTC)');
  const from = options.mailFrom ? `<${options.mailFrom}>` : '<>';
  return [
    `Return-Path: ${from}`,
    `Received: from ${options.clientHostname} (${options.clientHostname} [${options.remoteAddress}])`,
    ` by inbound-smtp.${options.region}.amazonaws.com with SMTP id ${options.id}`,
    ` for ${options.recipient}; ${date}`,
    'X-SES-Spam-Verdict: PASS',
    'X-SES-Virus-Verdict: PASS',
    `Received-SPF: none (spfCheck: local stand-in) client-ip=${options.remoteAddress}; envelope-from=${options.mailFrom}; helo=${options.clientHostname};`,
    `Authentication-Results: amazonses.com;`,
    ` spf=none (spfCheck: local stand-in) client-ip=${options.remoteAddress}; envelope-from=${options.mailFrom}; helo=${options.clientHostname};`,
    ' dkim=none;',
    ' dmarc=none header.from=unknown;',
    '',
  ].join('\r\n');
}

class SmtpRejection extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
    this.name = 'SmtpRejection';
  }
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts the SMTP receiver on loopback. Like a receipt rule it accepts only recipients on the desk domain
 * (others are refused at RCPT TO), refuses messages over 40 MB, and stores each accepted message once, with
 * SES's headers prepended, under `inbound/<ses id>`.
 */
export async function startSmtpReceiver(options: SmtpReceiverOptions): Promise<LocalServer> {
  const { port, config, prefix = MAIL_PREFIXES.inbound, region = 'us-east-1', portHint = 'set SESDESK_SMTP_PORT' } = options;
  await assertPortFree(port, portHint);

  const server = new SMTPServer({
    name: 'inbound-smtp.local',
    banner: 'sesdesk local SES inbound stand-in',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: SES_MAX_MESSAGE_BYTES,
    logger: false,
    // Stop in a second, not SMTPServer's 30: a sending client whose message was cut off retries, as MTAs do.
    closeTimeout: 1000,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error) => void) {
      const recipient = address.address.toLowerCase();
      const onDomain = recipient.endsWith(`@${config.domain}`) && findDesk(config, recipient) !== undefined;
      callback(onDomain ? undefined : new SmtpRejection(`5.1.1 <${recipient}>: no desk at this address`, 550));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null, message?: string) => void) {
      readAll(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) throw new SmtpRejection('5.3.4 Message exceeds the 40 MB limit of SES receiving', 552);
          const id = sesMessageId();
          const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          const headers = sesReceiptHeaders({
            id,
            mailFrom,
            recipient: recipients[0] ?? '',
            clientHostname: session.clientHostname || 'localhost',
            remoteAddress: session.remoteAddress || LOOPBACK,
            region,
          });
          const key = `${prefix}${id}`;
          await options.store(key, Buffer.concat([Buffer.from(headers), raw]));
          options.onStored?.(key, { from: mailFrom, to: recipients });
          callback(null, `Message accepted as ${id}`);
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => console.error(`smtp: ${error.message}`));

  return {
    endpoint: `smtp://${LOOPBACK}:${port}`,
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
