// adapter: WorkflowRepository on the single table: notification and webhook deliveries, agent preferences
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { indexPartitions, keys } from '../contracts';
import { ConcurrentUpdateError, NotFoundError } from '../core/errors';
import type { SavedReply } from '../core/workflow/saved-replies';
import type { SavedView } from '../core/workflow/saved-views';
import type { NewDelivery } from '../core/ports';
import type { Ticket } from '../core/types';
import { parseAgentPreferences, type AgentPreferences } from '../core/workflow/agent-preferences';
import type { NewWebhookDelivery } from '../core/workflow/webhook-events';
import type {
  ApiWorkflowRepository,
  StoredViews,
  WebhookAttempt,
  WebhookClaim,
  WebhookDelivery,
  WebhookKey,
  WebhookStatus,
  WorkflowRepository,
} from '../core/workflow/workflow-ports';
import { deliveryToItem, itemFields, ticketFromItem } from './dynamo-items';
import { ConditionFailedError, putNew, type DynamoTable, type Item, type NamedItem } from './dynamo-table';

/** TransactWriteItems takes at most 100 items. */
const TRANSACTION_LIMIT = 100;
const CLAIMABLE = '(#status = :pending OR (#status = :sending AND leaseUntil < :now))';

/** The index partition failed webhook deliveries are listed from (byStatus), newest first. */
export const FAILED_WEBHOOKS = indexPartitions.status('webhook-failed');

export function webhookToItem(webhook: NewWebhookDelivery): Item {
  return {
    ...keys.webhookDelivery(webhook.ticketId, webhook.eventId, webhook.hookIndex),
    type: 'webhook',
    ...webhook,
    status: 'pending',
    attempts: 0,
    lastError: null,
    lastStatus: null,
    updatedAt: webhook.createdAt,
  };
}

export function webhookFromItem(item: Item): WebhookDelivery {
  const { gsi1pk: _pk, gsi1sk: _sk, claimId: _claim, ...rest } = itemFields(item);
  return rest as unknown as WebhookDelivery;
}

/** The DynamoDB implementation of WorkflowRepository. */
export class DynamoWorkflowRepository implements WorkflowRepository, ApiWorkflowRepository {
  constructor(private readonly table: DynamoTable) {}

  async getTicket(ticketId: string): Promise<Ticket | null> {
    const item = await this.table.get(keys.ticket(ticketId));
    return item ? ticketFromItem(item) : null;
  }

  async getPreferences(emails: readonly string[]): Promise<Map<string, AgentPreferences>> {
    const items = await this.table.batchGet(emails.map(keys.agentPreferences));
    return new Map(items.map((item) => [item.email as string, parseAgentPreferences(item.preferences)]));
  }

  async savePreferences(email: string, preferences: AgentPreferences, at: string): Promise<void> {
    const address = email.toLowerCase();
    await this.table.put('preferences', {
      Item: { ...keys.agentPreferences(address), type: 'preferences', email: address, preferences, updatedAt: at },
    });
  }

  async recordOutgoing(deliveries: readonly NewDelivery[], webhooks: readonly NewWebhookDelivery[]): Promise<void> {
    const items: NamedItem[] = [
      ...deliveries.map((d) => putNew(`delivery ${d.id}`, deliveryToItem(d))),
      ...webhooks.map((w) => putNew(`webhook ${w.eventId}#${w.hookIndex}`, webhookToItem(w))),
    ];
    for (let start = 0; start < items.length; start += TRANSACTION_LIMIT) {
      const chunk = items.slice(start, start + TRANSACTION_LIMIT);
      try {
        await this.table.transact(chunk);
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
        if (chunk.length === 1) continue;
        // Written before (a redelivered record: the ids are derived from the change). One by one, in case the
        // configuration changed in between and only some exist.
        for (const item of chunk) {
          await this.table.transact([item]).catch((e: unknown) => {
            if (!(e instanceof ConditionFailedError)) throw e;
          });
        }
      }
    }
  }

