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
 * The lines SES prepends to a stored message (docs/ARCHITECTURE.md, "The local stack"). Spam and virus verdicts are
 * PASS: the stand-in scans nothing, and tests that need FAIL write the header themselves. It writes no SPF, DKIM or
 * DMARC results (`Authentication-Results: amazonses.com; none`): it has no DNS to check them against, and a missing
 * verdict means "not known", never "failed". It still writes that line, as SES always does, so a sender's own
 * `Authentication-Results: amazonses.com; dmarc=pass` right below the block is never read as SES's.
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
    'Authentication-Results: amazonses.com; none',
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

/**
 * Reads the message while it arrives, keeping at most `limit` bytes: past the limit the rest is read and dropped (the
 * client must finish its DATA before it can be refused), so memory stays bounded whatever the client sends.
 * @returns null when the message was larger than `limit`.
 */
export async function readAtMost(stream: AsyncIterable<Buffer | string>, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size <= limit) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    else if (chunks.length > 0) chunks.length = 0;
  }
  return size > limit ? null : Buffer.concat(chunks);
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
      readAtMost(stream as AsyncIterable<Buffer>, SES_MAX_MESSAGE_BYTES)
        .then(async (raw) => {
          if (raw === null || stream.sizeExceeded) throw new SmtpRejection('5.3.4 Message exceeds the 40 MB limit of SES receiving', 552);
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
