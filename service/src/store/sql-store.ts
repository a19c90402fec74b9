/**
 * The Store on either engine. Ordering rules live here because they must hold inside one transaction:
 * a repeated event id changes nothing; an older or equal version changes nothing; a newer version
 * arriving while the worker syncs an older one is picked up when that sync completes.
 */
import type { TokenCipher } from '../crypto/token-cipher.ts';
import type { SyncInput, WrittenRecords } from '../sync/types.ts';
import type { Database, Param, Sql } from './database.ts';
import { LateMatchRepository } from './late-match-repository.ts';
import { iso, json, meetingSyncFromRow, type MeetingRow } from './meeting-row.ts';
import { SettingsRepository } from './settings-repository.ts';
import type {
  AcceptResult,
  ApiUsage,
  ClaimedMeeting,
  ConnectionRecord,
  IncomingEvent,
  MeetingKey,
  MeetingRecord,
  MeetingState,
  OAuthStateRecord,
  OrgCheck,
  Store,
  SyncResult,
} from './types.ts';

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

/** Reasons for which a meeting waits for the workspace to (re)connect rather than for the worker. */
export const WAITING_REASONS = ['not_connected', 'connection_broken'] as const;

interface PendingAccept {
  readonly e: IncomingEvent;
  readonly now: number;
  readonly resolve: (result: AcceptResult) => void;
  readonly reject: (error: unknown) => void;
}

/** At most this many webhooks share one commit, so one flush never holds the event loop for long. */
const MAX_ACCEPT_GROUP = 256;

export class SqlStore implements Store {
  readonly #db: Database;
  readonly #cipher: TokenCipher;
  readonly settings: SettingsRepository;
  readonly lateMatches: LateMatchRepository;
  readonly #accepts: PendingAccept[] = [];
  #acceptFlushScheduled = false;

  constructor(db: Database, cipher: TokenCipher) {
    this.#db = db;
    this.#cipher = cipher;
    this.settings = new SettingsRepository(db);
    this.lateMatches = new LateMatchRepository(db);
  }

  get engine(): 'sqlite' | 'postgres' {
    return this.#db.engine;
  }

  async ping(): Promise<void> {
    await this.#db.all('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  // --- connections -------------------------------------------------------------------------------

  async saveConnection(r: Omit<ConnectionRecord, 'apiUsage' | 'lastSyncAt'>): Promise<void> {
    const now = Date.now();
    const values: Param[] = [
      r.workspaceId,
      r.status,
      r.brokenReason,
      r.loginUrl,
      r.instanceUrl,
      r.identityUrl,
      r.orgId,
      r.userId,
      r.username,
      r.displayName,
      this.#cipher.seal(r.accessToken),
      this.#cipher.seal(r.refreshToken),
      JSON.stringify(r.profile),
      JSON.stringify(r.check),
      Date.parse(r.connectedAt),
      now,
    ];
    await this.#db.run(
      `INSERT INTO workspace_connections (workspace_id, status, broken_reason, login_url, instance_url, identity_url,
         org_id, user_id, username, display_name, access_token_enc, refresh_token_enc, profile_json, check_json,
         connected_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id) DO UPDATE SET status = excluded.status, broken_reason = excluded.broken_reason,
         login_url = excluded.login_url, instance_url = excluded.instance_url, identity_url = excluded.identity_url,
         org_id = excluded.org_id, user_id = excluded.user_id, username = excluded.username,
         display_name = excluded.display_name, access_token_enc = excluded.access_token_enc,
         refresh_token_enc = excluded.refresh_token_enc, profile_json = excluded.profile_json,
         check_json = excluded.check_json, connected_at = excluded.connected_at, updated_at = excluded.updated_at`,
      values,
    );
  }

