/**
 * The admin page's tables: single-use sign-in links, browser sessions, backfills (and the meetings
 * they carry) and outbound alerts. It shares the database of the Store (same engine, same
 * migrations) but none of its tables, except that it reads `meetings` and `workspace_connections`
 * (never writes them) for the sync log, backfill progress and alerts.
 */
import type { Database, Param } from './database.ts';
import { iso, json, meetingSyncFromRow, type MeetingRow, type MeetingSync } from './meeting-row.ts';
import type { MeetingState } from './types.ts';

export interface AdminSession {
  readonly workspaceId: string;
  readonly expiresAt: number;
}

/** A meeting as the sync log shows it: its sync fields, and the title and start the input carries. */
export interface MeetingLogEntry extends MeetingSync {
  readonly title: string | null;
  readonly startedAt: string | null;
}

export type BackfillState = 'receiving' | 'running' | 'paused' | 'cancelled' | 'done';

export interface BackfillRecord {
  readonly backfillId: string;
  readonly workspaceId: string;
  readonly state: BackfillState;
  readonly total: number;
  readonly invalid: number;
  readonly enqueued: number;
  readonly duplicates: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

export interface BackfillItem {
  readonly seq: number;
  readonly meetingId: string;
  readonly version: number;
  readonly eventJson: string;
}

export interface BackfillProgress {
  /** Of the items enqueued, how many have reached each state (the meeting's current version or later). */
  readonly byState: Partial<Record<MeetingState, number>>;
  readonly apiCalls: number;
}

export interface AlertRecord {
  readonly alertId: string;
  readonly workspaceId: string;
  readonly kind: string;
  readonly payload: Record<string, unknown>;
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly deliveredAt: number | null;
  readonly attempts: number;
  readonly lastError: string | null;
}

type MeetingLogRow = Omit<MeetingRow, 'workspace_id'>;

/** The sync log's order: what needs the admin first. */
const STATE_RANK = `CASE state WHEN 'failed' THEN 0 WHEN 'syncing' THEN 1 WHEN 'queued' THEN 2 WHEN 'skipped' THEN 3 WHEN 'synced' THEN 4 ELSE 5 END`;
const RANK: Record<string, number> = { failed: 0, syncing: 1, queued: 2, skipped: 3, synced: 4, deleted: 5 };

/** Opaque page cursor: the sort key of the last row shown. */
export function encodeCursor(state: string, updatedAt: number, meetingId: string): string {
  return Buffer.from(JSON.stringify([RANK[state] ?? 5, updatedAt, meetingId])).toString('base64url');
}
export function decodeCursor(cursor: string): [number, number, string] | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      Number.isInteger(v[0]) &&
      Number.isInteger(v[1]) &&
      typeof v[2] === 'string'
    )
      return [v[0] as number, v[1] as number, v[2]];
  } catch {
    // falls through: not a cursor we issued
  }
  return null;
}

export class AdminStore {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  // --- sign-in links and sessions ------------------------------------------------------------------

