/**
 * Backfills (backfills, backfill_items): a workspace's history received in one request, stored as it
 * streams in, then fed to the meetings queue as it drains. Progress is read from the queue itself.
 */
import type { Database, Param } from './database.ts';
import type { MeetingState } from './types.ts';

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

export interface BackfillKey {
  readonly workspaceId: string;
  readonly backfillId: string;
}

export interface NewBackfill extends BackfillKey {
  readonly now: number;
}

export class BackfillRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async create({ backfillId, workspaceId, now }: NewBackfill): Promise<void> {
    await this.#db.run(
      `INSERT INTO backfills (backfill_id, workspace_id, state, created_at, updated_at) VALUES (?, ?, 'receiving', ?, ?)`,
      [backfillId, workspaceId, now, now],
    );
  }

  /** Stores a batch of received meetings (the body is streamed into the database, not memory). */
  async addItems(
    backfillId: string,
    { items, invalid }: { readonly items: readonly BackfillItem[]; readonly invalid: number },
  ): Promise<void> {
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
  async delete(backfillId: string): Promise<void> {
    await this.#db.tx(async (q) => {
      await q.run('DELETE FROM backfill_items WHERE backfill_id = ?', [backfillId]);
      await q.run('DELETE FROM backfills WHERE backfill_id = ?', [backfillId]);
    });
  }

  async get({ workspaceId, backfillId }: BackfillKey): Promise<BackfillRecord | null> {
    const [row] = await this.#db.all<Record<string, number | string | null>>(
      'SELECT * FROM backfills WHERE workspace_id = ? AND backfill_id = ?',
      [workspaceId, backfillId],
    );
    return row ? toBackfill(row) : null;
  }

  async list(workspaceId: string, limit = 10): Promise<BackfillRecord[]> {
    const rows = await this.#db.all<Record<string, number | string | null>>(
      'SELECT * FROM backfills WHERE workspace_id = ? ORDER BY created_at DESC LIMIT ?',
      [workspaceId, limit],
    );
    return rows.map(toBackfill);
  }

  /** Backfills the runner must drive (after a restart too). */
  async active(): Promise<BackfillRecord[]> {
    const rows = await this.#db.all<Record<string, number | string | null>>(
      `SELECT * FROM backfills WHERE state = 'running' ORDER BY created_at`,
    );
    return rows.map(toBackfill);
  }

  /**
   * Moves a backfill from one state to another; false when it was not in `from` (a cancelled
   * backfill stays cancelled, whoever asks).
   */
  async setState(
    backfillId: string,
    {
      from,
      to,
      now,
    }: { readonly from: readonly BackfillState[]; readonly to: BackfillState; readonly now: number },
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

  async nextItems(backfillId: string, limit: number): Promise<BackfillItem[]> {
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
    {
      seq,
      outcome,
      now,
    }: { readonly seq: number; readonly outcome: 'accepted' | 'duplicate'; readonly now: number },
  ): Promise<void> {
    await this.#db.tx(async (q) => {
      // Two runners (several service instances on PostgreSQL) may feed the same item; the event id
      // makes the second accept a no-op, and only the first mark counts.
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
  async progress({ workspaceId, backfillId }: BackfillKey): Promise<BackfillProgress> {
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
