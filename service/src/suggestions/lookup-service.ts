/**
 * Use-cases behind the suggest and search endpoints. Answers are cached for a short while per
 * workspace so a person typing, or a page asking again, does not spend the org's API allowance.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../app-error.ts';
import type { Metrics } from '../metrics.ts';
import {
  ConnectionBrokenError,
  NotConnectedError,
  type Connection,
  type ConnectionManager,
} from '../salesforce/connection.ts';
import { searchRecords, suggestAssociations, type SearchHit, type Suggestion } from '../salesforce/search.ts';
import { TtlCache } from './ttl-cache.ts';

export const LOOKUP_TTL_MS = 60_000;

export class LookupService {
  readonly #connections: ConnectionManager;
  readonly #metrics: Metrics | undefined;
  readonly #suggest = new TtlCache<Suggestion[]>(LOOKUP_TTL_MS);
  readonly #search = new TtlCache<SearchHit[]>(LOOKUP_TTL_MS);

  constructor(connections: ConnectionManager, metrics?: Metrics) {
    this.#connections = connections;
    this.#metrics = metrics;
  }

  suggest(workspaceId: string, participants: readonly { email: string; name?: string | undefined }[]) {
    // The answer depends on the participants' order (ranking ties) and names, so the key keeps both.
    const normalized = participants.map((p) => [p.email.trim().toLowerCase(), p.name ?? null]);
    const key = `${workspaceId}\u0000${createHash('sha256').update(JSON.stringify(normalized)).digest('hex')}`;
    return this.#cached(this.#suggest, 'suggest', key, workspaceId, (conn) =>
      suggestAssociations(conn, participants),
    );
  }

  search(workspaceId: string, q: string, types: readonly SearchHit['type'][]) {
    const key = `${workspaceId}\u0000${q.toLowerCase()}\u0000${[...types].sort().join(',')}`;
    return this.#cached(this.#search, 'search', key, workspaceId, (conn) => searchRecords(conn, q, types));
  }

  /** A reconnect may point at another org: cached answers of the old one must go. */
  forget(workspaceId: string): void {
    this.#suggest.clearPrefix(`${workspaceId}\u0000`);
    this.#search.clearPrefix(`${workspaceId}\u0000`);
  }

  async #cached<V>(
    cache: TtlCache<V>,
    kind: string,
    key: string,
    workspaceId: string,
    load: (conn: Connection) => Promise<V>,
  ): Promise<V> {
    let missed = false;
    try {
      const value = await cache.get(key, async () => {
        missed = true;
        const { conn } = await this.#connections.get(workspaceId);
        return load(conn);
      });
      this.#metrics?.lookupCache.inc({ kind, result: missed ? 'miss' : 'hit' });
      return value;
    } catch (err) {
      if (err instanceof NotConnectedError) throw new AppError(409, 'not_connected', err.message);
      if (err instanceof ConnectionBrokenError) throw new AppError(409, 'connection_broken', err.message);
      if (await this.#isBroken(workspaceId))
        throw new AppError(409, 'connection_broken', 'the Salesforce connection is broken; reconnect it');
      throw new AppError(
        502,
        'salesforce_error',
        `Salesforce refused the look-up: ${(err as Error).message}`,
      );
    }
  }

  async #isBroken(workspaceId: string): Promise<boolean> {
    try {
      await this.#connections.get(workspaceId);
      return false;
    } catch {
      return true;
    }
  }
}