  async getConnection(workspaceId: string): Promise<ConnectionRecord | null> {
    const [row] = await this.#db.all<ConnectionRow>(
      'SELECT * FROM workspace_connections WHERE workspace_id = ?',
      [workspaceId],
    );
    if (!row) return null;
    if (this.#cipher.isStale(row.access_token_enc) || this.#cipher.isStale(row.refresh_token_enc)) {
      // Sealed with an older key (TOKEN_ENCRYPTION_KEY rotation): seal again with the current one, so
      // the old key can be dropped once every workspace has been read.
      await this.#db.run(
        'UPDATE workspace_connections SET access_token_enc = ?, refresh_token_enc = ? WHERE workspace_id = ? AND access_token_enc = ?',
        [
          this.#cipher.seal(this.#cipher.open(row.access_token_enc)),
          this.#cipher.seal(this.#cipher.open(row.refresh_token_enc)),
          row.workspace_id,
          row.access_token_enc,
        ],
      );
    }
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

  async updateTokens(workspaceId: string, accessToken: string, refreshToken: string | null): Promise<void> {
    const now = Date.now();
    if (refreshToken) {
      await this.#db.run(
        'UPDATE workspace_connections SET access_token_enc = ?, refresh_token_enc = ?, updated_at = ? WHERE workspace_id = ?',
        [this.#cipher.seal(accessToken), this.#cipher.seal(refreshToken), now, workspaceId],
      );
    } else {
      await this.#db.run(
        'UPDATE workspace_connections SET access_token_enc = ?, updated_at = ? WHERE workspace_id = ?',
        [this.#cipher.seal(accessToken), now, workspaceId],
      );
    }
  }

  async markBroken(workspaceId: string, reason: string): Promise<void> {
    await this.#db.run(
      `UPDATE workspace_connections SET status = 'broken', broken_reason = ?, updated_at = ? WHERE workspace_id = ?`,
      [reason, Date.now(), workspaceId],
    );
  }

  async updateOrgCheck(
    workspaceId: string,
    profile: ConnectionRecord['profile'],
    check: OrgCheck,
  ): Promise<void> {
    await this.#db.run(
      'UPDATE workspace_connections SET profile_json = ?, check_json = ?, updated_at = ? WHERE workspace_id = ?',
      [JSON.stringify(profile), JSON.stringify(check), Date.now(), workspaceId],
    );
  }

  async recordApiUsage(workspaceId: string, usage: ApiUsage): Promise<void> {
    await this.#db.run('UPDATE workspace_connections SET api_usage_json = ? WHERE workspace_id = ?', [
      JSON.stringify(usage),
      workspaceId,
    ]);
  }

  async deleteConnection(workspaceId: string): Promise<boolean> {
    return (
      (await this.#db.run('DELETE FROM workspace_connections WHERE workspace_id = ?', [workspaceId])) > 0
    );
  }

  // --- OAuth states ------------------------------------------------------------------------------

  async createOAuthState(stateHash: string, r: OAuthStateRecord): Promise<void> {
    await this.#db.run(
      'INSERT INTO oauth_states (state_hash, workspace_id, code_verifier_enc, return_url, login_url, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      [stateHash, r.workspaceId, this.#cipher.seal(r.codeVerifier), r.returnUrl, r.loginUrl, r.expiresAt],
    );
    // Expired states are swept as new ones are made, so the table stays small without a timer.
    await this.#db.run('DELETE FROM oauth_states WHERE expires_at < ?', [Date.now() - 60 * 60 * 1000]);
  }

  async consumeOAuthState(stateHash: string, now: number): Promise<OAuthStateRecord | null> {
    // Marked used rather than deleted: a replayed callback must still find its returnUrl (the row
    // goes with the hourly sweep in createOAuthState).
    const rows = await this.#db.all<{
      workspace_id: string;
      code_verifier_enc: string;
      return_url: string;
      login_url: string;
      expires_at: number;
    }>('UPDATE oauth_states SET used_at = ? WHERE state_hash = ? AND used_at IS NULL RETURNING *', [
      now,
      stateHash,
    ]);
    const row = rows[0];
    if (!row || Number(row.expires_at) < now) return null;
    return {
      workspaceId: row.workspace_id,
      codeVerifier: this.#cipher.open(row.code_verifier_enc),
      returnUrl: row.return_url,
      loginUrl: row.login_url,
      expiresAt: Number(row.expires_at),
    };
  }

  async spentOAuthState(
    stateHash: string,
    now: number,
  ): Promise<{ returnUrl: string; why: 'used' | 'expired' } | null> {
    const rows = await this.#db.all<{ return_url: string; expires_at: number; used_at: number | null }>(
      'SELECT return_url, expires_at, used_at FROM oauth_states WHERE state_hash = ?',
      [stateHash],
    );
    const row = rows[0];
    if (!row) return null;
    const expired = Number(row.expires_at) < now;
    // A state that expired unused, or was used only after it had expired, reads as expired.
    const why = row.used_at !== null && Number(row.used_at) <= Number(row.expires_at) ? 'used' : 'expired';
    if (!expired && why === 'expired') return null; // still valid and unused: not spent
    return { returnUrl: row.return_url, why };
  }

  // --- events and meetings -----------------------------------------------------------------------

  acceptEvent(e: IncomingEvent, now: number): Promise<AcceptResult> {
    // PostgreSQL commits concurrent transactions in parallel on its pool; keep one per event there.
    if (this.#db.engine !== 'sqlite') return this.#db.tx((q) => this.#accept(q, e, now));
    return new Promise((resolve, reject) => {
      this.#accepts.push({ e, now, resolve, reject });
      this.#scheduleAcceptFlush();
    });
  }

  /**
   * Group commit (embedded engine): node:sqlite has one connection and its COMMIT waits for the disk,
   * so one transaction per webhook serialised every request on an fsync (~46% of the ingest's CPU
   * profile). Webhooks that arrive together are committed together: the flush waits for the event
   * loop's check phase (so every request read in the same poll phase joins), then runs each accept in
   * its own savepoint of one transaction, in arrival order, and answers every caller only after the
   * COMMIT. Each accept sees the ones before it exactly as it would have as separate transactions, so
   * duplicates, version ordering and not-connected handling are unchanged; one accept that throws rolls
   * back to its savepoint and fails alone; a failed COMMIT fails them all (none was acknowledged).
   */
  #scheduleAcceptFlush(): void {
    if (this.#acceptFlushScheduled) return;
    this.#acceptFlushScheduled = true;
    setImmediate(() => {
      let batch: PendingAccept[] = [];
      const outcomes: ({ ok: true; value: AcceptResult } | { ok: false; error: unknown })[] = [];
      this.#db
        .tx(async (q) => {
          // Taken when the transaction starts (it may have waited for the worker's), so everything
          // that arrived meanwhile joins; what arrives from now on schedules the next group.
          this.#acceptFlushScheduled = false;
          batch = this.#accepts.splice(0, MAX_ACCEPT_GROUP);
          if (this.#accepts.length > 0) this.#scheduleAcceptFlush();
          for (const { e, now } of batch) {
            await q.run('SAVEPOINT accept_event');
            try {
              outcomes.push({ ok: true, value: await this.#accept(q, e, now) });
              await q.run('RELEASE accept_event');
            } catch (error) {
              await q.run('ROLLBACK TO accept_event');
              await q.run('RELEASE accept_event');
              outcomes.push({ ok: false, error });
            }
          }
        })
        .then(
          () => {
            for (const [i, item] of batch.entries()) {
              const outcome = outcomes[i]!;
              if (outcome.ok) item.resolve(outcome.value);
              else item.reject(outcome.error);
            }
          },
          (error: unknown) => {
            if (batch.length === 0) this.#acceptFlushScheduled = false;
            for (const item of batch) item.reject(error);
            // BEGIN itself failed (the database closed): nothing was taken, so fail the waiting ones.
            if (batch.length === 0) for (const item of this.#accepts.splice(0)) item.reject(error);
          },
        );
    });
  }

  async #accept(q: Sql, e: IncomingEvent, now: number): Promise<AcceptResult> {
    const inserted = await q.run(
      'INSERT INTO events (event_id, workspace_id, meeting_id, type, version, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING',
      [e.eventId, e.workspaceId, e.meetingId, e.type, e.version, now],
    );
    if (inserted === 0) return 'duplicate';

    const waiting = await this.#waitingReason(q, e.workspaceId);
    const state: MeetingState = waiting ? 'failed' : 'queued';
    const input = JSON.stringify(e.input);
    const created = await q.run(
      `INSERT INTO meetings (workspace_id, meeting_id, version, input_json, state, reason, attempts, next_attempt_at,
         created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (workspace_id, meeting_id) DO NOTHING`,
      [e.workspaceId, e.meetingId, e.version, input, state, waiting, now, now, now],
    );
    if (created > 0) return 'accepted';

    const lock = this.#db.engine === 'postgres' ? ' FOR UPDATE' : '';
    const [current] = await q.all<{ version: number; state: MeetingState; input_json: string }>(
      `SELECT version, state, input_json FROM meetings WHERE workspace_id = ? AND meeting_id = ?${lock}`,
      [e.workspaceId, e.meetingId],
    );
    if (!current) return 'accepted';
    const currentKind = (JSON.parse(current.input_json) as SyncInput).kind;
    // A delete may carry the version it deletes; any other event must be strictly newer.
    const newer =
      e.version > Number(current.version) ||
      (e.input.kind === 'delete' && currentKind !== 'delete' && e.version === Number(current.version));
    if (!newer) return 'accepted';
    if (current.state === 'syncing') {
      // The worker holding the lease sees the newer version when it completes and queues it again.
      await q.run(
        'UPDATE meetings SET version = ?, input_json = ?, updated_at = ? WHERE workspace_id = ? AND meeting_id = ?',
        [e.version, input, now, e.workspaceId, e.meetingId],
      );
    } else {
      await q.run(
        `UPDATE meetings SET version = ?, input_json = ?, state = ?, reason = ?, attempts = 0, last_error = NULL,
           next_attempt_at = ?, updated_at = ? WHERE workspace_id = ? AND meeting_id = ?`,
        [e.version, input, state, waiting, now, now, e.workspaceId, e.meetingId],
      );
    }
    return 'accepted';
  }

  async #waitingReason(q: Sql, workspaceId: string): Promise<string | null> {
    const [row] = await q.all<{ status: string }>(
      'SELECT status FROM workspace_connections WHERE workspace_id = ?',
      [workspaceId],
    );
    if (!row) return 'not_connected';
    return row.status === 'broken' ? 'connection_broken' : null;
  }

  async getMeeting(workspaceId: string, meetingId: string): Promise<MeetingRecord | null> {
    const [row] = await this.#db.all<MeetingRow>(
      'SELECT * FROM meetings WHERE workspace_id = ? AND meeting_id = ?',
      [workspaceId, meetingId],
    );
    if (!row) return null;
    return { workspaceId: row.workspace_id, ...meetingSyncFromRow(row) };
  }

  requeueMeeting(
    workspaceId: string,
    meetingId: string,
    now: number,
    options: { readonly relink?: boolean } = {},
  ): Promise<boolean> {
    return this.#db.tx(async (q) => {
      const lock = this.#db.engine === 'postgres' ? ' FOR UPDATE' : '';
      const [row] = await q.all<{ state: MeetingState; input_json: string }>(
        `SELECT state, input_json FROM meetings WHERE workspace_id = ? AND meeting_id = ?${lock}`,
        [workspaceId, meetingId],
      );
      if (!row) return false;
      if (row.state === 'syncing') return true; // already on its way
      // A late match: the same version is written again with the links the org now allows
      // (SyncInput.relink); a newer event replaces the input, and with it the mark.
      const input = JSON.parse(row.input_json) as SyncInput;
      if (options.relink === true && input.kind === 'upsert' && input.relink !== true) {
        await q.run('UPDATE meetings SET input_json = ? WHERE workspace_id = ? AND meeting_id = ?', [
          JSON.stringify({ ...input, relink: true }),
          workspaceId,
          meetingId,
        ]);
      }
      const waiting = await this.#waitingReason(q, workspaceId);
      await q.run(
        `UPDATE meetings SET state = ?, reason = ?, attempts = 0, last_error = NULL, next_attempt_at = ?, updated_at = ?
         WHERE workspace_id = ? AND meeting_id = ?`,
        [waiting ? 'failed' : 'queued', waiting, now, now, workspaceId, meetingId],
      );
      return true;
    });
  }

  requeueWaiting(workspaceId: string, now: number): Promise<number> {
    return this.#db.run(
      `UPDATE meetings SET state = 'queued', reason = NULL, attempts = 0, last_error = NULL, next_attempt_at = ?, updated_at = ?
       WHERE workspace_id = ? AND state = 'failed' AND reason IN (?, ?)`,
      [now, now, workspaceId, ...WAITING_REASONS],
    );
  }

  async claimMeetings(
    owner: string,
    limit: number,
    leaseMs: number,
    now: number,
    skipWorkspaces: readonly string[] = [],
  ): Promise<ClaimedMeeting[]> {
    const skip =
      skipWorkspaces.length === 0
        ? ''
        : ` AND workspace_id NOT IN (${skipWorkspaces.map(() => '?').join(', ')})`;
    const due = `((state = 'queued' AND next_attempt_at <= ?) OR (state = 'syncing' AND lease_expires_at < ?))${skip}`;
    const set = `state = 'syncing', lease_owner = ?, lease_expires_at = ?, claimed_version = version, updated_at = ?`;
    const returning =
      'workspace_id, meeting_id, version, input_json, written_json, attempts, create_started_at';
    type Row = Pick<
      MeetingRow,
      'workspace_id' | 'meeting_id' | 'version' | 'input_json' | 'written_json' | 'attempts'
    > & { create_started_at: number | string | null };
    const rows =
      this.#db.engine === 'postgres'
        ? // SKIP LOCKED: instances sharing the database each take different meetings, none waits.
          await this.#db.all<Row>(
            `UPDATE meetings m SET ${set}
             FROM (SELECT workspace_id, meeting_id FROM meetings WHERE ${due}
                   ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED) due
             WHERE m.workspace_id = due.workspace_id AND m.meeting_id = due.meeting_id
             RETURNING m.workspace_id, m.meeting_id, m.version, m.input_json, m.written_json, m.attempts,
               m.create_started_at`,
            [owner, now + leaseMs, now, now, now, ...skipWorkspaces, limit],
          )
        : await this.#db.all<Row>(
            `UPDATE meetings SET ${set}
             WHERE rowid IN (SELECT rowid FROM meetings WHERE ${due} ORDER BY next_attempt_at LIMIT ?)
             RETURNING ${returning}`,
            [owner, now + leaseMs, now, now, now, ...skipWorkspaces, limit],
          );
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      meetingId: r.meeting_id,
      version: Number(r.version),
      input: JSON.parse(r.input_json) as SyncInput,
      previous: json<WrittenRecords | null>(r.written_json, null),
      attempts: Number(r.attempts),
      createStartedAt: r.create_started_at === null ? null : Number(r.create_started_at),
    }));
  }

  completeMeeting(
    owner: string,
    key: MeetingKey,
    claimedVersion: number,
    r: SyncResult,
    now: number,
  ): Promise<boolean> {
    return this.#db.tx(async (q) => {
      const changed = await q.run(
        `UPDATE meetings SET
           state = CASE WHEN version > ? THEN 'queued' ELSE ? END,
           reason = CASE WHEN version > ? THEN NULL ELSE ? END,
           attempts = CASE WHEN version > ? THEN 0 ELSE attempts + 1 END,
           synced_version = ?, written_json = ?, linked_json = ?, dropped_json = ?, api_calls = ?,
           last_error = NULL, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?,
           create_started_at = NULL, create_owner = NULL
         WHERE workspace_id = ? AND meeting_id = ? AND lease_owner = ? AND state = 'syncing'`,
        [
          claimedVersion,
          r.state,
          claimedVersion,
          r.reason,
          claimedVersion,
          claimedVersion,
          JSON.stringify(r.written),
          JSON.stringify(r.linked),
          JSON.stringify(r.dropped),
          r.apiCalls,
          now,
          now,
          key.workspaceId,
          key.meetingId,
          owner,
        ],
      );
      if (changed > 0) {
        await q.run('UPDATE workspace_connections SET last_sync_at = ? WHERE workspace_id = ?', [
          now,
          key.workspaceId,
        ]);
      }
      return changed > 0;
    });
  }

  async retryMeeting(
    owner: string,
    key: MeetingKey,
    error: string,
    nextAttemptAt: number,
    now: number,
  ): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE meetings SET state = 'queued', attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
       WHERE workspace_id = ? AND meeting_id = ? AND lease_owner = ? AND state = 'syncing'`,
      [error, nextAttemptAt, now, key.workspaceId, key.meetingId, owner],
    );
    return changed > 0;
  }

  async failMeeting(
    owner: string,
    key: MeetingKey,
    reason: string,
    error: string,
    now: number,
  ): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE meetings SET
         state = CASE WHEN version > claimed_version THEN 'queued' ELSE 'failed' END,
         reason = CASE WHEN version > claimed_version THEN NULL ELSE ? END,
         attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
       WHERE workspace_id = ? AND meeting_id = ? AND lease_owner = ? AND state = 'syncing'`,
      [reason, error, now, now, key.workspaceId, key.meetingId, owner],
    );
    return changed > 0;
  }

  async markCreateStarted(owner: string, key: MeetingKey, now: number): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE meetings SET create_started_at = ?, create_owner = ?
       WHERE workspace_id = ? AND meeting_id = ? AND lease_owner = ? AND state = 'syncing'`,
      [now, owner, key.workspaceId, key.meetingId, owner],
    );
    return changed > 0;
  }

  async clearCreateMark(owner: string, key: MeetingKey): Promise<void> {
    await this.#db.run(
      `UPDATE meetings SET create_started_at = NULL, create_owner = NULL
       WHERE workspace_id = ? AND meeting_id = ? AND create_owner = ? AND lease_owner = ?`,
      [key.workspaceId, key.meetingId, owner, owner],
    );
  }

  async deferMeeting(
    owner: string,
    key: MeetingKey,
    until: number,
    note: string | null,
    now: number,
  ): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE meetings SET state = 'queued', last_error = COALESCE(?, last_error), next_attempt_at = ?,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
       WHERE workspace_id = ? AND meeting_id = ? AND lease_owner = ? AND state = 'syncing'`,
      [note, until, now, key.workspaceId, key.meetingId, owner],
    );
    return changed > 0;
  }

  async extendLease(owner: string, key: MeetingKey, until: number): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE meetings SET lease_expires_at = ? WHERE workspace_id = ? AND meeting_id = ? AND lease_owner = ? AND state = 'syncing'`,
      [until, key.workspaceId, key.meetingId, owner],
    );
    return changed > 0;
  }

  async releaseOrphanedLeases(now: number): Promise<number> {
    // With PostgreSQL other live instances may hold leases; only their expiry tells they died.
    if (this.#db.engine !== 'sqlite') return 0;
    return this.#db.run(
      `UPDATE meetings SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = ?
       WHERE state = 'syncing'`,
      [now],
    );
  }

  async countMeetings(): Promise<Record<MeetingState, number>> {
    const counts: Record<MeetingState, number> = {
      queued: 0,
      syncing: 0,
      synced: 0,
      skipped: 0,
      failed: 0,
      deleted: 0,
    };
    const rows = await this.#db.all<{ state: MeetingState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM meetings GROUP BY state',
    );
    for (const r of rows) counts[r.state] = Number(r.n);
    return counts;
  }
}
