/**
 * Association settings per workspace (workspace_settings), versioned: a write names the version it
 * read, and loses (null) when someone else wrote in between — optimistic concurrency, so two admins
 * editing at once never overwrite each other silently. Version 0 means "never saved: the defaults".
 */
import {
  DEFAULT_SETTINGS,
  associationSettingsSchema,
  type AssociationSettings,
} from '../settings/association-settings.ts';
import type { Sql } from './database.ts';

export interface StoredSettings {
  readonly version: number;
  readonly settings: AssociationSettings;
  readonly updatedAt: string | null;
}

interface SettingsRow {
  version: number;
  settings_json: string;
  updated_at: number;
}

export class SettingsRepository {
  readonly #db: Sql;

  constructor(db: Sql) {
    this.#db = db;
  }

  async get(workspaceId: string): Promise<StoredSettings> {
    const [row] = await this.#db.all<SettingsRow>(
      'SELECT version, settings_json, updated_at FROM workspace_settings WHERE workspace_id = ?',
      [workspaceId],
    );
    if (!row) return { version: 0, settings: DEFAULT_SETTINGS, updatedAt: null };
    // Parsing again fills in fields added since the row was written, with their defaults.
    return {
      version: Number(row.version),
      settings: associationSettingsSchema.parse(JSON.parse(row.settings_json)),
      updatedAt: new Date(Number(row.updated_at)).toISOString(),
    };
  }

  /** Saves when `expectedVersion` is the stored one; null when another write came first. */
  async save(
    workspaceId: string,
    {
      expectedVersion,
      settings,
      now,
    }: { readonly expectedVersion: number; readonly settings: AssociationSettings; readonly now: number },
  ): Promise<StoredSettings | null> {
    const text = JSON.stringify(settings);
    const changed =
      expectedVersion === 0
        ? await this.#db.run(
            `INSERT INTO workspace_settings (workspace_id, version, settings_json, updated_at) VALUES (?, 1, ?, ?)
             ON CONFLICT (workspace_id) DO NOTHING`,
            [workspaceId, text, now],
          )
        : await this.#db.run(
            `UPDATE workspace_settings SET version = version + 1, settings_json = ?, updated_at = ?
             WHERE workspace_id = ? AND version = ?`,
            [text, now, workspaceId, expectedVersion],
          );
    if (changed === 0) return null;
    return { version: expectedVersion + 1, settings, updatedAt: new Date(now).toISOString() };
  }
}
