// core: use case: one stored raw email → parsed, classified, threaded and stored (idempotent)
import { findDesk, type Desk, type DeskConfig } from '../config/desk-config';
import { DuplicateIngestError, DuplicateMessageIdError, NotFoundError } from '../errors';
import { idForIngest, newId, normalizeMessageId } from '../ids';
import type { IngestOutcomeKind, IngestRecord, Log, NewDelivery, ObjectStore, TicketRepository } from '../ports';
import { resolveThread } from '../threading/resolve-thread';
import { threadCandidates } from '../threading/thread-candidates';
import type { TokenKeys } from '../threading/reply-token';
import type { Mailbox, ParsedMail, Participant, StoredAttachment, Ticket, TicketMessage, TicketStatus } from '../types';
import { embeddedMessageIds } from './embedded-message-ids';
import { previewOf } from './preview';
import { subjectWords } from './subject-words';

/** SES writes this object when a receipt rule is created; it is not mail. */
export const SES_SETUP_NOTIFICATION = 'AMAZON_SES_SETUP_NOTIFICATION';
/** GitLab's limit, for the same reason: a Cc list is not a mailing list. */
const MAX_PARTICIPANTS = 10;
/** Above this the bodies go to S3 and the item keeps a preview (DynamoDB items stop at 400 KB). */
const INLINE_BODY_LIMIT = 100_000;
const PREVIEW_LENGTH = 2_000;

export interface IngestDeps {
  readonly store: ObjectStore;
  readonly tickets: TicketRepository;
  readonly config: DeskConfig;
  readonly tokenKeys: TokenKeys;
  readonly parse: (raw: Uint8Array) => Promise<ParsedMail>;
  readonly log: Log;
}

export interface IngestInput {
  readonly bucket: string;
  /** The object key, already URL-decoded. */
  readonly key: string;
  /** When the mail arrived (the S3 event time): the same on every redelivery. */
  readonly receivedAt: string;
  /** True when an operator replays the object: a failed or ignored record is then processed again. */
  readonly replay?: boolean;
}

export interface IngestResult {
  readonly outcome: IngestOutcomeKind | 'skipped';
  readonly reason: string;
  readonly ticketId: string | null;
  readonly messageId: string | null;
}

/**
 * Ingests one raw email from the object store: the S3 event's unit of work.
 *
 * Idempotent: the ingest record (keyed by the S3 key) is written in the same transaction as everything
 * else, so a redelivered event finds it on its first read and changes nothing. Mail that cannot be
 * processed is recorded as `failed` with the reason, stays in S3, and can be replayed. Errors that a retry
 * can cure (throttling, timeouts) are thrown, so Lambda's retries and on-failure destination take over.
 *
 * @example await ingestEmail(deps, { bucket: 'mail', key: 'inbound/abc123', receivedAt: event.eventTime })
 */
export async function ingestEmail(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  if (input.key.endsWith(SES_SETUP_NOTIFICATION)) {
    return { outcome: 'skipped', reason: 'SES setup notification', ticketId: null, messageId: null };
  }

  let raw: Uint8Array;
  try {
    raw = await deps.store.get(input.bucket, input.key);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return record(deps, input, 'failed', `raw mail not found in s3://${input.bucket}/${input.key}`);
  }

  let mail: ParsedMail;
  try {
    mail = await deps.parse(raw);
  } catch (error) {
    return record(deps, input, 'failed', `could not parse: ${(error as Error).message}`);
  }
  return ingestParsed(deps, input, mail);
}

