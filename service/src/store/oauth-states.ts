/**
 * The single-use OAuth states of the connect flow (oauth_states), keyed by the state's hash: the
 * PKCE code verifier sealed like the tokens, where the flow returns, and when it expires.
 */
import type { TokenCipher } from '../crypto/token-cipher.ts';
import type { Database } from './database.ts';
import type { OAuthStateRecord } from './types.ts';

export class OAuthStateRepository {
  readonly #db: Database;
  readonly #cipher: TokenCipher;

  constructor(db: Database, cipher: TokenCipher) {
    this.#db = db;
    this.#cipher = cipher;
  }

  async create(stateHash: string, r: OAuthStateRecord): Promise<void> {
    await this.#db.run(
      'INSERT INTO oauth_states (state_hash, workspace_id, code_verifier_enc, return_url, login_url, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      [stateHash, r.workspaceId, this.#cipher.seal(r.codeVerifier), r.returnUrl, r.loginUrl, r.expiresAt],
    );
    // Expired states are swept as new ones are made, so the table stays small without a timer.
    await this.#db.run('DELETE FROM oauth_states WHERE expires_at < ?', [Date.now() - 60 * 60 * 1000]);
  }

  /** Returns the state once: it is marked used as it is read, and only if it has not expired. */
  async consume(stateHash: string, now: number): Promise<OAuthStateRecord | null> {
    // Marked used rather than deleted: a replayed callback must still find its returnUrl (the row
    // goes with the hourly sweep in create).
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

  /**
   * For a state that exists but can no longer be used (used already, or expired): where its flow
   * was to return, and why it is spent. Null for a state never issued, or one still usable.
   */
  async spent(
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
}
