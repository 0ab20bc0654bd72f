// adapter: Mailer on SES v1 SendRawEmail; SES errors become MailRejectedError or MailTemporaryError
import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { MailRejectedError, MailTemporaryError, type Mailer, type SendOptions } from '../core/notify/notify-ports';

/** Errors that say this message will never be accepted as it is; anything else may pass on a retry. */
const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'MailFromDomainNotVerified',
  'InvalidParameterValue',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetDoesNotExist',
]);

export interface SesMailerOptions {
  /** Configuration set whose event destinations report bounces and complaints. */
  readonly configurationSetName?: string;
}

/** Sends raw MIME through SES; returns SES's message id (the API form, without the domain). */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly options: SesMailerOptions = {},
  ) {}

  async send(raw: Uint8Array, options: SendOptions): Promise<string> {
    try {
      const { MessageId } = await this.client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: raw },
          Source: options.from,
          Destinations: [options.to],
          ...(this.options.configurationSetName ? { ConfigurationSetName: this.options.configurationSetName } : {}),
        }),
      );
      if (!MessageId) throw new MailTemporaryError('SES accepted the message without returning a MessageId');
      return MessageId;
    } catch (error) {
      if (error instanceof MailTemporaryError) throw error;
      const name = (error as { name?: string }).name ?? 'Error';
      const message = `${name}: ${(error as Error).message ?? String(error)}`;
      if (PERMANENT.has(name)) throw new MailRejectedError(message, { cause: error });
      throw new MailTemporaryError(message, { cause: error });
    }
  }
}
