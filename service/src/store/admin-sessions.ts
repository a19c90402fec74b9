/**
 * The admin page's sign-in (admin_links, admin_sessions): single-use links the Salescaling backend
 * mints, and the browser sessions they open. Only hashes of the tokens are stored.
 */
import type { Database } from './database.ts';

export interface AdminSession {
  readonly workspaceId: string;
  readonly expiresAt: number;
}

export interface NewLink {
  readonly tokenHash: string;
  readonly workspaceId: string;
  readonly expiresAt: number;
}

export interface NewSession {
  readonly sessionHash: string;
  readonly workspaceId: string;
  readonly now: number;
  readonly expiresAt: number;
}

export class AdminSessionRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async createLink({ tokenHash, workspaceId, expiresAt }: NewLink): Promise<void> {
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

  async createSession({ sessionHash, workspaceId, now, expiresAt }: NewSession): Promise<void> {
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
}
