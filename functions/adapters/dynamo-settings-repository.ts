// adapter: SettingsRepository on the desk's SETTINGS item
import { keys } from '../contracts';
import type { SettingsRepository } from '../core/notify/notify-ports';
import { deskSettingsSchema, parseDeskSettings, type DeskSettings } from '../core/settings/desk-settings';
import type { DynamoTable } from './dynamo-table';

/** Reads and writes desk settings; a desk that never saved any gets the defaults. */
export class DynamoSettingsRepository implements SettingsRepository {
  constructor(private readonly table: DynamoTable) {}

  async getSettings(deskId: string): Promise<DeskSettings> {
    const item = await this.table.get(keys.settings(deskId));
    return parseDeskSettings({ id: deskId }, item?.settings);
  }

  async saveSettings(settings: DeskSettings): Promise<void> {
    const valid = deskSettingsSchema.parse(settings);
    await this.table.put('settings', { Item: { ...keys.settings(valid.deskId), type: 'settings', settings: valid } });
  }
}