async function ingestParsed(deps: IngestDeps, input: IngestInput, mail: ParsedMail): Promise<IngestResult> {
  const { config, tokenKeys } = deps;
  const desk = deskFor(config, mail);
  const candidates = threadCandidates(mail, config, tokenKeys);
  const isBounce = mail.classification.kind === 'bounce' || mail.classification.kind === 'complaint';
  const lookupIds = isBounce ? [...candidates.messageIds, ...embeddedMessageIds(mail)] : candidates.messageIds;

  const lookup = await deps.tickets.lookupForIngest({
    ingestKey: input.key,
    messageIds: lookupIds,
    ticketIds: candidates.tokenTicketIds,
    numbers: candidates.subjectTag === null ? [] : [{ deskId: desk.id, number: candidates.subjectTag }],
  });
  if (lookup.ingest && !canProcessAgain(lookup.ingest.outcome, input.replay === true)) {
    return { outcome: 'duplicate', reason: 'already ingested', ticketId: lookup.ingest.ticketId, messageId: lookup.ingest.messageId };
  }
  const attempts = (lookup.ingest?.attempts ?? 0) + 1;
  const log = (message: string, extra: Record<string, unknown>) =>
    deps.log.info(message, { key: input.key, messageId: mail.messageId, ...extra });
  if (candidates.rejectedTokens.length > 0) {
    deps.log.warn('reply token rejected: signature does not verify', { key: input.key, messageId: mail.messageId });
  }

  if (config.desks.some((d) => d.address === mail.from.address)) {
    return record(deps, input, 'ignored', `from the desk's own address ${mail.from.address}`, attempts, mail.messageId);
  }

  if (isBounce) {
    const targets = lookupIds.map((id) => lookup.messageIds.get(id)).filter((t) => t !== undefined);
    const ticketId = targets[0]?.ticketId ?? null;
    const ticket = ticketId ? (lookup.tickets.get(ticketId) ?? (await deps.tickets.getTicket(ticketId))) : null;
    const ingest = ingestRecord(
      input,
      mail.classification.kind === 'bounce' ? 'bounce' : 'complaint',
      mail.classification.reason,
      ticket?.id ?? null,
      mail.messageId,
      attempts,
    );
    const message = ticket ? await inboundMessage(deps, input, mail, ticket.id, 'message-id') : null;
    const outcome = await deps.tickets
      .recordBounce({
        ingest,
        classification: mail.classification,
        ticket,
        message,
        deliveries: targets.filter((t) => t.deliveryId !== null).map((t) => ({ ticketId: t.ticketId, deliveryId: t.deliveryId! })),
      })
      .then(() => null, duplicateAs(deps, input, attempts));
    if (outcome) return outcome;
    log('bounce recorded', { ticketId: ticket?.id, failedRecipients: mail.classification.failedRecipients });
    return { outcome: ingest.outcome, reason: ingest.reason, ticketId: ticket?.id ?? null, messageId: mail.messageId };
  }

  const isSpam = verdictFailed(mail.verdicts.spam) || verdictFailed(mail.verdicts.virus);
  const { decision, tickets } = isSpam
    ? { decision: { rule: 'new-ticket' as const, ticketId: null }, tickets: lookup.tickets }
    : await decide(deps, mail, desk, candidates, lookup);

  if (decision.ticketId !== null) {
    const ticket = tickets.get(decision.ticketId);
    if (!ticket) throw new NotFoundError(`ticket ${decision.ticketId} vanished while threading`);
    const message = await inboundMessage(deps, input, mail, ticket.id, decision.rule);
    const newStatus = statusAfterInbound(ticket.status, mail);
    const ingest = ingestRecord(input, 'reply-added', `threaded by ${decision.rule}`, ticket.id, mail.messageId, attempts);
    try {
      await deps.tickets.addInboundMessage({ ingest, ticket, message, newStatus });
    } catch (error) {
      return duplicateAs(deps, input, attempts)(error);
    }
    log('reply added', { ticketId: ticket.id, threadedBy: decision.rule, status: newStatus });
    return { outcome: 'reply-added', reason: ingest.reason, ticketId: ticket.id, messageId: mail.messageId };
  }

  if (mail.classification.kind === 'auto-reply') {
    return record(deps, input, 'ignored', `auto-reply that matches no ticket (${mail.classification.reason})`, attempts, mail.messageId);
  }

  const ticketId = idForIngest(tokenKeys, input.key, 'ticket');
  const number = await deps.tickets.nextTicketNumber(desk.id);
  const message = await inboundMessage(deps, input, mail, ticketId, 'new-ticket');
  const status: TicketStatus = isSpam ? 'spam' : 'open';
  const ticket = newTicket(mail, desk, config, ticketId, number, status, input.receivedAt, message);
  const reason = isSpam ? `SES verdict spam=${mail.verdicts.spam ?? '-'} virus=${mail.verdicts.virus ?? '-'}` : 'new ticket';
  // No acknowledgement for spam, nor when no address to answer could be read from the mail.
  const deliveries: NewDelivery[] =
    isSpam || !ticket.requester.address.includes('@')
      ? []
      : [
          {
            id: newId(),
            kind: 'ack',
            ticketId,
            deskId: desk.id,
            recipient: ticket.requester,
            messageItemId: message.id,
            content: {
              ticketNumber: number,
              subject: ticket.subject,
              body: message.reply,
              authorName: null,
              inReplyTo: normalizeMessageId(mail.messageId),
              references: [...mail.references.map(normalizeMessageId), normalizeMessageId(mail.messageId)].slice(-10),
              attachments: [],
            },
            createdAt: input.receivedAt,
          },
        ];
  try {
    await deps.tickets.createTicket({
      ingest: ingestRecord(input, 'ticket-created', reason, ticketId, mail.messageId, attempts),
      ticket,
      message,
      deliveries,
      words: subjectWords(ticket.subject),
    });
  } catch (error) {
    return duplicateAs(deps, input, attempts)(error);
  }
  log('ticket created', { ticketId, number, status, deskId: desk.id });
  return { outcome: 'ticket-created', reason, ticketId, messageId: mail.messageId };
}

