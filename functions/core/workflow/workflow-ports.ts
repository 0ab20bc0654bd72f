// core: the ports of the workflow (notifications and webhooks): storage and the HTTP sender
import type { DeskConfig } from '../config/desk-config';
import type { Log, NewDelivery } from '../ports';
import type { DeskSettings } from '../settings/desk-settings';
import type { TokenKeys } from '../threading/reply-token';
import type { Ticket } from '../types';
import type { AgentPreferences } from './agent-preferences';
import type { SavedReply } from './saved-replies';
import type { SavedView } from './saved-views';
import type { NewWebhookDelivery } from './webhook-events';

/** Where a webhook delivery stands; `failed` ones are kept (and listed) for inspection. */
export type WebhookStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** A webhook delivery as stored. */
export interface WebhookDelivery extends NewWebhookDelivery {
  readonly status: WebhookStatus;
  /** POSTs made so far. */
  readonly attempts: number;
  readonly lastError: string | null;
  /** The receiver's last HTTP status, when it answered. */
  readonly lastStatus: number | null;
  readonly updatedAt: string;
  readonly leaseUntil?: string | null;
}

/** The outcome of claiming a webhook delivery: ours (with the stored body), or not ours. */
export type WebhookClaim =
  | { readonly kind: 'claimed'; readonly delivery: WebhookDelivery }
  | { readonly kind: 'taken'; readonly status: WebhookStatus | null; readonly leaseUntil: string | null };

/** Storage of the workflow; every write that a redelivered record repeats is conditional. */
export interface WorkflowRepository {
  getTicket(ticketId: string): Promise<Ticket | null>;
  /** Stored preferences of these team members (lowercased emails); members without any are absent. */
  getPreferences(emails: readonly string[]): Promise<Map<string, AgentPreferences>>;
  /** Creates the notification deliveries and webhook deliveries that do not exist yet; existing ones stay as they are. */
  recordOutgoing(deliveries: readonly NewDelivery[], webhooks: readonly NewWebhookDelivery[]): Promise<void>;
  /** `pending → sending` (or a `sending` whose lease expired) under this claim id. */
  claimWebhook(key: WebhookKey, claimId: string, now: string, leaseUntil: string): Promise<WebhookClaim>;
  /** Records one POST's outcome under the claim: `sent`, `failed` (final), or still `sending` with the attempt counted. */
  recordWebhookAttempt(key: WebhookKey, claimId: string, outcome: WebhookAttempt): Promise<void>;
  /** Failed webhook deliveries, newest first. */
  listFailedWebhooks(limit: number): Promise<WebhookDelivery[]>;
  /** `failed → pending` (the stream then hands it to notify again). @throws ConcurrentUpdateError when not failed. */
  retryWebhook(key: WebhookKey, at: string): Promise<void>;
}

export interface WebhookKey {
  readonly ticketId: string;
  readonly eventId: string;
  readonly hookIndex: number;
}

export interface WebhookAttempt {
  readonly status: 'sent' | 'failed' | 'sending';
  readonly at: string;
  readonly error: string | null;
  readonly httpStatus: number | null;
}

/** What the dashboard API reads and writes of the workflow. */
export interface ApiWorkflowRepository extends Pick<WorkflowRepository, 'getPreferences' | 'listFailedWebhooks' | 'retryWebhook'> {
  savePreferences(email: string, preferences: AgentPreferences, at: string): Promise<void>;
  /** Every saved reply, by title. */
  listSavedReplies(): Promise<SavedReply[]>;
  /** Creates (`create: true`, failing if the id exists) or replaces an existing one. @throws NotFoundError when replacing a missing one. */
  saveSavedReply(reply: SavedReply, create: boolean): Promise<void>;
  /** @throws NotFoundError when it does not exist. */
  deleteSavedReply(id: string): Promise<void>;
  /** One agent's saved views and the version a write must name (0 while they have never saved one). */
  getSavedViews(email: string): Promise<StoredViews>;
  /** Replaces the agent's views if they are still at `version`. @throws ConcurrentUpdateError when they changed since. */
  putSavedViews(email: string, views: readonly SavedView[], version: number, at: string): Promise<void>;
}

/** An agent's saved views as read, with the version that guards the next write. */
export interface StoredViews {
  readonly views: SavedView[];
  readonly version: number;
}

/** POSTs a body; resolves with the HTTP status, rejects when no answer came (network error, timeout). */
export interface WebhookSender {
  post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<number>;
}

/** What the workflow needs; built by the notify function's composition root. */
export interface WorkflowDeps {
  readonly repository: WorkflowRepository;
  readonly sender: WebhookSender;
  readonly settings: (deskId: string) => Promise<DeskSettings>;
  readonly config: DeskConfig;
  readonly tokenKeys: TokenKeys;
  readonly clock: () => Date;
  readonly log: Log;
  /** Waits between webhook attempts: one entry per retry. @default 1 s, 4 s, 10 s */
  readonly retryDelaysMs?: readonly number[];
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}
