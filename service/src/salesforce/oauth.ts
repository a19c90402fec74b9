/**
 * Salesforce's OAuth 2.0 web-server flow with PKCE, as plain HTTP: authorize URL, code exchange,
 * refresh, identity, revoke. Provider facts (paths, scopes) are data here, kept apart from the
 * session refresh in connection.ts.
 * Flow: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const PATHS = {
  authorize: '/services/oauth2/authorize',
  token: '/services/oauth2/token',
  revoke: '/services/oauth2/revoke',
} as const;

/**
 * `api` for REST, `refresh_token` so the service keeps working after the user leaves, `id` to read the
 * identity URL after connecting. The package's External Client App must grant exactly these
 * (`extlClntAppOauthSettings/*.ecaOauth-meta.xml`: Api, RefreshToken, Basic — Basic is the metadata
 * name of `id`); a request for a scope the app lacks is refused
 * (https://developer.salesforce.com/docs/atlas.en-us.mobile_sdk.meta/mobile_sdk/oauth_scope_parameter_values.htm).
 * test/salesforce/scopes.test.ts fails when the two disagree.
 */
export const SCOPES = 'api refresh_token id';

export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
}

export interface TokenResponse {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly instance_url: string;
  /** The identity URL: https://login.salesforce.com/id/<orgId>/<userId> */
  readonly id: string;
  readonly issued_at: string;
  readonly signature: string;
  readonly token_type?: string;
  readonly scope?: string;
}

export interface Identity {
  readonly user_id: string;
  readonly organization_id: string;
  readonly username?: string;
  readonly display_name?: string;
  readonly email?: string;
  readonly active?: boolean;
}

/** An OAuth failure with the authorization server's `error` code (invalid_grant, …) or our own. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly code: string;
  readonly status: number | undefined;
  constructor(code: string, message: string, status?: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const base64url = (buf: Buffer) => buf.toString('base64url');

export function randomToken(bytes = 32): string {
  return base64url(randomBytes(bytes));
}

/** PKCE (RFC 7636) with the S256 method. */
export function createPkce(): { verifier: string; challenge: string } {
  const verifier = randomToken(48);
  return { verifier, challenge: base64url(createHash('sha256').update(verifier).digest()) };
}

export function buildAuthorizeUrl(
  loginUrl: string,
  client: OAuthClient,
  params: { state: string; codeChallenge: string },
): string {
  const url = new URL(PATHS.authorize, loginUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: SCOPES,
    state: params.state,
    code_challenge: params.codeChallenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

async function postForm(url: string, form: Record<string, string>, timeoutMs = 15_000): Promise<Response> {
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new OAuthError('unreachable', `authorization server unreachable: ${(err as Error).message}`);
  }
}

async function tokenRequest(loginUrl: string, form: Record<string, string>): Promise<TokenResponse> {
  const res = await postForm(new URL(PATHS.token, loginUrl).toString(), form);
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const code = typeof body['error'] === 'string' ? body['error'] : 'token_request_failed';
    const description =
      typeof body['error_description'] === 'string' ? body['error_description'] : res.statusText;
    throw new OAuthError(code, description, res.status);
  }
  for (const key of ['access_token', 'instance_url', 'id', 'issued_at', 'signature'] as const) {
    if (typeof body[key] !== 'string')
      throw new OAuthError('invalid_token_response', `token response lacks ${key}`);
  }
  return body as unknown as TokenResponse;
}

export function exchangeCode(
  loginUrl: string,
  client: OAuthClient,
  code: string,
  codeVerifier: string,
): Promise<TokenResponse> {
  return tokenRequest(loginUrl, {
    grant_type: 'authorization_code',
    code,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uri: client.redirectUri,
    code_verifier: codeVerifier,
  });
}

export function refreshAccessToken(
  loginUrl: string,
  client: OAuthClient,
  refreshToken: string,
): Promise<TokenResponse> {
  return tokenRequest(loginUrl, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
}

/**
 * The token response's `signature`: base64 HMAC-SHA256 of `id + issued_at` keyed with the consumer
 * secret, proving the response came from the server that knows our secret.
 */
export function verifyTokenSignature(
  token: Pick<TokenResponse, 'id' | 'issued_at' | 'signature'>,
  clientSecret: string,
): boolean {
  const expected = createHmac('sha256', clientSecret)
    .update(token.id + token.issued_at)
    .digest();
  const given = Buffer.from(token.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function fetchIdentity(identityUrl: string, accessToken: string): Promise<Identity> {
  let res: Response;
  try {
    res = await fetch(identityUrl, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new OAuthError('unreachable', `identity service unreachable: ${(err as Error).message}`);
  }
  if (!res.ok)
    throw new OAuthError('identity_failed', `identity request failed with ${res.status}`, res.status);
  const body = (await res.json()) as Identity;
  if (typeof body.user_id !== 'string' || typeof body.organization_id !== 'string') {
    throw new OAuthError('identity_failed', 'identity response lacks user_id or organization_id');
  }
  return body;
}

/** Revoking the refresh token ends the whole grant (its access tokens too). */
export async function revokeToken(loginUrl: string, token: string): Promise<void> {
  const res = await postForm(new URL(PATHS.revoke, loginUrl).toString(), { token });
  // 400 invalid_token: already revoked or expired, which is what we wanted.
  if (!res.ok && res.status !== 400)
    throw new OAuthError('revoke_failed', `revoke failed with ${res.status}`, res.status);
}
