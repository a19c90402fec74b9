/**
 * Use-cases of connecting a workspace to a Salesforce org: start (authorize URL with PKCE and a
 * single-use state), finish (the callback), status, disconnect.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { grantedConnection, type ConnectionManager } from '../salesforce/connection.ts';
import {
  checkOrg,
  explainMissing,
  INTEGRATION_PERMISSION_SET,
  missingForSettings,
} from '../salesforce/org-check.ts';
import {
  OAuthError,
  buildAuthorizeUrl,
  createPkce,
  exchangeCode,
  fetchIdentity,
  randomToken,
  revokeToken,
  verifyTokenSignature,
  type OAuthClient,
} from '../salesforce/oauth.ts';
import type { Store } from '../store/types.ts';
import { AppError, notFound } from '../app-error.ts';

export const STATE_TTL_MS = 10 * 60 * 1000;

export interface ConnectServiceOptions {
  readonly store: Store;
  readonly connections: ConnectionManager;
  readonly client: OAuthClient;
  readonly defaultLoginUrl: string;
  readonly apiVersion: string;
  readonly logger: Logger;
  /** Called once a workspace is connected, so queued meetings are picked up at once. */
  readonly onConnected?: (workspaceId: string) => void;
  /** Called once a workspace is disconnected, so nothing learnt from its org is kept. */
  readonly onDisconnected?: (workspaceId: string) => void;
}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

