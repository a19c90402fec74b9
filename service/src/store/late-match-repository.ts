/**
 * The stored outcomes the late-matching pass reads (associations/late-matching.ts): meetings that
 * were skipped or written with a participant who matched nothing, or linked to an Account without an
 * Opportunity, recently enough to still qualify.
 */
import type { StoredOutcome } from '../associations/late-matching.ts';
import type { SyncInput, DroppedAssociation, LinkedAssociation } from '../domain/meeting-outcome.ts';
import type { Sql } from './database.ts';

interface Row {
  workspace_id: string;
  meeting_id: string;
  input_json: string;
  dropped_json: string | null;
  linked_json: string | null;
  updated_at: number | string;
}

export class LateMatchRepository {
  readonly #db: Sql;

  constructor(db: Sql) {
    this.#db = db;
  }

  /**
   * Per workspace, meetings synced or skipped since `since` (epoch ms) whose outcome names an email
   * that matched nothing, or an Account and no Opportunity; at most `limit`, most recent first.
   */
  async outcomesSince({
    since,
    limit,
  }: {
    readonly since: number;
    readonly limit: number;
  }): Promise<Map<string, StoredOutcome[]>> {
    const rows = await this.#db.all<Row>(
      `SELECT workspace_id, meeting_id, input_json, dropped_json, linked_json, updated_at FROM meetings
       WHERE state IN ('synced', 'skipped') AND updated_at >= ?
         AND (dropped_json LIKE ? OR (linked_json LIKE ? AND linked_json NOT LIKE ?))
       ORDER BY updated_at DESC LIMIT ?`,
      [since, '%"not_found"%', '%"Account"%', '%"Opportunity"%', limit],
    );
    const byWorkspace = new Map<string, StoredOutcome[]>();
    for (const r of rows) {
      const input = JSON.parse(r.input_json) as SyncInput;
      const list = byWorkspace.get(r.workspace_id) ?? [];
      list.push({
        meetingId: r.meeting_id,
        meeting: input.kind === 'upsert' ? input.meeting : null,
        dropped: r.dropped_json === null ? [] : (JSON.parse(r.dropped_json) as DroppedAssociation[]),
        linked: r.linked_json === null ? [] : (JSON.parse(r.linked_json) as LinkedAssociation[]),
        syncedAt: Number(r.updated_at),
      });
      byWorkspace.set(r.workspace_id, list);
    }
    return byWorkspace;
  }
}
