/**
 * One jsforce Connection per connected workspace, built from the stored (sealed) tokens.
 * - A 401 makes jsforce call our refresh function; concurrent refreshes for one workspace collapse
 *   into one request, and the new tokens (a rotated refresh token too) are saved on the Connection's
 *   `refresh` event.
 * - A dead refresh token (`invalid_grant`: revoked, expired, user deactivated) marks the connection
 *   broken; it is not tried again until someone connects the workspace anew.
 * - A session refused again right after a refresh is not refreshed again (CONTRACT §8: "refresh once,
 *   retry"): jsforce alone would refresh and retry for as long as the org keeps answering 401.
 */
// jsforce's core (Connection, OAuth2, Query, SObject) without the APIs we never call (Bulk, Metadata,
// SOAP, Tooling, Streaming…): ~6 MiB less resident memory for the service (issue 11, docs/benchmarks.md).
import { Connection } from 'jsforce/lib/core.js';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import type { ConnectionRecord } from '../store/types.ts';
import { SalesforceError } from './errors.ts';
import { OAuthError, refreshAccessToken, type OAuthClient, type TokenResponse } from './oauth.ts';

// The rest of the service names jsforce's Connection through this module only (DESIGN: one door).
export type { Connection };

/** Default bound on every Salesforce data call (SALESFORCE_TIMEOUT_SECONDS). */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const callTimeouts = new WeakMap<Connection, number>();

/**
 * How long a call on this Connection may take before the service gives up on it (issue 14 item 3):
 * a hung org must not hold a worker slot for ever. jsforce's own fetch timeout is 30 minutes and not
 * settable per call, so the bound is applied where the service calls (salesforce/composite.ts).
 */
export function callTimeoutMs(conn: Connection): number {
  return callTimeouts.get(conn) ?? DEFAULT_CALL_TIMEOUT_MS;
}

/** A Connection for a token just granted, before it is stored: used once, so it never refreshes. */
export function grantedConnection(instanceUrl: string, accessToken: string, apiVersion: string): Connection {
  return new Connection({ instanceUrl, accessToken, version: apiVersion });
}

/**
 * A Connection logged in with a user's name and password (OAuth username-password flow), for the
 * demo, the benchmarks and tests that seed a local org: they get jsforce through this module, as the
 * rest of the service does (eslint.config.js enforces it). The service itself never holds a password.
 */
export async function passwordConnection(options: {
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  apiVersion: string;
  redirectUri?: string;
}): Promise<Connection> {
  const { loginUrl, clientId, clientSecret, redirectUri } = options;
  const conn = new Connection({
    oauth2: { loginUrl, clientId, clientSecret, ...(redirectUri === undefined ? {} : { redirectUri }) },
    version: options.apiVersion,
  });
  await conn.login(options.username, options.password);
  return conn;
}

/** A 401 this soon after a successful refresh means the fresh token itself is refused. */
export const REFRESH_GUARD_MS = 10_000;

export class ConnectionBrokenError extends Error {
  override readonly name = 'ConnectionBrokenError';
  readonly workspaceId: string;
  constructor(workspaceId: string, reason: string) {
    super(`the Salesforce connection of workspace ${workspaceId} is broken (${reason}); reconnect it`);
    this.workspaceId = workspaceId;
  }
}

export class NotConnectedError extends Error {
  override readonly name = 'NotConnectedError';
  constructor(workspaceId: string) {
    super(`workspace ${workspaceId} has no Salesforce connection`);
  }
}

export interface ConnectionManagerOptions {
  readonly store: Store;
  readonly client: OAuthClient;
  readonly apiVersion: string;
  readonly logger: Logger;
  readonly onRefresh?: (outcome: 'ok' | 'dead' | 'error', workspaceId: string) => void;
  /** Bound on every data call made through the Connections built here. */
  readonly callTimeoutMs?: number;
}

export interface ConnectionEntry {
  readonly conn: Connection;
  readonly record: ConnectionRecord;
}

/** The same grant: same connect (time), org, user and instance, and still usable. */
function sameGrant(a: ConnectionRecord, b: ConnectionRecord): boolean {
  return (
    a.connectedAt === b.connectedAt &&
    a.orgId === b.orgId &&
    a.userId === b.userId &&
    a.instanceUrl === b.instanceUrl &&
    b.status === 'connected'
  );
}

export class ConnectionManager {
  readonly #o: ConnectionManagerOptions;
  readonly #cache = new Map<string, Promise<ConnectionEntry>>();
  readonly #refreshing = new Map<string, Promise<TokenResponse>>();
  readonly #refreshedAt = new Map<string, number>();

  constructor(options: ConnectionManagerOptions) {
    this.#o = options;
  }