async function decide(
  deps: IngestDeps,
  mail: ParsedMail,
  desk: Desk,
  candidates: ReturnType<typeof threadCandidates>,
  lookup: Awaited<ReturnType<TicketRepository['lookupForIngest']>>,
) {
  const messageIdTickets = new Map([...lookup.messageIds].map(([id, target]) => [id, target.ticketId]));
  const taggedTicketId = candidates.subjectTag === null ? null : (lookup.numbers.get(`${desk.id}#${candidates.subjectTag}`) ?? null);
  // Load only the tickets the next rules can pick: the first Message-ID hit and the tagged ticket.
  const firstHit = candidates.messageIds.map((id) => messageIdTickets.get(id)).find((id) => id !== undefined);
  const missing = [firstHit, taggedTicketId].filter((id): id is string => Boolean(id) && !lookup.tickets.has(id!));
  const tickets = new Map(lookup.tickets);
  if (missing.length > 0) for (const [id, ticket] of await deps.tickets.getTickets(missing)) tickets.set(id, ticket);
  const decision = resolveThread({ candidates, tickets, messageIdTickets, taggedTicketId, sender: mail.from.address, deskId: desk.id });
  return { decision, tickets };
}

/** A customer's mail reopens a closed or pending ticket; an auto-reply never changes the status. */
function statusAfterInbound(current: TicketStatus, mail: ParsedMail): TicketStatus {
  if (mail.classification.kind !== 'normal') return current;
  return current === 'closed' || current === 'pending' ? 'open' : current;
}

function verdictFailed(verdict: string | null): boolean {
  return verdict !== null && verdict.toUpperCase() === 'FAIL';
}

/** A failed ingest is retried by any redelivery; an ignored one only when an operator replays it. */
function canProcessAgain(outcome: IngestOutcomeKind, replay: boolean): boolean {
  return outcome === 'failed' || (replay && outcome === 'ignored');
}

function deskFor(config: DeskConfig, mail: ParsedMail): Desk {
  for (const address of mail.envelopeRecipients) {
    const desk = findDesk(config, address);
    if (desk) return desk;
  }
  // SES only stores mail a receipt rule accepted, so one recipient was a desk; Bcc hides it from headers.
  return config.desks[0]!;
}

