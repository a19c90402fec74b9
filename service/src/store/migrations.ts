/**
 * Schema migrations, applied in order at start-up and recorded in `schema_migrations`. Written in the
 * SQL both engines share; timestamps are epoch milliseconds (BIGINT), structured values JSON text.
 * Append new migrations; never edit one that has shipped.
 */
import type { Database } from './database.ts';

const MIGRATIONS: readonly { version: number; name: string; sql: readonly string[] }[] = [
  {
    version: 1,
    name: 'connections, oauth states, events inbox, meetings queue',
    sql: [
      `CREATE TABLE workspace_connections (
        workspace_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        broken_reason TEXT,
        login_url TEXT NOT NULL,
        instance_url TEXT NOT NULL,
        identity_url TEXT NOT NULL,
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        username TEXT,
        display_name TEXT,
        access_token_enc TEXT NOT NULL,
        refresh_token_enc TEXT NOT NULL,
        profile_json TEXT NOT NULL,
        check_json TEXT NOT NULL,
        api_usage_json TEXT,
        last_sync_at BIGINT,
        connected_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE TABLE oauth_states (
        state_hash TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        code_verifier_enc TEXT NOT NULL,
        return_url TEXT NOT NULL,
        login_url TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
      `CREATE TABLE events (
        event_id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        meeting_id TEXT NOT NULL,
        type TEXT NOT NULL,
        version INTEGER NOT NULL,
        received_at BIGINT NOT NULL
      )`,
      `CREATE TABLE meetings (
        workspace_id TEXT NOT NULL,
        meeting_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        input_json TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        claimed_version INTEGER,
        synced_version INTEGER,
        written_json TEXT,
        linked_json TEXT,
        dropped_json TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        api_calls INTEGER,
        next_attempt_at BIGINT,
        lease_owner TEXT,
        lease_expires_at BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (workspace_id, meeting_id)
      )`,
      `CREATE INDEX meetings_due ON meetings (state, next_attempt_at)`,
    ],
  },
  {
    version: 2,
    name: 'oauth states kept once used, so a replayed callback still finds where to send the browser',
    sql: ['ALTER TABLE oauth_states ADD COLUMN used_at BIGINT'],
  },
  {
    version: 3,
    name: 'association settings per workspace, versioned for optimistic concurrency',
    sql: [
      `CREATE TABLE workspace_settings (
        workspace_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        settings_json TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    name: 'admin page: sign-in links, sessions, backfills and their items, outbound alerts',
    sql: [
      // Only hashes of link and session tokens are stored: a database reader cannot sign in.
      `CREATE TABLE admin_links (
        token_hash TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT
      )`,
      `CREATE TABLE admin_sessions (
        session_hash TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
      `CREATE TABLE backfills (
        backfill_id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        state TEXT NOT NULL,
        total INTEGER NOT NULL DEFAULT 0,
        invalid INTEGER NOT NULL DEFAULT 0,
        enqueued INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        started_at BIGINT,
        finished_at BIGINT,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE TABLE backfill_items (
        backfill_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        meeting_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        event_json TEXT NOT NULL,
        enqueued_at BIGINT,
        outcome TEXT,
        PRIMARY KEY (backfill_id, seq)
      )`,
      `CREATE TABLE alerts (
        alert_id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        opened_at BIGINT NOT NULL,
        closed_at BIGINT,
        delivered_at BIGINT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT,
        last_error TEXT
      )`,
      `CREATE INDEX alerts_open ON alerts (workspace_id, kind, closed_at)`,
      // The token's health on the page: when it was last refreshed, and how that went.
      `CREATE TABLE token_refreshes (
        workspace_id TEXT PRIMARY KEY,
        refreshed_at BIGINT NOT NULL,
        outcome TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 5,
    name: 'meetings remember a create write whose outcome is unknown, so it is not written again before it settles',
    sql: [
      // When and by whom a write creating the meeting's records was sent; cleared once its outcome
      // is known (issue 14 item 1: exactly once without a unique field).
      'ALTER TABLE meetings ADD COLUMN create_started_at BIGINT',
      'ALTER TABLE meetings ADD COLUMN create_owner TEXT',
    ],
  },
];

export async function migrate(db: Database): Promise<number> {
  return db.tx(async (q) => {
    // Several instances may start together; one migrates, the others wait for it.
    if (db.dialect.migrationLock) await q.all(db.dialect.migrationLock);
    await q.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const done = new Set(
      (await q.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) =>
        Number(r.version),
      ),
    );
    let applied = 0;
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const statement of m.sql) await q.run(statement);
      await q.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      applied++;
    }
    return applied;
  });
}