  /**
   * The workspace's Connection; throws NotConnectedError or ConnectionBrokenError. Each call reads the
   * stored connection (one indexed row; the database is shared by every instance) and keeps the cached
   * Connection only while it belongs to the same grant: a reconnect (to another org, or as another
   * user), a disconnect or a broken mark made through any instance takes effect here at once
   * (issue 14 item 10). Tokens refreshed by this Connection do not count as another grant.
   */
  async get(workspaceId: string): Promise<ConnectionEntry> {
    const record = await this.#o.store.connections.get(workspaceId);
    if (!record) {
      this.#cache.delete(workspaceId);
      throw new NotConnectedError(workspaceId);
    }
    const cached = this.#cache.get(workspaceId);
    if (cached) {
      const entry = await cached.catch(() => null);
      if (entry !== null && sameGrant(entry.record, record)) return entry;
      if (this.#cache.get(workspaceId) === cached) this.#cache.delete(workspaceId);
    }
    let entry = this.#cache.get(workspaceId);
    if (!entry) {
      entry = this.#build(workspaceId, record);
      this.#cache.set(workspaceId, entry);
      entry.catch(() => this.#cache.delete(workspaceId));
    }
    return entry;
  }

  /** Drops the cached Connection (after a reconnect or a disconnect). */
  forget(workspaceId: string): void {
    this.#cache.delete(workspaceId);
  }

  /**
   * Refreshes the access token now (the worker does this once when a sync still meets an auth
   * error). Throws ConnectionBrokenError when the grant is dead.
   */
  async forceRefresh(workspaceId: string): Promise<void> {
    const { conn } = await this.get(workspaceId);
    const res = await this.#refreshOnce(workspaceId, conn);
    conn.accessToken = res.access_token;
    conn.emit('refresh', res.access_token, res);
  }

  async #build(workspaceId: string, record: ConnectionRecord): Promise<ConnectionEntry> {
    if (record.status === 'broken')
      throw new ConnectionBrokenError(workspaceId, record.brokenReason ?? 'broken');
    const conn = new Connection({
      instanceUrl: record.instanceUrl,
      accessToken: record.accessToken,
      refreshToken: record.refreshToken,
      version: this.#o.apiVersion,
      refreshFn: (c, callback) => {
        this.#refreshOnce(workspaceId, c).then(
          (res) => callback(null, res.access_token, res as never),
          (err: Error) => callback(err),
        );
      },
    });
    callTimeouts.set(conn, this.#o.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
    conn.on('refresh', (accessToken: string, res: Partial<TokenResponse> | undefined) => {
      const rotated = res?.refresh_token ?? null;
      this.#o.store.connections
        .updateTokens(workspaceId, { accessToken, refreshToken: rotated })
        .catch((err: unknown) => {
          this.#o.logger.error(
            { workspaceId, err: (err as Error).message },
            'could not save refreshed tokens',
          );
        });
    });
    return { conn, record };
  }

  /**
   * jsforce asks for a refresh only for a request sent after its last refresh; asked again within
   * REFRESH_GUARD_MS of one, the new token itself was refused: give up (kind `auth`, so the worker
   * retries the meeting later with backoff) instead of minting token after token.
   */
  #refreshOnce(workspaceId: string, conn: Connection): Promise<TokenResponse> {
    const last = this.#refreshedAt.get(workspaceId);
    if (!this.#refreshing.has(workspaceId) && last !== undefined && Date.now() - last < REFRESH_GUARD_MS) {
      this.#o.logger.warn({ workspaceId }, 'Salesforce refused a session refreshed moments ago');
      return Promise.reject(
        new SalesforceError(
          'auth',
          'INVALID_SESSION_ID',
          'Salesforce refused the session again right after it was refreshed',
        ),
      );
    }
    return this.#refresh(workspaceId, conn);
  }

  #refresh(workspaceId: string, conn: Connection): Promise<TokenResponse> {
    let pending = this.#refreshing.get(workspaceId);
    if (!pending) {
      pending = this.#doRefresh(workspaceId, conn).finally(() => this.#refreshing.delete(workspaceId));
      this.#refreshing.set(workspaceId, pending);
    }
    return pending;
  }

  async #doRefresh(workspaceId: string, conn: Connection): Promise<TokenResponse> {
    const record = await this.#o.store.connections.get(workspaceId);
    if (!record) throw new NotConnectedError(workspaceId);
    if (record.status === 'broken')
      throw new ConnectionBrokenError(workspaceId, record.brokenReason ?? 'broken');
    try {
      const res = await refreshAccessToken(record.loginUrl, this.#o.client, record.refreshToken);
      if (res.refresh_token) conn.refreshToken = res.refresh_token;
      if (res.instance_url && res.instance_url !== conn.instanceUrl) conn.instanceUrl = res.instance_url;
      this.#refreshedAt.set(workspaceId, Date.now());
      this.#o.onRefresh?.('ok', workspaceId);
      this.#o.logger.info({ workspaceId }, 'access token refreshed');
      return res;
    } catch (err) {
      if (err instanceof OAuthError && (err.code === 'invalid_grant' || err.code === 'invalid_client_id')) {
        // The grant is gone; hammering the token endpoint would not bring it back.
        await this.#o.store.connections.markBroken(workspaceId, `refresh_failed:${err.code}`);
        this.forget(workspaceId);
        this.#o.onRefresh?.('dead', workspaceId);
        this.#o.logger.warn(
          { workspaceId, code: err.code },
          'refresh token is dead; connection marked broken',
        );
        throw new ConnectionBrokenError(workspaceId, err.code);
      }
      this.#o.onRefresh?.('error', workspaceId);
      throw err;
    }
  }
}
