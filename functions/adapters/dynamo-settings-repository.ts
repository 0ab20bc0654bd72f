// adapter: SettingsRepository on the desk's SETTINGS item
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SettingsRepository } from '../core/notify/notify-ports';
import { deskSettingsSchema, parseDeskSettings, type DeskSettings } from '../core/settings/desk-settings';
import { keys } from './dynamo-items';

/** Reads and writes desk settings; a desk that never saved any gets the defaults. */
export class DynamoSettingsRepository implements SettingsRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getSettings(deskId: string): Promise<DeskSettings> {
    const { Item: item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.settings(deskId) }));
    return parseDeskSettings({ id: deskId }, item?.settings);
  }

  async saveSettings(settings: DeskSettings): Promise<void> {
    const valid = deskSettingsSchema.parse(settings);
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.settings(valid.deskId), type: 'settings', settings: valid } }),
    );
  }
}