function newTicket(
  mail: ParsedMail,
  desk: Desk,
  config: DeskConfig,
  id: string,
  number: number,
  status: TicketStatus,
  at: string,
  message: TicketMessage,
): Ticket {
  const requester = requesterOf(mail);
  const deskAddresses = new Set(config.desks.map((d) => d.address));
  const participants: Participant[] = [{ ...requester, role: 'requester', unsubscribed: false }];
  for (const cc of [...mail.cc, ...mail.to]) {
    const address = cc.address.toLowerCase();
    const base = address.replace(/\+[^@]*@/, '@');
    if (!address || deskAddresses.has(base) || participants.some((p) => p.address === address)) continue;
    if (participants.length >= MAX_PARTICIPANTS) break;
    participants.push({ address, name: cc.name, role: 'cc', unsubscribed: false });
  }
  return {
    id,
    deskId: desk.id,
    number,
    subject: mail.subject.trim() || '(no subject)',
    status,
    requester,
    participants,
    assignee: null,
    labels: [],
    createdAt: at,
    updatedAt: at,
    messageCount: 1,
    threadMessageIds: [normalizeMessageId(message.messageId)],
    preview: previewOf(message),
    version: 0,
  };
}

/** Who the desk answers: Reply-To when the sender set one (lists, web forms), else From. */
function requesterOf(mail: ParsedMail): Mailbox {
  const replyTo = mail.replyTo.find((m) => m.address.includes('@'));
  const who = replyTo ?? mail.from;
  return { address: who.address.toLowerCase(), name: who.name || mail.from.name };
}

async function inboundMessage(
  deps: IngestDeps,
  input: IngestInput,
  mail: ParsedMail,
  ticketId: string,
  threadedBy: TicketMessage['threadedBy'],
): Promise<TicketMessage> {
  const id = idForIngest(deps.tokenKeys, input.key, 'message');
  const attachments: StoredAttachment[] = [];
  for (const [index, part] of mail.attachmentContents.entries()) {
    const safeName = part.filename.replace(/[^\w.-]+/g, '_').slice(-100) || 'attachment';
    const key = `attachments/${ticketId}/${id}/${index}-${safeName}`;
    await deps.store.put(input.bucket, key, part.content, part.contentType);
    attachments.push({ filename: part.filename, contentType: part.contentType, size: part.size, inline: part.inline, cid: part.cid, key });
  }
  const body = { text: mail.text, reply: mail.reply, html: mail.html };
  let bodyKey: string | null = null;
  if (JSON.stringify(body).length > INLINE_BODY_LIMIT) {
    bodyKey = `bodies/${ticketId}/${id}.json`;
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

function ingestRecord(
  input: IngestInput,
  outcome: IngestOutcomeKind,
  reason: string,
  ticketId: string | null,
  messageId: string | null,
  attempts: number,
): IngestRecord {
  return { key: input.key, bucket: input.bucket, outcome, reason, ticketId, messageId, at: new Date().toISOString(), attempts };
}

async function record(
  deps: IngestDeps,
  input: IngestInput,
  outcome: IngestOutcomeKind,
  reason: string,
  attempts = 1,
  messageId: string | null = null,
): Promise<IngestResult> {
  await deps.tickets.recordIngest(ingestRecord(input, outcome, reason, null, messageId, attempts));
  const level = outcome === 'failed' ? 'error' : 'info';
  deps.log[level](`mail ${outcome}`, { key: input.key, messageId, reason });
  return { outcome, reason, ticketId: null, messageId };
}

/**
 * A lost race with a concurrent delivery of the same object changes nothing; the same Message-ID stored
 * before under another key (SES delivered one mail twice) is recorded as a duplicate so it is not retried.
 */
function duplicateAs(deps: IngestDeps, input: IngestInput, attempts: number) {
  return async (error: unknown): Promise<IngestResult> => {
    if (error instanceof DuplicateIngestError) {
      return { outcome: 'duplicate', reason: 'already ingested (concurrent delivery)', ticketId: null, messageId: null };
    }
    if (error instanceof DuplicateMessageIdError) {
      return record(
        deps,
        input,
        'duplicate',
        `Message-ID ${error.messageId} was already stored from another object`,
        attempts,
        error.messageId,
      );
    }
    throw error;
  };
}
