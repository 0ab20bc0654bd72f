// core: an inbound email as a ticket message: its parts stored in the mail bucket, large bodies moved out of the item
import { mailKeys } from '../../contracts';
import { idForIngest } from '../ids';
import type { ParsedMail, StoredAttachment, TicketMessage } from '../types';
import type { IngestDeps, IngestInput } from './ingest-step';

/** Above this the bodies go to S3 and the item keeps a preview (DynamoDB items stop at 400 KB). */
const INLINE_BODY_LIMIT = 100_000;
const PREVIEW_LENGTH = 2_000;

/**
 * Stores the mail's attachments (and its bodies when too large for an item) and returns the message that
 * records it. Keys derive from the S3 key, so a redelivery writes the same objects again, never new ones.
 */
export async function storeInboundMessage(
  deps: Pick<IngestDeps, 'store' | 'tokenKeys'>,
  input: IngestInput,
  mail: ParsedMail,
  ticketId: string,
  threadedBy: TicketMessage['threadedBy'],
): Promise<TicketMessage> {
  const id = idForIngest(deps.tokenKeys, input.key, 'message');
  const attachments: StoredAttachment[] = [];
  for (const [index, part] of mail.attachmentContents.entries()) {
    const key = mailKeys.attachment(ticketId, id, index, part.filename);
    await deps.store.put(input.bucket, key, part.content, part.contentType);
    attachments.push({ filename: part.filename, contentType: part.contentType, size: part.size, inline: part.inline, cid: part.cid, key });
  }
  const body = { text: mail.text, reply: mail.reply, html: mail.html };
  let bodyKey: string | null = null;
  if (JSON.stringify(body).length > INLINE_BODY_LIMIT) {
    bodyKey = mailKeys.body(ticketId, id);
    await deps.store.put(input.bucket, bodyKey, JSON.stringify(body), 'application/json');
  }
  return {
    id,
    ticketId,
    direction: 'inbound',
    from: mail.from,
    to: mail.to,
    cc: mail.cc,
    subject: mail.subject,
    text: bodyKey ? mail.text.slice(0, PREVIEW_LENGTH) : mail.text,
    reply: bodyKey ? mail.reply.slice(0, PREVIEW_LENGTH) : mail.reply,
    replyConfidence: mail.replyConfidence,
    html: bodyKey ? null : mail.html,
    bodyKey,
    messageId: mail.messageId,
    threadedBy,
    classification: mail.classification,
    attachments,
    createdAt: input.receivedAt,
    rawKey: input.key,
    author: null,
  };
}
