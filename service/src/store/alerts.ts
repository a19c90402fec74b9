/**
 * Outbound alerts (alerts): one row per episode (a connection broken, syncs failing), delivered to
 * Salescaling with retries, closed when the cause goes away.
 */
import type { Database } from './database.ts';

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

export class AlertRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** The open episode of this kind, if any. */
  async findOpen(workspaceId: string, kind: string): Promise<AlertRecord | null> {
    const [row] = await this.#db.all<Record<string, number | string | null>>(
      'SELECT * FROM alerts WHERE workspace_id = ? AND kind = ? AND closed_at IS NULL',
      [workspaceId, kind],
    );
    return row ? toAlert(row) : null;
  }

  /** Opens an episode; false when one of that kind is open already (at most one alert per episode). */
  async create(alert: {
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

  async close({
    workspaceId,
    kind,
    now,
  }: {
    readonly workspaceId: string;
    readonly kind: string;
    readonly now: number;
  }): Promise<void> {
    await this.#db.run(
      'UPDATE alerts SET closed_at = ? WHERE workspace_id = ? AND kind = ? AND closed_at IS NULL',
      [now, workspaceId, kind],
    );
  }

  async listOpen(workspaceId: string): Promise<AlertRecord[]> {
    const rows = await this.#db.all<Record<string, number | string | null>>(
      'SELECT * FROM alerts WHERE workspace_id = ? AND closed_at IS NULL ORDER BY opened_at',
      [workspaceId],
    );
    return rows.map(toAlert);
  }

  async undelivered({
    now,
    limit,
  }: {
    readonly now: number;
    readonly limit: number;
  }): Promise<AlertRecord[]> {
    const rows = await this.#db.all<Record<string, number | string | null>>(
      'SELECT * FROM alerts WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?',
      [now, limit],
    );
    return rows.map(toAlert);
  }

  async delivered(alertId: string, now: number): Promise<void> {
    await this.#db.run(
      'UPDATE alerts SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE alert_id = ?',
      [now, alertId],
    );
  }

  async attemptFailed(
    alertId: string,
    { error, nextAttemptAt }: { readonly error: string; readonly nextAttemptAt: number },
  ): Promise<void> {
    await this.#db.run(
      'UPDATE alerts SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE alert_id = ?',
      [error.slice(0, 500), nextAttemptAt, alertId],
    );
  }
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