function withParams(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/**
 * Where an authorization server may live: the configured login URL's origin, Salesforce's login and
 * My Domain hosts over https (production, sandboxes, Government Cloud), or this machine (the local org).
 */
export function isAllowedLoginUrl(loginUrl: string, configured: string): boolean {
  let u: URL;
  try {
    u = new URL(loginUrl);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (u.origin === new URL(configured).origin) return true;
  const host = u.hostname.toLowerCase();
  if (['127.0.0.1', 'localhost', '[::1]'].includes(host))
    return u.protocol === 'http:' || u.protocol === 'https:';
  return (
    u.protocol === 'https:' &&
    /(^|\.)(salesforce\.com|force\.com|salesforce\.mil|cloudforce\.com)$/.test(host)
  );
}

/**
 * Describe hides a field the user cannot read, so missing package fields mean either the package is not
 * installed or the connected user lacks the permission set giving field-level security on them (a
 * Standard User without it sees the same describe as an org without the package). Field-level
 * security: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/obj_ref_data_access.htm
 */
export const PACKAGE_FIELDS_FIX = `Install the Salescaling package and assign its ${INTEGRATION_PERMISSION_SET} permission set to the connected user (Salesforce hides fields a user cannot read, so without the permission set the package's fields look absent). Until then meetings are written without them.`;

export class ConnectService {
  readonly #o: ConnectServiceOptions;
  constructor(options: ConnectServiceOptions) {
    this.#o = options;
  }

  async start(
    workspaceId: string,
    body: { returnUrl: string; loginUrl?: string | undefined },
    now = Date.now(),
  ) {
    const loginUrl = (body.loginUrl ?? this.#o.defaultLoginUrl).replace(/\/+$/, '');
    if (!isAllowedLoginUrl(loginUrl, this.#o.defaultLoginUrl)) {
      // The code exchange sends the client secret to this host: only Salesforce's own hosts qualify.
      throw new AppError(
        422,
        'login_url_not_allowed',
        'loginUrl must be a Salesforce login or My Domain URL',
        [{ path: 'loginUrl', message: 'not a Salesforce login host' }],
      );
    }
    const { verifier, challenge } = createPkce();
    const state = randomToken(32);
    const expiresAt = now + STATE_TTL_MS;
    // Only a hash of the state is stored: a database reader cannot complete someone's flow.
    await this.#o.store.oauthStates.create(hashState(state), {
      workspaceId,
      codeVerifier: verifier,
      returnUrl: body.returnUrl,
      loginUrl,
      expiresAt,
    });
    return {
      authorizeUrl: buildAuthorizeUrl(loginUrl, this.#o.client, { state, codeChallenge: challenge }),
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /** Finishes the flow; returns where to redirect the browser. Throws AppError 400 for a bad state. */
  async finish(query: {
    code?: string | undefined;
    state?: string | undefined;
    error?: string | undefined;
  }): Promise<string> {
    if (!query.state) throw new AppError(400, 'invalid_state', 'the state parameter is missing');
    const now = Date.now();
    const pending = await this.#o.store.oauthStates.consume(hashState(query.state), now);
    if (!pending) {
      // A state we issued but that is spent still names its returnUrl (set by the authenticated
      // backend, so no open redirect): the browser goes back with the reason. A state never issued
      // has nowhere safe to go.
      const spent = await this.#o.store.oauthStates.spent(hashState(query.state), now);
      if (!spent) throw new AppError(400, 'invalid_state', 'the state is unknown');
      return withParams(spent.returnUrl, {
        salesforce: 'error',
        reason: spent.why === 'used' ? 'state_already_used' : 'state_expired',
      });
    }
    const back = (params: Record<string, string>) => withParams(pending.returnUrl, params);
    const log = this.#o.logger.child({ workspaceId: pending.workspaceId });

    if (query.error)
      return back({
        salesforce: 'error',
        reason: /^[a-z_]{1,64}$/.test(query.error) ? query.error : 'authorization_failed',
      });
    if (!query.code) return back({ salesforce: 'error', reason: 'missing_code' });

    try {
      const token = await exchangeCode(pending.loginUrl, this.#o.client, query.code, pending.codeVerifier);
      if (!verifyTokenSignature(token, this.#o.client.clientSecret)) {
        log.warn('token response signature did not verify');
        return back({ salesforce: 'error', reason: 'invalid_signature' });
      }
      if (!token.refresh_token) return back({ salesforce: 'error', reason: 'no_refresh_token' });
      const identity = await fetchIdentity(token.id, token.access_token);
      const org = await checkOrg(
        grantedConnection(token.instance_url, token.access_token, this.#o.apiVersion),
      );
      await this.#o.store.connections.save({
        workspaceId: pending.workspaceId,
        status: 'connected',
        brokenReason: null,
        loginUrl: pending.loginUrl,
        instanceUrl: token.instance_url,
        identityUrl: token.id,
        orgId: identity.organization_id,
        userId: identity.user_id,
        username: identity.username ?? null,
        displayName: identity.display_name ?? null,
        accessToken: token.access_token,
        refreshToken: token.refresh_token,
        profile: {
          orgId: identity.organization_id,
          connectedUserId: identity.user_id,
          sharedActivities: org.sharedActivities,
          packageFields: org.packageFields,
          eventType: org.eventType,
        },
        check: org.check,
        connectedAt: new Date().toISOString(),
      });
      this.#o.connections.forget(pending.workspaceId);
      const requeued = await this.#o.store.meetings.requeueWaiting(pending.workspaceId, Date.now());
      log.info(
        // Permission names only (no record data): an operator sees at once what the admin must grant.
        { orgId: identity.organization_id, requeued, missingPermissions: org.check.missingPermissions },
        'workspace connected',
      );
      this.#o.onConnected?.(pending.workspaceId);
      return back({ salesforce: 'connected' });
    } catch (err) {
      const reason =
        err instanceof OAuthError
          ? err.code === 'invalid_grant'
            ? 'invalid_grant'
            : err.code
          : 'connect_failed';
      log.warn({ reason, err: (err as Error).message }, 'connecting failed');
      return back({ salesforce: 'error', reason: /^[a-z_]{1,64}$/.test(reason) ? reason : 'connect_failed' });
    }
  }

  async status(workspaceId: string, options: { recheck?: boolean } = {}) {
    if (options.recheck) await this.#recheck(workspaceId);
    const c = await this.#o.store.connections.get(workspaceId);
    if (!c) return { workspaceId, connected: false, status: 'not_connected' as const };
    const { settings } = await this.#o.store.settings.get(workspaceId);
    const missing = missingForSettings(c.check, settings);
    return {
      workspaceId,
      connected: c.status === 'connected',
      status: c.status,
      brokenReason: c.brokenReason,
      orgId: c.orgId,
      instanceUrl: c.instanceUrl,
      loginUrl: c.loginUrl,
      user: { id: c.userId, username: c.username, displayName: c.displayName },
      permissions: {
        ok: missing.length === 0,
        missing,
        details: missing.map((name) => ({ name, fix: explainMissing(name) })),
      },
      sharedActivities: c.check.sharedActivities,
      packageFields: {
        installed: c.check.packageFieldsMissing.length === 0,
        found: [...c.check.packageFieldsFound],
        missing: [...c.check.packageFieldsMissing],
        ...(c.check.packageFieldsMissing.length === 0 ? {} : { fix: PACKAGE_FIELDS_FIX }),
      },
      isSandbox: c.check.isSandbox ?? null,
      apiUsage: c.apiUsage,
      lastSyncAt: c.lastSyncAt,
      connectedAt: c.connectedAt,
      checkedAt: c.check.checkedAt,
    };
  }

  /** Runs the describe checks again (after an admin installed the package or granted a permission). */
  async #recheck(workspaceId: string): Promise<void> {
    let entry;
    try {
      entry = await this.#o.connections.get(workspaceId);
    } catch {
      return; // not connected or broken: the status says so
    }
    try {
      const org = await checkOrg(entry.conn);
      await this.#o.store.connections.updateOrgCheck(workspaceId, {
        profile: {
          ...entry.record.profile,
          sharedActivities: org.sharedActivities,
          packageFields: org.packageFields,
          eventType: org.eventType,
        },
        check: org.check,
      });
      this.#o.connections.forget(workspaceId);
    } catch (err) {
      throw new AppError(502, 'salesforce_error', `Salesforce refused the check: ${(err as Error).message}`);
    }
  }

  /** Revokes at Salesforce first: a grant we forget but Salesforce keeps would be a loose key. */
  async disconnect(workspaceId: string): Promise<void> {
    const c = await this.#o.store.connections.get(workspaceId);
    if (!c) throw notFound('not_connected', `workspace ${workspaceId} has no Salesforce connection`);
    try {
      await revokeToken(c.loginUrl, c.refreshToken);
    } catch (err) {
      throw new AppError(
        502,
        'revoke_failed',
        `Salesforce did not confirm the revocation: ${(err as Error).message}`,
      );
    }
    await this.#o.store.connections.delete(workspaceId);
    this.#o.connections.forget(workspaceId);
    this.#o.logger.info({ workspaceId }, 'workspace disconnected');
    this.#o.onDisconnected?.(workspaceId);
  }
}
