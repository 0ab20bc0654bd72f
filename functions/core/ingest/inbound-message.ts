// core: an inbound email as a ticket message: its parts stored in the mail bucket, large bodies moved out of the item
import { mailKeys } from '../../contracts';
import { neutralizeBidi } from '../email/display-names';
import { idForIngest } from '../ids';
import { senderAuthenticity } from '../threading/sender-trust';
import type { Mailbox, ParsedMail, StoredAttachment, TicketMessage } from '../types';
import { forwardedAuthenticity } from './ingest-forwarded';
import type { IngestDeps, IngestInput } from './ingest-step';

/** Above this the bodies go to S3 and the item keeps a preview (DynamoDB items stop at 400 KB). */
const INLINE_BODY_LIMIT = 100_000;
const PREVIEW_LENGTH = 2_000;
/** Attachment uploads in flight at once: a mail with hundreds of parts must not take one round trip each in turn. */
const PUT_CONCURRENCY = 8;

/** How the message sits on its ticket beyond its threading rule. */
export interface InboundPlacement {
  /** Why the message waits for an agent; null when it does not. */
  readonly held?: string | null;
  /** Further notices for agents (a reused Message-ID). */
  readonly notices?: readonly string[];
  /** Another email already holds this Message-ID. */
  readonly idTaken?: boolean;
  /** The team member who forwarded the customer's mail in: SES's verdicts are about them, not about the customer. */
  readonly forwardedBy?: Mailbox;
}

/** True when SES found a virus in the mail: its parts go to quarantine. */
export function virusFound(mail: ParsedMail): boolean {
  return mail.verdicts.virus !== null && mail.verdicts.virus.toUpperCase() === 'FAIL';
}

/**
 * Stores the mail's attachments (under quarantine when SES found a virus; and its bodies when too large for an item) and
 * returns the message that records it, with SES's verdicts, what a parser limit dropped, and whether it is held. Keys
 * derive from the S3 key, so a redelivery writes the same objects again, never new ones.
 */
export async function storeInboundMessage(
  deps: Pick<IngestDeps, 'store' | 'tokenKeys'>,
  input: IngestInput,
  mail: ParsedMail,
  ticketId: string,
  threadedBy: TicketMessage['threadedBy'],
  placement: InboundPlacement = {},
): Promise<TicketMessage> {
  const id = idForIngest(deps.tokenKeys, input.key, 'message');
  const quarantined = virusFound(mail);
  const attachments: StoredAttachment[] = mail.attachmentContents.map((part, index) => ({
    filename: neutralizeBidi(part.filename),
    contentType: part.contentType,
    size: part.size,
    inline: part.inline,
    cid: part.cid,
    key: (quarantined ? mailKeys.quarantined : mailKeys.attachment)(ticketId, id, index, part.filename),
    ...(quarantined ? { quarantined: true } : {}),
  }));
  let next = 0;
  const upload = async (): Promise<void> => {
    for (let i = next++; i < attachments.length; i = next++) {
      const part = mail.attachmentContents[i]!;
      await deps.store.put(input.bucket, attachments[i]!.key, part.content, part.contentType);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUT_CONCURRENCY, attachments.length) }, upload));
  const body = { text: mail.text, reply: mail.reply, html: mail.html };
  let bodyKey: string | null = null;
  if (JSON.stringify(body).length > INLINE_BODY_LIMIT) {
    bodyKey = mailKeys.body(ticketId, id);
    await deps.store.put(input.bucket, bodyKey, JSON.stringify(body), 'application/json');
  }
  const notices = [...mail.dropped, ...(quarantined && attachments.length > 0 ? [QUARANTINE_NOTICE] : []), ...(placement.notices ?? [])];
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
    authentication: mail.authentication,
    authenticity: placement.forwardedBy ? forwardedAuthenticity(placement.forwardedBy) : senderAuthenticity(mail.authentication),
    ...(placement.forwardedBy ? { forwardedBy: placement.forwardedBy } : {}),
    ...(placement.held ? { held: true, heldReason: placement.held } : {}),
    ...(placement.idTaken ? { messageIdTaken: true } : {}),
    ...(notices.length > 0 ? { notices } : {}),
  };
}

const QUARANTINE_NOTICE =
  'SES found a virus in this email: its attachments are quarantined and download only after you confirm. They are never sent on.';
