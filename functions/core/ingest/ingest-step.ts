// core: what every step of ingesting one email shares: the dependencies, the input, and what was read before deciding
import type { Desk, DeskConfig } from '../config/desk-config';
import type { EmailClaims, IngestLookup, IngestOutcomeKind, Log, ObjectStore, TicketRepository } from '../ports';
import type { DeskSettings } from '../settings/desk-settings';
import type { ThreadCandidates } from '../threading/thread-candidates';
import type { TokenKeys } from '../threading/reply-token';
import type { Authenticity, ParsedMail } from '../types';

export interface IngestDeps {
  readonly store: ObjectStore;
  readonly tickets: TicketRepository;
  readonly config: DeskConfig;
  readonly tokenKeys: TokenKeys;
  readonly parse: (raw: Uint8Array) => Promise<ParsedMail>;
  /** The desk's settings (cached per container); read only when a decision depends on them (a held message). */
  readonly settings: (deskId: string) => Promise<DeskSettings>;
  readonly clock: () => Date;
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

/** One email on its way through ingest, once parsed and looked up. */
export interface IngestStep {
  readonly deps: IngestDeps;
  readonly input: IngestInput;
  readonly mail: ParsedMail;
  /** The desk the mail was sent to. */
  readonly desk: Desk;
  readonly candidates: ThreadCandidates;
  readonly lookup: IngestLookup;
  /** This is the n-th attempt at the object (a failed record is retried by redeliveries and replays). */
  readonly attempts: number;
  /** The content fingerprint and the Message-ID this email's write claims. */
  readonly claims: EmailClaims & { readonly fingerprint: string };
  /** What SES's verdicts prove about the sender. */
  readonly authenticity: Authenticity;
  /** Notices for agents on the message this email becomes (a reused Message-ID). */
  readonly notices: readonly string[];
}

/** Logs with the S3 key and Message-ID on every line. */
export function stepLog(step: IngestStep, level: 'info' | 'warn', message: string, extra: Record<string, unknown> = {}): void {
  step.deps.log[level](message, { key: step.input.key, messageId: step.mail.messageId, ...extra });
}
