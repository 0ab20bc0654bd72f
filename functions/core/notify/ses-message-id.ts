// core: the Message-ID header SES writes for a message it accepted, so customer replies find their ticket

/**
 * SES replaces our Message-ID with `<id@email.amazonses.com>` in us-east-1 and `<id@REGION.amazonses.com>`
 * elsewhere; replies carry that form in In-Reply-To/References.
 * @example sesHeaderMessageId('0100019d43e5f632-…-000000', 'eu-west-1') // '<0100019d43e5f632-…-000000@eu-west-1.amazonses.com>'
 */
export function sesHeaderMessageId(sesMessageId: string, region: string): string {
  const domain = region === 'us-east-1' ? 'email.amazonses.com' : `${region}.amazonses.com`;
  return `<${sesMessageId.toLowerCase()}@${domain}>`;
}
