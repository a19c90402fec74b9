/**
 * OAuth 2.0 as Salesforce serves it: the web-server flow with PKCE, the refresh-token flow, the
 * username-password flow, revocation, UserInfo and the identity URL.
 * Web server flow: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
 * PKCE: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_pkce.htm
 * Refresh: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
 * Username-password: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_username_password_flow.htm
 * Revoke: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm
 * Identity URL / UserInfo: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Org } from './org/org.ts';
import { ALL_SCOPES, API_SCOPES, IDENTITY_SCOPES, hasAny } from './security/scopes.ts';

export interface OAuthConfig {
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  autoApprove: boolean;
  /** The OAuth scopes the client app may request (from the package's External Client App); all when absent. */
  scopes?: readonly string[];
}

export interface Session {
  accessToken: string;
  userId: string;
  clientId: string;
  issuedAt: number;
  expiresAt: number;
  refreshToken: string | undefined;
  /** The scopes granted to the token. */
  scopes: readonly string[];
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  userId: string;
  scope: string;
  expiresAt: number;
}

interface RefreshGrant {
  clientId: string;
  userId: string;
  scope: string;
}

export interface OAuthReply {
  status: number;
  json?: unknown;
  html?: string;
  text?: string;
  redirect?: string;
}

/** Authorization codes live 15 minutes and are single-use. */
const CODE_LIFETIME_MS = 15 * 60 * 1000;

const oauthError = (error: string, description: string, status = 400): OAuthReply => ({
  status,
  json: { error, error_description: description },
});

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Salesforce access tokens are `<15-char org id>!<opaque>`; the sf CLI checks that shape. */
function opaque(bytes: number): string {
  return randomBytes(bytes).toString('base64').replace(/[+/=]/g, '');
}

export interface PersistedGrants {
  refresh: Record<string, RefreshGrant>;
}

export class OAuthServer {
  readonly config: OAuthConfig;
  readonly #org: Org;
  readonly #lifetimeSec: () => number;
  readonly #sessions = new Map<string, Session>();
  readonly #refresh = new Map<string, RefreshGrant>();
  readonly #codes = new Map<string, CodeGrant>();
  baseUrl = '';

  constructor(org: Org, config: OAuthConfig, lifetimeSec: () => number) {
    this.#org = org;
    this.config = config;
    this.#lifetimeSec = lifetimeSec;
  }

  get identityUrl(): string {
    return `${this.baseUrl}/id/${this.#org.orgId}/${this.#org.userId}`;
  }

  /**
   * The live session for a bearer token, 'expired' for a known expired one (or one whose user has been
   * deactivated: deactivation ends a user's sessions), undefined otherwise.
   */
  session(token: string): Session | 'expired' | undefined {
    const s = this.#sessions.get(token);
    if (!s) return undefined;
    if (Date.now() >= s.expiresAt) return 'expired';
    if (this.#org.store.get('User', s.userId)?.IsActive !== true) return 'expired';
    return s;
  }

  /** The scopes the client app may request. */
  get appScopes(): readonly string[] {
    return this.config.scopes ?? ALL_SCOPES;
  }

  /** Whether a token may call the REST API (`api` or `full`). */
  static canUseApi(session: Session): boolean {
    return hasAny(session.scopes, API_SCOPES);
  }

  /** Whether a token may read the identity URL and UserInfo (`id`, `openid`, `profile`, …, or `full`). */
  static canReadIdentity(session: Session): boolean {
    return hasAny(session.scopes, IDENTITY_SCOPES);
  }

  /** Every token issued so far expires now (tests of the refresh path). */
  expireAll(): void {
    for (const s of this.#sessions.values()) s.expiresAt = 0;
  }

  exportGrants(): PersistedGrants {
    return { refresh: Object.fromEntries(this.#refresh) };
  }

  importGrants(g: PersistedGrants | undefined): void {
    for (const [k, v] of Object.entries(g?.refresh ?? {})) this.#refresh.set(k, v);
  }

  #issue(
    userId: string,
    clientId: string,
    scope: string,
    refresh: string | 'new' | undefined,
  ): Record<string, unknown> {
    const issuedAt = Date.now();
    const accessToken = `${this.#org.orgId.slice(0, 15)}!${opaque(72)}`;
    let refreshToken: string | undefined;
    const scopes = scope.split(/\s+/).filter(Boolean);
    // A refresh token only for a grant that includes refresh_token (or offline_access).
    const withRefresh =
      refresh === 'new' && !hasAny(scopes, ['refresh_token', 'offline_access']) ? undefined : refresh;
    if (withRefresh === 'new') {
      refreshToken = `5Aep861${opaque(64)}`;
      this.#refresh.set(refreshToken, { clientId, userId, scope });
    } else refreshToken = withRefresh;
    this.#sessions.set(accessToken, {
      accessToken,
      userId,
      clientId,
      issuedAt,
      expiresAt: issuedAt + this.#lifetimeSec() * 1000,
      refreshToken,
      scopes,
    });
    const id = `${this.baseUrl}/id/${this.#org.orgId}/${userId}`;
    // signature: base64 HMAC-SHA256 of id + issued_at, keyed with the consumer secret.
    const signature = createHmac('sha256', this.config.clientSecret)
      .update(id + String(issuedAt))
      .digest('base64');
    const body: Record<string, unknown> = { access_token: accessToken };
    if (withRefresh === 'new' && refreshToken) body.refresh_token = refreshToken;
    Object.assign(body, {
      signature,
      scope,
      instance_url: this.baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: String(issuedAt),
    });
    return body;
  }

  #checkClient(params: URLSearchParams, secretRequired: boolean): OAuthReply | undefined {
    const clientId = params.get('client_id');
    if (!clientId || clientId !== this.config.clientId)
      return oauthError('invalid_client_id', 'client identifier invalid');
    const secret = params.get('client_secret');
    if (secret === null ? secretRequired : !safeEqual(secret, this.config.clientSecret)) {
      return oauthError('invalid_client', 'invalid client credentials');
    }
    return undefined;
  }