  async claimWebhook(key: WebhookKey, claimId: string, now: string, leaseUntil: string): Promise<WebhookClaim> {
    const itemKey = keys.webhookDelivery(key.ticketId, key.eventId, key.hookIndex);
    try {
      const item = await this.table.update('webhook', {
        Key: itemKey,
        UpdateExpression: 'SET #status = :sending, leaseUntil = :lease, claimId = :claim, updatedAt = :now',
        ConditionExpression: CLAIMABLE,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':now': now, ':lease': leaseUntil, ':claim': claimId },
        ReturnValues: 'ALL_NEW',
      });
      return { kind: 'claimed', delivery: webhookFromItem(item!) };
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      const old = await this.table.get(itemKey);
      return {
        kind: 'taken',
        status: (old?.status as WebhookStatus | undefined) ?? null,
        leaseUntil: (old?.leaseUntil as string | undefined) ?? null,
      };
    }
  }

  async recordWebhookAttempt(key: WebhookKey, claimId: string, attempt: WebhookAttempt): Promise<void> {
    const failed = attempt.status === 'failed';
    await this.table.update('webhook', {
      Key: keys.webhookDelivery(key.ticketId, key.eventId, key.hookIndex),
      UpdateExpression:
        'SET #status = :status, lastError = :error, lastStatus = :http, updatedAt = :at' +
        (failed ? ', gsi1pk = :gsi1pk, gsi1sk = :gsi1sk' : '') +
        ' ADD attempts :one',
      ConditionExpression: 'claimId = :claim',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': attempt.status,
        ':error': attempt.error,
        ':http': attempt.httpStatus,
        ':at': attempt.at,
        ':one': 1,
        ':claim': claimId,
        ...(failed ? { ':gsi1pk': FAILED_WEBHOOKS, ':gsi1sk': `${attempt.at}#${key.ticketId}#${key.eventId}#${key.hookIndex}` } : {}),
      },
    });
  }

  async listFailedWebhooks(limit: number): Promise<WebhookDelivery[]> {
    const { items: entries } = await this.table.queryPage({
      IndexName: 'byStatus',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': FAILED_WEBHOOKS },
      ScanIndexForward: false,
      Limit: limit,
    });
    // The index holds keys only: the deliveries themselves come in one batch read, put back in the index's order.
    const items = await this.table.batchGet(entries.map((entry) => ({ pk: String(entry.pk), sk: String(entry.sk) })));
    const byKey = new Map(items.map((item) => [`${String(item.pk)}\u0000${String(item.sk)}`, item]));
    return entries.flatMap((entry) => {
      const item = byKey.get(`${String(entry.pk)}\u0000${String(entry.sk)}`);
      return item ? [webhookFromItem(item)] : [];
    });
  }

  async retryWebhook(key: WebhookKey, at: string): Promise<void> {
    try {
      await this.table.update('webhook', {
        Key: keys.webhookDelivery(key.ticketId, key.eventId, key.hookIndex),
        UpdateExpression: 'SET #status = :pending, updatedAt = :at REMOVE gsi1pk, gsi1sk, leaseUntil',
        ConditionExpression: '#status = :failed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':failed': 'failed', ':at': at },
      });
    } catch (error) {
      if (error instanceof ConditionFailedError)
        throw new ConcurrentUpdateError('only a failed webhook delivery can be retried', { cause: error });
      throw error;
    }
  }

  async listSavedReplies(): Promise<SavedReply[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.savedReply('').pk },
      ConsistentRead: true,
    });
    return items.map((item) => itemFields(item) as unknown as SavedReply).sort((a, b) => a.title.localeCompare(b.title));
  }

  async saveSavedReply(reply: SavedReply, create: boolean): Promise<void> {
    try {
      await this.table.put('saved reply', {
        Item: { ...keys.savedReply(reply.id), type: 'saved-reply', ...reply },
        ConditionExpression: create ? 'attribute_not_exists(pk)' : 'attribute_exists(pk)',
      });
    } catch (error) {
      if (error instanceof ConditionFailedError && !create)
        throw new NotFoundError(`saved reply ${reply.id} does not exist`, { cause: error });
      throw error;
    }
  }

  async deleteSavedReply(id: string): Promise<void> {
    const deleted = await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: keys.savedReply(id), ReturnValues: 'ALL_OLD' }),
    );
    if (!deleted.Attributes) throw new NotFoundError(`saved reply ${id} does not exist`);
  }

  async getSavedViews(email: string): Promise<StoredViews> {
    const item = await this.table.get(keys.savedViews(email));
    return item ? { views: item.views as SavedView[], version: item.version as number } : { views: [], version: 0 };
  }

  async putSavedViews(email: string, views: readonly SavedView[], version: number, at: string): Promise<void> {
    try {
      await this.table.put('saved views', {
        Item: { ...keys.savedViews(email), type: 'saved-views', email: email.toLowerCase(), views, version: version + 1, updatedAt: at },
        ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
        ...(version === 0 ? {} : { ExpressionAttributeValues: { ':version': version } }),
      });
    } catch (error) {
      if (error instanceof ConditionFailedError)
        throw new ConcurrentUpdateError(`the saved views of ${email} changed meanwhile: load them again`, { cause: error });
      throw error;
    }
  }
}
