/**
 * The events inbox and the meetings queue the worker drains (events, meetings). Ordering rules live
 * here because they must hold inside one transaction: a repeated event id changes nothing; an older
 * or equal version changes nothing; a newer version arriving while the worker syncs an older one is
 * picked up when that sync completes. A worker changes a meeting only while it holds its lease.
 */
import type { SyncInput, WrittenRecords } from '../domain/meeting-outcome.ts';
import type { Database, Sql } from './database.ts';
import { json, meetingSyncFromRow, type MeetingRow } from './meeting-row.ts';
import type {
  AcceptResult,
  ClaimedMeeting,
  IncomingEvent,
  MeetingKey,
  MeetingRecord,
  MeetingState,
  SyncResult,
} from './types.ts';

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

/** The worker that holds a meeting's lease, and the meeting. */
export interface Held {
  readonly owner: string;
  readonly key: MeetingKey;
}

export interface Claim {
  readonly owner: string;
  readonly limit: number;
  readonly leaseMs: number;
  readonly now: number;
  readonly skipWorkspaces?: readonly string[];
  /** Only this workspace's meetings: a batch takes what else of it is due (worker.ts). */
  readonly onlyWorkspace?: string;
  /**
   * The stored inputs (their JSON, in bytes) of the meetings taken add up to at most this: meetings
   * are taken in order until the next one would pass it. A batch's memory follows its meetings' size.
   */
  readonly maxInputBytes?: number;
}

export interface Complete extends Held {
  /** The version the claim took: a newer one received meanwhile is queued again. */
  readonly claimedVersion: number;
  readonly result: SyncResult;
  readonly now: number;
}

export interface Retry extends Held {
  readonly error: string;
  readonly nextAttemptAt: number;
  readonly now: number;
}

export interface Fail extends Held {
  readonly reason: string;
  readonly error: string;
  readonly now: number;
}

export interface Defer extends Held {
  readonly until: number;
  readonly note: string | null;
  readonly now: number;
}