  /**
   * The active user with these credentials: the admin with the org's configured password, or any user
   * whose password was set over REST. Inactive users are refused like a wrong password.
   */
  #userByCredentials(username: string | null, password: string | null): string | undefined {
    if (!username || password === null) return undefined;
    let userId: string | undefined;
    if (
      username.toLowerCase() === this.config.username.toLowerCase() &&
      safeEqual(password, this.config.password)
    ) {
      userId = this.#org.userId;
    } else {
      userId = this.#org.userByPassword(username, password)?.Id as string | undefined;
    }
    if (!userId || this.#org.store.get('User', userId)?.IsActive !== true) return undefined;
    // A frozen user "can't log in, but their account isn't deactivated" (UserLogin.IsFrozen).
    if (this.#org.isFrozen(userId)) return undefined;
    return userId;
  }

  /**
   * The scopes of a request: each must be one the app grants ("client scope requests must be a subset
   * of the app's scope permissions", https://developer.salesforce.com/docs/atlas.en-us.mobile_sdk.meta/mobile_sdk/oauth_scope_parameter_values.htm);
   * none requested means every scope the app grants. Undefined when a scope is not granted.
   */
  grantedScopes(requested: string | null): string | undefined {
    const app = this.appScopes;
    const asked = (requested ?? '').split(/[\s+]+/).filter(Boolean);
    if (asked.length === 0) return app.join(' ');
    if (asked.some((s) => !app.includes(s))) return undefined;
    return [...new Set(asked)].join(' ');
  }

  token(params: URLSearchParams): OAuthReply {
    const grant = params.get('grant_type');
    switch (grant) {
      case 'password': {
        const bad = this.#checkClient(params, true);
        if (bad) return bad;
        const userId = this.#userByCredentials(params.get('username'), params.get('password'));
        if (!userId) return oauthError('invalid_grant', 'authentication failure');
        // The username-password flow issues no refresh token
        // (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_username_password_flow.htm).
        const scope = this.grantedScopes(params.get('scope'));
        if (scope === undefined) return oauthError('invalid_scope', 'the requested scope is not allowed');
        return {
          status: 200,
          json: this.#issue(
            userId,
            this.config.clientId,
            scope
              .split(' ')
              .filter((s) => s !== 'refresh_token' && s !== 'offline_access')
              .join(' '),
            undefined,
          ),
        };
      }
      case 'authorization_code': {
        const code = params.get('code') ?? '';
        const found = this.#codes.get(code);
        // Codes are single-use: a second exchange fails even if the first one did.
        this.#codes.delete(code);
        const verifier = params.get('code_verifier');
        // A PKCE client may omit its secret; a reused or unknown code presented with a verifier is
        // then an invalid grant, not a client failure.
        const bad = this.#checkClient(params, found ? !found.codeChallenge : !verifier);
        if (bad) return bad;
        if (!found || found.expiresAt < Date.now() || found.clientId !== params.get('client_id')) {
          return oauthError('invalid_grant', 'invalid authorization code');
        }
        if (params.get('redirect_uri') !== found.redirectUri) {
          return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
        }
        if (found.codeChallenge) {
          if (!verifier) return oauthError('invalid_grant', 'invalid code verifier');
          const computed =
            found.codeChallengeMethod === 'plain'
              ? verifier
              : createHash('sha256').update(verifier).digest('base64url');
          if (!safeEqual(computed, found.codeChallenge))
            return oauthError('invalid_grant', 'invalid code verifier');
        }
        return { status: 200, json: this.#issue(found.userId, found.clientId, found.scope, 'new') };
      }
      case 'refresh_token': {
        const bad = this.#checkClient(params, false);
        if (bad) return bad;
        const rt = params.get('refresh_token') ?? '';
        const g = this.#refresh.get(rt);
        if (!g || g.clientId !== params.get('client_id'))
          return oauthError('invalid_grant', 'expired access/refresh token');
        if (this.#org.store.get('User', g.userId)?.IsActive !== true)
          return oauthError('invalid_grant', 'inactive user');
        return { status: 200, json: this.#issue(g.userId, g.clientId, g.scope, rt) };
      }
      default:
        return oauthError('unsupported_grant_type', 'grant type not supported');
    }
  }

  revoke(params: URLSearchParams): OAuthReply {
    const token = params.get('token') ?? '';
    if (this.#refresh.delete(token)) {
      // Revoking a refresh token revokes the access tokens issued from it.
      for (const [k, s] of this.#sessions) if (s.refreshToken === token) this.#sessions.delete(k);
      return { status: 200, text: '' };
    }
    if (this.#sessions.delete(token)) return { status: 200, text: '' };
    // Salesforce answers 400 with invalid_token (or unsupported_token_type) for anything else.
    return oauthError('invalid_token', 'invalid token');
  }

  /**
   * POST /services/oauth2/introspect (RFC 7662): whether a token is active, for the client that holds it.
   * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oidc_token_introspection_endpoint.htm
   */
  introspect(params: URLSearchParams, basic: { id: string; secret: string } | undefined): OAuthReply {
    if (basic) {
      params.set('client_id', basic.id);
      params.set('client_secret', basic.secret);
    }
    const bad = this.#checkClient(params, true);
    if (bad) return { ...bad, status: 401 };
    const token = params.get('token') ?? '';
    const user = (id: string) => this.#org.store.get('User', id);
    const session = this.#sessions.get(token);
    if (session && Date.now() < session.expiresAt) {
      return {
        status: 200,
        json: {
          active: true,
          scope: session.scopes.join(' '),
          client_id: session.clientId,
          username: user(session.userId)?.Username,
          sub: `${this.baseUrl}/id/${this.#org.orgId}/${session.userId}`,
          token_type: 'access_token',
          exp: Math.floor(session.expiresAt / 1000),
          iat: Math.floor(session.issuedAt / 1000),
          nbf: Math.floor(session.issuedAt / 1000),
        },
      };
    }
    const grant = this.#refresh.get(token);
    if (grant) {
      return {
        status: 200,
        json: {
          active: true,
          scope: grant.scope,
          client_id: grant.clientId,
          username: user(grant.userId)?.Username,
          sub: `${this.baseUrl}/id/${this.#org.orgId}/${grant.userId}`,
          token_type: 'refresh_token',
        },
      };
    }
    return { status: 200, json: { active: false } };
  }

  /** GET /.well-known/openid-configuration: where this authorization server's endpoints are. */
  openidConfiguration(): Record<string, unknown> {
    const base = this.baseUrl;
    return {
      issuer: base,
      authorization_endpoint: `${base}/services/oauth2/authorize`,
      token_endpoint: `${base}/services/oauth2/token`,
      revocation_endpoint: `${base}/services/oauth2/revoke`,
      userinfo_endpoint: `${base}/services/oauth2/userinfo`,
      introspection_endpoint: `${base}/services/oauth2/introspect`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'password'],
      code_challenge_methods_supported: ['S256', 'plain'],
      scopes_supported: [
        'id',
        'api',
        'web',
        'full',
        'refresh_token',
        'offline_access',
        'openid',
        'profile',
        'email',
      ],
      subject_types_supported: ['public'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'none'],
      claims_supported: [
        'sub',
        'preferred_username',
        'name',
        'email',
        'email_verified',
        'given_name',
        'family_name',
        'zoneinfo',
        'updated_at',
      ],
    };
  }

  #authorizeParams(params: URLSearchParams): { error?: OAuthReply; redirectUri?: string } {
    if (params.get('client_id') !== this.config.clientId) {
      return { error: { status: 400, html: errorPage('invalid_client_id', 'client identifier invalid') } };
    }
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!this.config.redirectUris.includes(redirectUri)) {
      return {
        error: {
          status: 400,
          html: errorPage('redirect_uri_mismatch', 'redirect_uri must match configuration'),
        },
      };
    }
    if (params.get('response_type') !== 'code') {
      return {
        error: {
          status: 302,
          redirect: withQuery(redirectUri, {
            error: 'unsupported_response_type',
            error_description: 'response type not supported',
            state: params.get('state'),
          }),
        },
      };
    }
    const method = params.get('code_challenge_method');
    if (params.get('code_challenge') && method && method !== 'S256' && method !== 'plain') {
      return {
        error: {
          status: 302,
          redirect: withQuery(redirectUri, {
            error: 'invalid_request',
            error_description: 'invalid code_challenge_method',
            state: params.get('state'),
          }),
        },
      };
    }
    if (this.grantedScopes(params.get('scope')) === undefined) {
      // The redirect URI is trusted by now, so the error goes back to the client (RFC 6749 §4.1.2.1).
      return {
        error: {
          status: 302,
          redirect: withQuery(redirectUri, {
            error: 'invalid_scope',
            error_description: 'the requested scope is not allowed',
            state: params.get('state'),
          }),
        },
      };
    }
    return { redirectUri };
  }

  #grantCode(params: URLSearchParams, redirectUri: string, userId: string): string {
    const code = `aPrx${opaque(48)}`;
    this.#codes.set(code, {
      clientId: this.config.clientId,
      redirectUri,
      codeChallenge: params.get('code_challenge') ?? undefined,
      codeChallengeMethod:
        params.get('code_challenge_method') ?? (params.get('code_challenge') ? 'S256' : undefined),
      userId,
      scope: this.grantedScopes(params.get('scope')) ?? '',
      expiresAt: Date.now() + CODE_LIFETIME_MS,
    });
    return withQuery(redirectUri, { code, state: params.get('state') });
  }

  /** GET /services/oauth2/authorize: the login and consent page, or a redirect when auto-approving. */
  authorizePage(params: URLSearchParams): OAuthReply {
    const { error, redirectUri } = this.#authorizeParams(params);
    if (error) return error;
    if (this.config.autoApprove) {
      // Auto-approval signs in the admin, or the active user named by login_hint (tests connecting as
      // another user without a browser).
      const hint = params.get('login_hint')?.toLowerCase();
      const hinted = hint
        ? [...this.#org.store.table('User').values()].find(
            (u) => String(u.Username).toLowerCase() === hint && u.IsActive === true,
          )
        : undefined;
      const userId = (hinted?.Id as string | undefined) ?? this.#org.userId;
      return { status: 302, redirect: this.#grantCode(params, redirectUri!, userId) };
    }
    return { status: 200, html: loginPage(params, '') };
  }

  /** POST /services/oauth2/authorize: the form of the login page. */
  authorizeSubmit(form: URLSearchParams): OAuthReply {
    const params = new URLSearchParams(form.get('oauth_params') ?? '');
    const { error, redirectUri } = this.#authorizeParams(params);
    if (error) return error;
    if (form.get('action') === 'deny') {
      return {
        status: 302,
        redirect: withQuery(redirectUri!, {
          error: 'access_denied',
          error_description: 'end-user denied authorization',
          state: params.get('state'),
        }),
      };
    }
    // Salesforce's login form posts the password as `pw`.
    const userId = this.#userByCredentials(form.get('username'), form.get('pw'));
    if (!userId)
      return {
        status: 200,
        html: loginPage(
          params,
          'Please check your username and password. If you still can’t log in, contact your Salesforce administrator.',
        ),
      };
    return { status: 302, redirect: this.#grantCode(params, redirectUri!, userId) };
  }

  #userJson(userId: string, version: string | undefined): Record<string, unknown> {
    const u = this.#org.store.get('User', userId) ?? {};
    const v = version ?? '{version}';
    const base = this.baseUrl;
    const orgId = this.#org.orgId;
    return {
      urls: {
        enterprise: `${base}/services/Soap/c/${v}/${orgId}`,
        metadata: `${base}/services/Soap/m/${v}/${orgId}`,
        partner: `${base}/services/Soap/u/${v}/${orgId}`,
        rest: `${base}/services/data/v${v}/`,
        sobjects: `${base}/services/data/v${v}/sobjects/`,
        search: `${base}/services/data/v${v}/search/`,
        query: `${base}/services/data/v${v}/query/`,
        recent: `${base}/services/data/v${v}/recent/`,
        profile: `${base}/${userId}`,
        custom_domain: base,
      },
      active: u.IsActive === true,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: -28800000,
      last_modified_date: String(u.LastModifiedDate ?? ''),
      is_app_installed: true,
    };
  }

  /** GET /services/oauth2/userinfo (OpenID Connect claims). */
  userInfo(session: Session): Record<string, unknown> {
    const u = this.#org.store.get('User', session.userId) ?? {};
    const extra = this.#userJson(session.userId, '66.0');
    return {
      sub: `${this.baseUrl}/id/${this.#org.orgId}/${session.userId}`,
      user_id: session.userId,
      organization_id: this.#org.orgId,
      preferred_username: u.Username,
      nickname: u.Alias,
      name: u.Name,
      email: u.Email,
      email_verified: true,
      given_name: u.FirstName,
      family_name: u.LastName,
      zoneinfo: u.TimeZoneSidKey,
      photos: {
        picture: `${this.baseUrl}/profilephoto/005/F`,
        thumbnail: `${this.baseUrl}/profilephoto/005/T`,
      },
      profile: `${this.baseUrl}/${session.userId}`,
      picture: `${this.baseUrl}/profilephoto/005/F`,
      address: {},
      updated_at: String(u.LastModifiedDate ?? ''),
      ...extra,
    };
  }

  /** GET /id/{orgId}/{userId}: the identity service response (urls keep the `{version}` placeholder). */
  identity(
    session: Session,
    orgId: string,
    userId: string,
    version?: string,
  ): Record<string, unknown> | undefined {
    if (orgId.slice(0, 15) !== this.#org.orgId.slice(0, 15)) return undefined;
    const user = this.#org.store.byId(userId);
    if (!user || user.objectName !== 'User') return undefined;
    const u = user.record;
    return {
      id: `${this.baseUrl}/id/${this.#org.orgId}/${u.Id as string}`,
      asserted_user: u.Id === session.userId,
      user_id: u.Id,
      organization_id: this.#org.orgId,
      username: u.Username,
      nick_name: u.Alias,
      display_name: u.Name,
      email: u.Email,
      email_verified: true,
      first_name: u.FirstName,
      last_name: u.LastName,
      timezone: u.TimeZoneSidKey,
      photos: {
        picture: `${this.baseUrl}/profilephoto/005/F`,
        thumbnail: `${this.baseUrl}/profilephoto/005/T`,
      },
      addr_street: null,
      addr_city: null,
      addr_state: null,
      addr_country: null,
      addr_zip: null,
      mobile_phone: null,
      mobile_phone_verified: false,
      is_lightning_login_user: false,
      status: { created_date: null, body: null },
      // The urls keep `{version}` unless the request names one (?version=66.0).
      ...this.#userJson(u.Id as string, version),
    };
  }
}

function withQuery(uri: string, params: Record<string, string | null>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return url.toString();
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;background:#f3f3f3;display:flex;justify-content:center;padding-top:4rem}
main{background:#fff;padding:2rem;border-radius:.5rem;box-shadow:0 2px 6px #0002;width:22rem}
label{display:block;margin-top:1rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1.5rem;padding:.6rem 1rem}.error{color:#c23934}</style></head><body><main>${body}</main></body></html>`;
}

function loginPage(params: URLSearchParams, error: string): string {
  return page(
    'Login | Local Org',
    `<h1>Local Org</h1><p>Log in to allow access to your data.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/services/oauth2/authorize">
<input type="hidden" name="oauth_params" value="${escapeHtml(params.toString())}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" value="${escapeHtml(params.get('login_hint') ?? '')}">
<label for="password">Password</label><input id="password" name="pw" type="password" autocomplete="current-password">
<p>The app will be able to access and manage your data (${escapeHtml(params.get('scope') ?? 'api refresh_token')}).</p>
<button type="submit" name="action" value="allow" id="allow">Allow</button>
<button type="submit" name="action" value="deny" id="deny">Deny</button>
</form>`,
  );
}

function errorPage(error: string, description: string): string {
  return page(
    'Error | Local Org',
    `<h1>Remote Access Error</h1><p>error=${escapeHtml(error)}</p><p>error_description=${escapeHtml(description)}</p>`,
  );
}
