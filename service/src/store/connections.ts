/**
 * The connected orgs (workspace_connections): one row per workspace, its OAuth tokens sealed with
 * AES-256-GCM (crypto/token-cipher.ts) before they reach the database and opened as they are read.
 */
import type { TokenCipher } from '../crypto/token-cipher.ts';
import type { Database } from './database.ts';
import { named } from './dialect.ts';
import { iso, json } from './meeting-row.ts';
import type { ApiUsage, ConnectionRecord, OrgCheck } from './types.ts';

interface ConnectionRow {
  workspace_id: string;
  status: string;
  broken_reason: string | null;
  login_url: string;
  instance_url: string;
  identity_url: string;
  org_id: string;
  user_id: string;
  username: string | null;
  display_name: string | null;
  access_token_enc: string;
  refresh_token_enc: string;
  profile_json: string;
  check_json: string;
  api_usage_json: string | null;
  last_sync_at: number | null;
  connected_at: number;
}

/** What connecting (or reconnecting) stores; usage and the last sync are learnt later. */
export type NewConnection = Omit<ConnectionRecord, 'apiUsage' | 'lastSyncAt'>;

export class ConnectionRepository {
  readonly #db: Database;
  readonly #cipher: TokenCipher;

  constructor(db: Database, cipher: TokenCipher) {
    this.#db = db;
    this.#cipher = cipher;
  }