export class MeetingRepository {
  readonly #db: Database;
  readonly #accepts: PendingAccept[] = [];
  #acceptFlushScheduled = false;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores the event and the meeting's latest version in one transaction. */
  accept(e: IncomingEvent, now: number): Promise<AcceptResult> {
    // PostgreSQL commits concurrent transactions in parallel on its pool; keep one per event there.
    if (!this.#db.dialect.groupCommit) return this.#db.tx((q) => this.#accept(q, e, now));
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

    const lock = this.#db.dialect.forUpdate;
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

  async get({ workspaceId, meetingId }: MeetingKey): Promise<MeetingRecord | null> {
    const [row] = await this.#db.all<MeetingRow>(
      'SELECT * FROM meetings WHERE workspace_id = ? AND meeting_id = ?',
      [workspaceId, meetingId],
    );
    if (!row) return null;
    return { workspaceId: row.workspace_id, ...meetingSyncFromRow(row) };
  }

  /**
   * Queues the latest version again; false when the meeting is unknown. `relink`: the version already
   * written is written once more (SyncInput.relink), for a late match or an admin's resync.
   */
  requeue(
    { workspaceId, meetingId }: MeetingKey,
    now: number,
    { relink = false }: { readonly relink?: boolean } = {},
  ): Promise<boolean> {
    return this.#db.tx(async (q) => {
      const lock = this.#db.dialect.forUpdate;
      const [row] = await q.all<{ state: MeetingState; input_json: string }>(
        `SELECT state, input_json FROM meetings WHERE workspace_id = ? AND meeting_id = ?${lock}`,
        [workspaceId, meetingId],
      );
      if (!row) return false;
      if (row.state === 'syncing') return true; // already on its way
      // A late match: the same version is written again with the links the org now allows
      // (SyncInput.relink); a newer event replaces the input, and with it the mark.
      const input = JSON.parse(row.input_json) as SyncInput;
      if (relink && input.kind === 'upsert' && input.relink !== true) {
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

  /** Meetings that waited for a connection (not_connected, connection_broken) are queued again. */
  requeueWaiting(workspaceId: string, now: number): Promise<number> {
    return this.#db.run(
      `UPDATE meetings SET state = 'queued', reason = NULL, attempts = 0, last_error = NULL, next_attempt_at = ?, updated_at = ?
       WHERE workspace_id = ? AND state = 'failed' AND reason IN (?, ?)`,
      [now, now, workspaceId, ...WAITING_REASONS],
    );
  }

  /**
   * Leases up to `limit` meetings due now (queued, or syncing with an expired lease), none of the
   * workspaces in `skipWorkspaces` (those already using their share of this worker).
   */
  async claim({
    owner,
    limit,
    leaseMs,
    now,
    skipWorkspaces = [],
    onlyWorkspace,
    maxInputBytes,
  }: Claim): Promise<ClaimedMeeting[]> {
    if (maxInputBytes !== undefined && maxInputBytes <= 0) return [];
    const filter: string[] =
      onlyWorkspace === undefined ? [...skipWorkspaces] : [...skipWorkspaces, onlyWorkspace];
    const skip =
      (skipWorkspaces.length === 0
        ? ''
        : ` AND workspace_id NOT IN (${skipWorkspaces.map(() => '?').join(', ')})`) +
      (onlyWorkspace === undefined ? '' : ` AND ${this.#db.dialect.notIndexed('workspace_id')} = ?`);
    const due = `((state = 'queued' AND next_attempt_at <= ?) OR (state = 'syncing' AND lease_expires_at < ?))${skip}`;
    const set = `state = 'syncing', lease_owner = ?, lease_expires_at = ?, claimed_version = version, updated_at = ?`;
    type Row = Pick<
      MeetingRow,
      'workspace_id' | 'meeting_id' | 'version' | 'input_json' | 'written_json' | 'attempts'
    > & { create_started_at: number | string | null };
    const rows = await this.#db.all<Row>(
      this.#db.dialect.updateFirst({
        table: 'meetings',
        key: ['workspace_id', 'meeting_id'],
        set,
        where: due,
        orderBy: 'next_attempt_at',
        returning: [
          'workspace_id',
          'meeting_id',
          'version',
          'input_json',
          'written_json',
          'attempts',
          'create_started_at',
        ],
        ...(maxInputBytes === undefined ? {} : { size: 'octet_length(input_json)' }),
      }),
      [
        owner,
        now + leaseMs,
        now,
        now,
        now,
        ...filter,
        limit,
        ...(maxInputBytes === undefined ? [] : [maxInputBytes]),
      ],
    );
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      meetingId: r.meeting_id,
      version: Number(r.version),
      input: JSON.parse(r.input_json) as SyncInput,
      previous: json<WrittenRecords | null>(r.written_json, null),
      attempts: Number(r.attempts),
      createStartedAt: r.create_started_at === null ? null : Number(r.create_started_at),
      inputBytes: Buffer.byteLength(r.input_json),
    }));
  }

  /** Stores a sync's outcome; false when the lease was lost meanwhile (nothing is changed then). */
  async complete(c: Complete): Promise<boolean> {
    return (await this.completeAll([c]))[0]!;
  }

  /**
   * The outcomes of a batch's meetings in one transaction (one commit, not one per meeting: the
   * commits were the largest share of a backlog's time in the store); for each, whether it was stored
   * (false: its lease was lost meanwhile, nothing changed for it).
   */
  completeAll(outcomes: readonly Complete[]): Promise<boolean[]> {
    if (outcomes.length === 0) return Promise.resolve([]);
    return this.#db.tx(async (q) => {
      const stored: boolean[] = [];
      const synced = new Map<string, number>();
      for (const { owner, key, claimedVersion, result: r, now } of outcomes) {
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
        stored.push(changed > 0);
        if (changed > 0) synced.set(key.workspaceId, Math.max(now, synced.get(key.workspaceId) ?? 0));
      }
      for (const [workspaceId, at] of synced)
        await q.run('UPDATE workspace_connections SET last_sync_at = ? WHERE workspace_id = ?', [
          at,
          workspaceId,
        ]);
      return stored;
    });
  }

  /** Puts the meeting back in the queue for a later attempt. */
  async retry({ owner, key, error, nextAttemptAt, now }: Retry): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE meetings SET state = 'queued', attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
       WHERE workspace_id = ? AND meeting_id = ? AND lease_owner = ? AND state = 'syncing'`,
      [error, nextAttemptAt, now, key.workspaceId, key.meetingId, owner],
    );
    return changed > 0;
  }

  /** Gives up on this version: `failed` with the reason and Salesforce's message. */
  async fail({ owner, key, reason, error, now }: Fail): Promise<boolean> {
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

  /**
   * Durably notes, before a write that creates the meeting's records is sent, that it started (time,
   * owner); false when the lease was lost (the write must not be sent then).
   */
  async markCreateStarted({ owner, key, now }: Held & { readonly now: number }): Promise<boolean> {
    const marked = await this.markCreatesStarted({
      owner,
      workspaceId: key.workspaceId,
      meetingIds: [key.meetingId],
      now,
    });
    return marked.length > 0;
  }

  /** The create write was answered (saved or refused): it can no longer land later. */
  async clearCreateMark({ owner, key }: Held): Promise<void> {
    await this.clearCreateMarks({ owner, workspaceId: key.workspaceId, meetingIds: [key.meetingId] });
  }

  /**
   * `markCreateStarted` for the meetings of one batch write, in one transaction: the meeting ids
   * marked (a meeting whose lease was lost is left out, and must not be sent).
   */
  markCreatesStarted({
    owner,
    workspaceId,
    meetingIds,
    now,
  }: {
    readonly owner: string;
    readonly workspaceId: string;
    readonly meetingIds: readonly string[];
    readonly now: number;
  }): Promise<string[]> {
    return this.#db.tx(async (q) => {
      const marked: string[] = [];
      for (const meetingId of meetingIds) {
        const changed = await q.run(
          `UPDATE meetings SET create_started_at = ?, create_owner = ?
           WHERE workspace_id = ? AND meeting_id = ? AND lease_owner = ? AND state = 'syncing'`,
          [now, owner, workspaceId, meetingId, owner],
        );
        if (changed > 0) marked.push(meetingId);
      }
      return marked;
    });
  }

  /** `clearCreateMark` for the meetings of one answered batch write, in one transaction. */
  async clearCreateMarks({
    owner,
    workspaceId,
    meetingIds,
  }: {
    readonly owner: string;
    readonly workspaceId: string;
    readonly meetingIds: readonly string[];
  }): Promise<void> {
    await this.#db.tx(async (q) => {
      for (const meetingId of meetingIds) {
        await q.run(
          `UPDATE meetings SET create_started_at = NULL, create_owner = NULL
           WHERE workspace_id = ? AND meeting_id = ? AND create_owner = ? AND lease_owner = ?`,
          [workspaceId, meetingId, owner, owner],
        );
      }
    });
  }

  /**
   * Back in the queue until `until` without counting an attempt: an earlier create write may still
   * land before then, or the workspace is paused by its API budget. `note` (when not null) is shown as
   * the meeting's last error; null leaves the last error as it was.
   */
  async defer({ owner, key, until, note, now }: Defer): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE meetings SET state = 'queued', last_error = COALESCE(?, last_error), next_attempt_at = ?,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
       WHERE workspace_id = ? AND meeting_id = ? AND lease_owner = ? AND state = 'syncing'`,
      [note, until, now, key.workspaceId, key.meetingId, owner],
    );
    return changed > 0;
  }

  /** Keeps a long sync's lease alive; false when it was lost. */
  async extendLease({ owner, key, until }: Held & { readonly until: number }): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE meetings SET lease_expires_at = ? WHERE workspace_id = ? AND meeting_id = ? AND lease_owner = ? AND state = 'syncing'`,
      [until, key.workspaceId, key.meetingId, owner],
    );
    return changed > 0;
  }

  /**
   * Embedded engine only (one process owns the file): leases left by a killed process are released
   * at start-up instead of waiting for them to expire. Returns how many.
   */
  async releaseOrphanedLeases(now: number): Promise<number> {
    if (!this.#db.dialect.singleProcess) return 0;
    return this.#db.run(
      `UPDATE meetings SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = ?
       WHERE state = 'syncing'`,
      [now],
    );
  }

  /** Counts by state, for the metrics. */
  async count(): Promise<Record<MeetingState, number>> {
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