  async createLink(tokenHash: string, workspaceId: string, expiresAt: number): Promise<void> {
    await this.#db.run('INSERT INTO admin_links (token_hash, workspace_id, expires_at) VALUES (?, ?, ?)', [
      tokenHash,
      workspaceId,
      expiresAt,
    ]);
  }

  /** The link's workspace, once: it is marked used in the same statement that checks it. */
  async consumeLink(tokenHash: string, now: number): Promise<string | null> {
    return this.#db.tx(async (q) => {
      const changed = await q.run(
        'UPDATE admin_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?',
        [now, tokenHash, now],
      );
      if (changed !== 1) return null;
      const [row] = await q.all<{ workspace_id: string }>(
        'SELECT workspace_id FROM admin_links WHERE token_hash = ?',
        [tokenHash],
      );
      return row?.workspace_id ?? null;
    });
  }

  async createSession(
    sessionHash: string,
    workspaceId: string,
    now: number,
    expiresAt: number,
  ): Promise<void> {
    await this.#db.run(
      'INSERT INTO admin_sessions (session_hash, workspace_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      [sessionHash, workspaceId, now, expiresAt],
    );
    // Spent links and sessions are of no use to anyone: keep the tables small.
    await this.#db.run('DELETE FROM admin_sessions WHERE expires_at <= ?', [now]);
    await this.#db.run('DELETE FROM admin_links WHERE expires_at <= ?', [now - 24 * 3600_000]);
  }

  async getSession(sessionHash: string, now: number): Promise<AdminSession | null> {
    const [row] = await this.#db.all<{ workspace_id: string; expires_at: number }>(
      'SELECT workspace_id, expires_at FROM admin_sessions WHERE session_hash = ? AND expires_at > ?',
      [sessionHash, now],
    );
    return row ? { workspaceId: row.workspace_id, expiresAt: Number(row.expires_at) } : null;
  }

  async deleteSession(sessionHash: string): Promise<void> {
    await this.#db.run('DELETE FROM admin_sessions WHERE session_hash = ?', [sessionHash]);
  }

  // --- the sync log (read-only over the meetings queue) -------------------------------------------

  async listMeetings(
    workspaceId: string,
    options: { state?: MeetingState | undefined; after?: [number, number, string] | null; limit: number },
  ): Promise<{ items: MeetingLogEntry[]; next: string | null }> {
    const where = ['workspace_id = ?'];
    const params: Param[] = [workspaceId];
    if (options.state) {
      where.push('state = ?');
      params.push(options.state);
    }
    if (options.after) {
      const [rank, updatedAt, meetingId] = options.after;
      where.push(
        `(${STATE_RANK} > ? OR (${STATE_RANK} = ? AND (updated_at < ? OR (updated_at = ? AND meeting_id > ?))))`,
      );
      params.push(rank, rank, updatedAt, updatedAt, meetingId);
    }
    params.push(options.limit + 1);
    const rows = await this.#db.all<MeetingLogRow>(
      `SELECT meeting_id, state, reason, version, synced_version, input_json, written_json, linked_json,
         dropped_json, attempts, last_error, api_calls, next_attempt_at, updated_at
       FROM meetings WHERE ${where.join(' AND ')}
       ORDER BY ${STATE_RANK}, updated_at DESC, meeting_id LIMIT ?`,
      params,
    );
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => {
        const input = json<{ kind?: string; meeting?: { title?: string; startedAt?: string } }>(
          r.input_json,
          {},
        );
        return {
          ...meetingSyncFromRow(r),
          title: input.meeting?.title ?? null,
          startedAt: input.meeting?.startedAt ?? null,
          // the sync log shows the row's retry time whatever the state (the status endpoint only for queued)
          nextAttemptAt: iso(r.next_attempt_at),
        };
      }),
      next:
        rows.length > options.limit && last
          ? encodeCursor(last.state, Number(last.updated_at), last.meeting_id)
          : null,
    };
  }

  async countMeetingsByState(workspaceId: string): Promise<Partial<Record<MeetingState, number>>> {
    const rows = await this.#db.all<{ state: MeetingState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM meetings WHERE workspace_id = ? GROUP BY state',
      [workspaceId],
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /** Failed meetings updated since `since`, for the sync.failing alert. */
  async countFailedSince(workspaceId: string, since: number): Promise<number> {
    const [row] = await this.#db.all<{ n: number }>(
      // Meetings waiting for a connection are the connection's alert, not the sync's.
      `SELECT COUNT(*) AS n FROM meetings WHERE workspace_id = ? AND state = 'failed' AND updated_at >= ?
         AND (reason IS NULL OR reason NOT IN ('not_connected', 'connection_broken'))`,
      [workspaceId, since],
    );
    return Number(row?.n ?? 0);
  }

  /** Every connected or broken workspace with its status, for the alert monitor. */
  async connectionStatuses(): Promise<
    { workspaceId: string; status: string; brokenReason: string | null }[]
  > {
    const rows = await this.#db.all<{ workspace_id: string; status: string; broken_reason: string | null }>(
      'SELECT workspace_id, status, broken_reason FROM workspace_connections',
    );
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      status: r.status,
      brokenReason: r.broken_reason,
    }));
  }

  // --- backfills -----------------------------------------------------------------------------------

  async createBackfill(backfillId: string, workspaceId: string, now: number): Promise<void> {
    await this.#db.run(
      `INSERT INTO backfills (backfill_id, workspace_id, state, created_at, updated_at) VALUES (?, ?, 'receiving', ?, ?)`,
      [backfillId, workspaceId, now, now],
    );
  }

  /** Stores a batch of received meetings (the body is streamed into the database, not memory). */
  async addBackfillItems(backfillId: string, items: readonly BackfillItem[], invalid: number): Promise<void> {
    await this.#db.tx(async (q) => {
      for (const it of items)
        await q.run(
          'INSERT INTO backfill_items (backfill_id, seq, meeting_id, version, event_json) VALUES (?, ?, ?, ?, ?)',
          [backfillId, it.seq, it.meetingId, it.version, it.eventJson],
        );
      await q.run(
        'UPDATE backfills SET total = total + ?, invalid = invalid + ?, updated_at = ? WHERE backfill_id = ?',
        [items.length, invalid, Date.now(), backfillId],
      );
    });
  }

  /** A body that could not be read to its end leaves nothing behind. */
  async deleteBackfill(backfillId: string): Promise<void> {
    await this.#db.tx(async (q) => {
      await q.run('DELETE FROM backfill_items WHERE backfill_id = ?', [backfillId]);
      await q.run('DELETE FROM backfills WHERE backfill_id = ?', [backfillId]);
    });
  }

  async getBackfill(workspaceId: string, backfillId: string): Promise<BackfillRecord | null> {
    const [row] = await this.#db.all<Record<string, number | string | null>>(
      'SELECT * FROM backfills WHERE workspace_id = ? AND backfill_id = ?',
      [workspaceId, backfillId],
    );
    return row ? toBackfill(row) : null;
  }

  async listBackfills(workspaceId: string, limit = 10): Promise<BackfillRecord[]> {
    const rows = await this.#db.all<Record<string, number | string | null>>(
      'SELECT * FROM backfills WHERE workspace_id = ? ORDER BY created_at DESC LIMIT ?',
      [workspaceId, limit],
    );
    return rows.map(toBackfill);
  }

  /** Backfills the runner must drive (after a restart too). */
  async activeBackfills(): Promise<BackfillRecord[]> {
    const rows = await this.#db.all<Record<string, number | string | null>>(
      `SELECT * FROM backfills WHERE state = 'running' ORDER BY created_at`,
    );
    return rows.map(toBackfill);
  }

  /**
   * Moves a backfill from one state to another; false when it was not in `from` (a cancelled
   * backfill stays cancelled, whoever asks).
   */
  async setBackfillState(
    backfillId: string,
    from: readonly BackfillState[],
    to: BackfillState,
    now: number,
  ): Promise<boolean> {
    const marks = from.map(() => '?').join(', ');
    const extra =
      to === 'running'
        ? ', started_at = COALESCE(started_at, ?)'
        : to === 'done' || to === 'cancelled'
          ? ', finished_at = ?'
          : '';
    const params: Param[] = [to, now, ...(extra ? [now] : []), backfillId, ...from];
    return (
      (await this.#db.run(
        `UPDATE backfills SET state = ?, updated_at = ?${extra} WHERE backfill_id = ? AND state IN (${marks})`,
        params,
      )) === 1
    );
  }

  async nextBackfillItems(backfillId: string, limit: number): Promise<BackfillItem[]> {
    const rows = await this.#db.all<{ seq: number; meeting_id: string; version: number; event_json: string }>(
      'SELECT seq, meeting_id, version, event_json FROM backfill_items WHERE backfill_id = ? AND enqueued_at IS NULL ORDER BY seq LIMIT ?',
      [backfillId, limit],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      meetingId: r.meeting_id,
      version: Number(r.version),
      eventJson: r.event_json,
    }));
  }

  async markItemEnqueued(
    backfillId: string,
    seq: number,
    outcome: 'accepted' | 'duplicate',
    now: number,
  ): Promise<void> {
    await this.#db.tx(async (q) => {
      // Two runners (several service instances on PostgreSQL) may feed the same item; the event id
      // makes the second acceptEvent a no-op, and only the first mark counts.
      const marked = await q.run(
        'UPDATE backfill_items SET enqueued_at = ?, outcome = ? WHERE backfill_id = ? AND seq = ? AND enqueued_at IS NULL',
        [now, outcome, backfillId, seq],
      );
      if (marked !== 1) return;
      await q.run(
        `UPDATE backfills SET enqueued = enqueued + 1, duplicates = duplicates + ?, updated_at = ? WHERE backfill_id = ?`,
        [outcome === 'duplicate' ? 1 : 0, now, backfillId],
      );
    });
  }

  /** Where the backfill's meetings stand now, read from the meetings queue itself. */
  async backfillProgress(workspaceId: string, backfillId: string): Promise<BackfillProgress> {
    const rows = await this.#db.all<{ state: MeetingState; n: number; calls: number | null }>(
      `SELECT m.state AS state, COUNT(*) AS n, SUM(m.api_calls) AS calls
       FROM backfill_items i JOIN meetings m ON m.workspace_id = ? AND m.meeting_id = i.meeting_id
       WHERE i.backfill_id = ? AND i.enqueued_at IS NOT NULL
       GROUP BY m.state`,
      [workspaceId, backfillId],
    );
    return {
      byState: Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])),
      apiCalls: rows.reduce((sum, r) => sum + Number(r.calls ?? 0), 0),
    };
  }

  /** Meetings of this workspace queued or syncing now: the runner feeds the queue only as it drains. */
  async pendingMeetings(workspaceId: string): Promise<number> {
    const [row] = await this.#db.all<{ n: number }>(
      `SELECT COUNT(*) AS n FROM meetings WHERE workspace_id = ? AND state IN ('queued', 'syncing')`,
      [workspaceId],
    );
    return Number(row?.n ?? 0);
  }

  // --- token health --------------------------------------------------------------------------------

  async recordRefresh(workspaceId: string, outcome: string, now: number): Promise<void> {
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

  // --- alerts --------------------------------------------------------------------------------------

  async openAlert(workspaceId: string, kind: string): Promise<AlertRecord | null> {
    const [row] = await this.#db.all<Record<string, number | string | null>>(
      'SELECT * FROM alerts WHERE workspace_id = ? AND kind = ? AND closed_at IS NULL',
      [workspaceId, kind],
    );
    return row ? toAlert(row) : null;
  }

  /** Opens an episode; false when one of that kind is open already (at most one alert per episode). */
  async createAlert(alert: {
    alertId: string;
    workspaceId: string;
    kind: string;
    payload: Record<string, unknown>;
    now: number;
  }): Promise<boolean> {
    return this.#db.tx(async (q) => {
      const [open] = await q.all<{ alert_id: string }>(
        'SELECT alert_id FROM alerts WHERE workspace_id = ? AND kind = ? AND closed_at IS NULL',
        [alert.workspaceId, alert.kind],
      );
      if (open) return false;
      await q.run(
        'INSERT INTO alerts (alert_id, workspace_id, kind, payload_json, opened_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)',
        [alert.alertId, alert.workspaceId, alert.kind, JSON.stringify(alert.payload), alert.now, alert.now],
      );
      return true;
    });
  }

  async closeAlert(workspaceId: string, kind: string, now: number): Promise<void> {
    await this.#db.run(
      'UPDATE alerts SET closed_at = ? WHERE workspace_id = ? AND kind = ? AND closed_at IS NULL',
      [now, workspaceId, kind],
    );
  }

  async openAlerts(workspaceId: string): Promise<AlertRecord[]> {
    const rows = await this.#db.all<Record<string, number | string | null>>(
      'SELECT * FROM alerts WHERE workspace_id = ? AND closed_at IS NULL ORDER BY opened_at',
      [workspaceId],
    );
    return rows.map(toAlert);
  }

  async undeliveredAlerts(now: number, limit: number): Promise<AlertRecord[]> {
    const rows = await this.#db.all<Record<string, number | string | null>>(
      'SELECT * FROM alerts WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?',
      [now, limit],
    );
    return rows.map(toAlert);
  }

  async alertDelivered(alertId: string, now: number): Promise<void> {
    await this.#db.run(
      'UPDATE alerts SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE alert_id = ?',
      [now, alertId],
    );
  }

  async alertAttemptFailed(alertId: string, error: string, nextAttemptAt: number): Promise<void> {
    await this.#db.run(
      'UPDATE alerts SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE alert_id = ?',
      [error.slice(0, 500), nextAttemptAt, alertId],
    );
  }
}

function toBackfill(r: Record<string, number | string | null>): BackfillRecord {
  const n = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    backfillId: String(r['backfill_id']),
    workspaceId: String(r['workspace_id']),
    state: String(r['state']) as BackfillState,
    total: Number(r['total']),
    invalid: Number(r['invalid']),
    enqueued: Number(r['enqueued']),
    duplicates: Number(r['duplicates']),
    createdAt: Number(r['created_at']),
    startedAt: n(r['started_at']),
    finishedAt: n(r['finished_at']),
  };
}

function toAlert(r: Record<string, number | string | null>): AlertRecord {
  const n = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    alertId: String(r['alert_id']),
    workspaceId: String(r['workspace_id']),
    kind: String(r['kind']),
    payload: JSON.parse(String(r['payload_json'])) as Record<string, unknown>,
    openedAt: Number(r['opened_at']),
    closedAt: n(r['closed_at']),
    deliveredAt: n(r['delivered_at']),
    attempts: Number(r['attempts']),
    lastError: r['last_error'] === null || r['last_error'] === undefined ? null : String(r['last_error']),
  };
}