  /** Connecting again replaces the workspace's connection whole (another org, user or grant). */
  async save(r: NewConnection): Promise<void> {
    await this.#db.run(
      ...named(
        `INSERT INTO workspace_connections (workspace_id, status, broken_reason, login_url, instance_url,
           identity_url, org_id, user_id, username, display_name, access_token_enc, refresh_token_enc,
           profile_json, check_json, connected_at, updated_at)
         VALUES (:workspaceId, :status, :brokenReason, :loginUrl, :instanceUrl, :identityUrl, :orgId, :userId,
           :username, :displayName, :accessToken, :refreshToken, :profile, :check, :connectedAt, :now)
         ON CONFLICT (workspace_id) DO UPDATE SET status = excluded.status, broken_reason = excluded.broken_reason,
           login_url = excluded.login_url, instance_url = excluded.instance_url, identity_url = excluded.identity_url,
           org_id = excluded.org_id, user_id = excluded.user_id, username = excluded.username,
           display_name = excluded.display_name, access_token_enc = excluded.access_token_enc,
           refresh_token_enc = excluded.refresh_token_enc, profile_json = excluded.profile_json,
           check_json = excluded.check_json, connected_at = excluded.connected_at, updated_at = excluded.updated_at`,
        {
          workspaceId: r.workspaceId,
          status: r.status,
          brokenReason: r.brokenReason,
          loginUrl: r.loginUrl,
          instanceUrl: r.instanceUrl,
          identityUrl: r.identityUrl,
          orgId: r.orgId,
          userId: r.userId,
          username: r.username,
          displayName: r.displayName,
          accessToken: this.#cipher.seal(r.accessToken),
          refreshToken: this.#cipher.seal(r.refreshToken),
          profile: JSON.stringify(r.profile),
          check: JSON.stringify(r.check),
          connectedAt: Date.parse(r.connectedAt),
          now: Date.now(),
        },
      ),
    );
  }

  /** Reads only: tokens sealed with an older key are opened here and sealed again by resealStale. */
  async get(workspaceId: string): Promise<ConnectionRecord | null> {
    const [row] = await this.#db.all<ConnectionRow>(
      'SELECT * FROM workspace_connections WHERE workspace_id = ?',
      [workspaceId],
    );
    if (!row) return null;
    return {
      workspaceId: row.workspace_id,
      status: row.status === 'broken' ? 'broken' : 'connected',
      brokenReason: row.broken_reason,
      loginUrl: row.login_url,
      instanceUrl: row.instance_url,
      identityUrl: row.identity_url,
      orgId: row.org_id,
      userId: row.user_id,
      username: row.username,
      displayName: row.display_name,
      accessToken: this.#cipher.open(row.access_token_enc),
      refreshToken: this.#cipher.open(row.refresh_token_enc),
      profile: JSON.parse(row.profile_json) as ConnectionRecord['profile'],
      check: JSON.parse(row.check_json) as ConnectionRecord['check'],
      apiUsage: json<ApiUsage | null>(row.api_usage_json, null),
      lastSyncAt: iso(row.last_sync_at),
      connectedAt: iso(row.connected_at) ?? new Date(0).toISOString(),
    };
  }

  /**
   * Seals again with the current key every token sealed with an older one (TOKEN_ENCRYPTION_KEY
   * rotation), so the old key can be dropped after one start with the new key first. Run when the
   * store opens; a row whose tokens changed meanwhile (a refresh, another instance's pass) is left
   * to that writer. Returns how many rows were sealed again.
   */
  async resealStale(): Promise<number> {
    const rows = await this.#db.all<
      Pick<ConnectionRow, 'workspace_id' | 'access_token_enc' | 'refresh_token_enc'>
    >('SELECT workspace_id, access_token_enc, refresh_token_enc FROM workspace_connections');
    let resealed = 0;
    for (const row of rows) {
      if (!this.#cipher.isStale(row.access_token_enc) && !this.#cipher.isStale(row.refresh_token_enc))
        continue;
      resealed += await this.#db.run(
        ...named(
          `UPDATE workspace_connections SET access_token_enc = :access, refresh_token_enc = :refresh
           WHERE workspace_id = :workspaceId AND access_token_enc = :readAccess AND refresh_token_enc = :readRefresh`,
          {
            access: this.#cipher.seal(this.#cipher.open(row.access_token_enc)),
            refresh: this.#cipher.seal(this.#cipher.open(row.refresh_token_enc)),
            workspaceId: row.workspace_id,
            readAccess: row.access_token_enc,
            readRefresh: row.refresh_token_enc,
          },
        ),
      );
    }
    return resealed;
  }

  /** A refresh gave a new access token, and perhaps a rotated refresh token (null: the same one). */
  async updateTokens(
    workspaceId: string,
    tokens: { readonly accessToken: string; readonly refreshToken: string | null },
  ): Promise<void> {
    const now = Date.now();
    if (tokens.refreshToken) {
      await this.#db.run(
        'UPDATE workspace_connections SET access_token_enc = ?, refresh_token_enc = ?, updated_at = ? WHERE workspace_id = ?',
        [this.#cipher.seal(tokens.accessToken), this.#cipher.seal(tokens.refreshToken), now, workspaceId],
      );
    } else {
      await this.#db.run(
        'UPDATE workspace_connections SET access_token_enc = ?, updated_at = ? WHERE workspace_id = ?',
        [this.#cipher.seal(tokens.accessToken), now, workspaceId],
      );
    }
  }

  async markBroken(workspaceId: string, reason: string): Promise<void> {
    await this.#db.run(
      `UPDATE workspace_connections SET status = 'broken', broken_reason = ?, updated_at = ? WHERE workspace_id = ?`,
      [reason, Date.now(), workspaceId],
    );
  }

  /** A fresh look at the org's permissions, fields and Shared Activities. */
  async updateOrgCheck(
    workspaceId: string,
    found: { readonly profile: ConnectionRecord['profile']; readonly check: OrgCheck },
  ): Promise<void> {
    await this.#db.run(
      'UPDATE workspace_connections SET profile_json = ?, check_json = ?, updated_at = ? WHERE workspace_id = ?',
      [JSON.stringify(found.profile), JSON.stringify(found.check), Date.now(), workspaceId],
    );
  }

  async recordApiUsage(workspaceId: string, usage: ApiUsage): Promise<void> {
    await this.#db.run('UPDATE workspace_connections SET api_usage_json = ? WHERE workspace_id = ?', [
      JSON.stringify(usage),
      workspaceId,
    ]);
  }

  /** False when the workspace had no connection. */
  async delete(workspaceId: string): Promise<boolean> {
    return (
      (await this.#db.run('DELETE FROM workspace_connections WHERE workspace_id = ?', [workspaceId])) > 0
    );
  }

  /** Every connected or broken workspace with its status, for the alert monitor. */
  async statuses(): Promise<{ workspaceId: string; status: string; brokenReason: string | null }[]> {
    const rows = await this.#db.all<{ workspace_id: string; status: string; broken_reason: string | null }>(
      'SELECT workspace_id, status, broken_reason FROM workspace_connections',
    );
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      status: r.status,
      brokenReason: r.broken_reason,
    }));
  }

  /** The last token refresh and how it went (token_refreshes), for the admin page's token health. */
  async recordRefresh(
    workspaceId: string,
    { outcome, now }: { readonly outcome: string; readonly now: number },
  ): Promise<void> {
    await this.#db.run(
      `INSERT INTO token_refreshes (workspace_id, refreshed_at, outcome) VALUES (?, ?, ?)
       ON CONFLICT (workspace_id) DO UPDATE SET refreshed_at = excluded.refreshed_at, outcome = excluded.outcome`,
      [workspaceId, now, outcome],
    );
  }

  async lastRefresh(workspaceId: string): Promise<{ at: string; outcome: string } | null> {
    const [row] = await this.#db.all<{ refreshed_at: number; outcome: string }>(
      'SELECT refreshed_at, outcome FROM token_refreshes WHERE workspace_id = ?',
      [workspaceId],
    );
    return row ? { at: new Date(Number(row.refreshed_at)).toISOString(), outcome: row.outcome } : null;
  }
}
