/**
 * The meetings queue as people read it (the admin page's sync log, its counts, the alerts and the
 * backfill runner): reads only. The queue itself, and every write to it, is meetings.ts.
 */
import type { Database, Param } from './database.ts';
import { iso, json, meetingSyncFromRow, type MeetingRow, type MeetingSync } from './meeting-row.ts';
import { WAITING_REASONS } from './meetings.ts';
import type { MeetingState } from './types.ts';

/** A meeting as the sync log shows it: its sync fields, and the title and start the input carries. */
export interface MeetingLogEntry extends MeetingSync {
  readonly title: string | null;
  readonly startedAt: string | null;
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

export class MeetingLogRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async list(
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

  async countByState(workspaceId: string): Promise<Partial<Record<MeetingState, number>>> {
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
         AND (reason IS NULL OR reason NOT IN (?, ?))`,
      [workspaceId, since, ...WAITING_REASONS],
    );
    return Number(row?.n ?? 0);
  }

  /** Meetings of this workspace queued or syncing now: the runner feeds the queue only as it drains. */
  async pending(workspaceId: string): Promise<number> {
    const [row] = await this.#db.all<{ n: number }>(
      `SELECT COUNT(*) AS n FROM meetings WHERE workspace_id = ? AND state IN ('queued', 'syncing')`,
      [workspaceId],
    );
    return Number(row?.n ?? 0);
  }
}
