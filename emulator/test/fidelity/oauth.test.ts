/**
 * Probes of OAuth 2.0 and identity: the token endpoint's grants, errors and signature, PKCE and the
 * authorization code, revocation, userinfo, the identity URL and the OpenID configuration.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { startLocalOrg, type LocalOrg } from '../../src/index.ts';
import { V, type Json } from '../support/http.ts';

const CALLBACK = 'http://localhost:4000/cb';
let org: LocalOrg;

beforeAll(async () => {
  org = await startLocalOrg({ redirectUris: [CALLBACK], autoApprove: true });
});
afterAll(async () => {
  await org.stop();
});

async function token(
  params: Record<string, string>,
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${org.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}
const password = (over: Record<string, string> = {}) =>
  token({
    grant_type: 'password',
    client_id: org.clientId,
    client_secret: org.clientSecret,
    username: org.username,
    password: org.password,
    ...over,
  });

/** Runs the web-server flow's authorize step (auto-approved) and returns the code. */
async function authorize(challenge?: string): Promise<string> {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: org.clientId,
    redirect_uri: CALLBACK,
    state: 'st',
  });
  if (challenge) {
    q.set('code_challenge', challenge);
    q.set('code_challenge_method', 'S256');
  }
  const res = await fetch(`${org.url}/services/oauth2/authorize?${q}`, { redirect: 'manual' });
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.searchParams.get('state')).toBe('st');
  return location.searchParams.get('code') ?? '';
}
/** Tokens from the web-server flow, the flow that issues a refresh token. */
async function webServerTokens(): Promise<{ status: number; body: Json }> {
  return token({
    grant_type: 'authorization_code',
    code: await authorize(),
    client_id: org.clientId,
    client_secret: org.clientSecret,
    redirect_uri: CALLBACK,
  });
}
const apiStatus = async (accessToken: string) =>
  (await fetch(`${org.url}${V}/limits`, { headers: { authorization: `Bearer ${accessToken}` } })).status;

// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_username_password_flow.htm
describe('token endpoint', () => {
  // The username-password flow: "No refresh token is issued."
  it('when a password grant succeeds, then the documented fields (no refresh token) and signature is HMAC-SHA256(id + issued_at) with the secret', async () => {
    const res = await password();
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      ['access_token', 'id', 'instance_url', 'issued_at', 'scope', 'signature', 'token_type'].sort(),
    );
    expect(res.body.token_type).toBe('Bearer');
    expect(res.body.instance_url).toBe(org.url);
    expect(res.body.id).toBe(`${org.url}/id/${org.orgId}/${org.userId}`);
    expect(res.body.access_token).toMatch(/^00D[A-Za-z0-9]{12}![A-Za-z0-9._]+$/);
    const expected = createHmac('sha256', org.clientSecret)
      .update(`${res.body.id}${res.body.issued_at}`)
      .digest('base64');
    expect(res.body.signature).toBe(expected);
    expect(res.headers.get('cache-control')).toMatch(/no-store/);
  });

  it('when the password, client id, secret or grant type is wrong, then 400 with the OAuth error Salesforce sends', async () => {
    const cases: [Promise<{ status: number; body: Json }>, Json][] = [
      [
        password({ password: 'wrong' }),
        { error: 'invalid_grant', error_description: 'authentication failure' },
      ],
      [
        password({ client_id: 'nope' }),
        { error: 'invalid_client_id', error_description: 'client identifier invalid' },
      ],
      [
        password({ client_secret: 'nope' }),
        { error: 'invalid_client', error_description: 'invalid client credentials' },
      ],
      [
        password({ grant_type: 'magic' }),
        { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
      ],
    ];
    for (const [pending, body] of cases) {
      const res = await pending;
      expect([res.status, res.body]).toEqual([400, body]);
    }
  });

  // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
  it('when a refresh token is exchanged, then a new access token without a new refresh token; an unknown one is invalid_grant', async () => {
    const first = await webServerTokens();
    const res = await token({
      grant_type: 'refresh_token',
      client_id: org.clientId,
      client_secret: org.clientSecret,
      refresh_token: first.body.refresh_token,
    });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
    expect(res.body.access_token).not.toBe(first.body.access_token);
    expect(await apiStatus(res.body.access_token)).toBe(200);
    const bad = await token({
      grant_type: 'refresh_token',
      client_id: org.clientId,
      client_secret: org.clientSecret,
      refresh_token: 'nope',
    });
    expect([bad.status, bad.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'expired access/refresh token' },
    ]);
  });

  // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oidc_token_introspection_endpoint.htm
  it('when a token is introspected, then its state, owner and expiry come back; an unknown one is inactive', async () => {
    const { body } = await password();
    const basic = `Basic ${Buffer.from(`${org.clientId}:${org.clientSecret}`).toString('base64')}`;
    const introspect = async (t: string) =>
      (await (
        await fetch(`${org.url}/services/oauth2/introspect`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
          body: new URLSearchParams({ token: t, token_type_hint: 'access_token' }),
        })
      ).json()) as Json;
    const active = await introspect(body.access_token);
    expect(active).toMatchObject({
      active: true,
      client_id: org.clientId,
      username: org.username,
      token_type: 'access_token',
    });
    expect(active.exp).toEqual(expect.any(Number));
    expect(await introspect('00D000000000000!nope')).toEqual({ active: false });
  });
});

// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm,
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_pkce.htm
describe('web-server flow with PKCE', () => {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const exchange = (code: string, over: Record<string, string> = {}) =>
    token({
      grant_type: 'authorization_code',
      code,
      client_id: org.clientId,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
      ...over,
    });

  it('when the code is exchanged with the right verifier, then tokens; a second exchange of the same code is invalid_grant', async () => {
    const code = await authorize(challenge);
    const ok = await exchange(code);
    expect(ok.status).toBe(200);
    expect(await apiStatus(ok.body.access_token)).toBe(200);
    const again = await exchange(code);
    expect([again.status, again.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('when the verifier is wrong, then invalid_grant', async () => {
    const res = await exchange(await authorize(challenge), {
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect([res.status, res.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('when the redirect_uri differs from the authorize request, then redirect_uri_mismatch', async () => {
    const res = await exchange(await authorize(challenge), { redirect_uri: 'http://localhost:4000/other' });
    expect([res.status, res.body.error]).toEqual([400, 'redirect_uri_mismatch']);
  });

  it('when authorize names an unregistered redirect_uri, then an error page and no redirect', async () => {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: org.clientId,
      redirect_uri: 'http://evil.example/cb',
    });
    const res = await fetch(`${org.url}/services/oauth2/authorize?${q}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri_mismatch');
  });
});

// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm
describe('revocation', () => {
  it('when a refresh token is revoked, then 200 and the access tokens issued from it stop working', async () => {
    const { body } = await webServerTokens();
    expect(await apiStatus(body.access_token)).toBe(200);
    const res = await fetch(`${org.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: body.refresh_token }),
    });
    expect(res.status).toBe(200);
    expect(await apiStatus(body.access_token)).toBe(401);
    const refresh = await token({
      grant_type: 'refresh_token',
      client_id: org.clientId,
      client_secret: org.clientSecret,
      refresh_token: body.refresh_token,
    });
    expect([refresh.status, refresh.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'expired access/refresh token' },
    ]);
    const unknown = await fetch(`${org.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'never-issued' }),
    });
    expect([unknown.status, ((await unknown.json()) as Json).error]).toEqual([400, 'invalid_token']);
  });
});

// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm,
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
describe('identity', () => {
  it('when the identity URL is read, then user_id, organization_id and urls with the {version} placeholder', async () => {
    const { body } = await password();
    const res = await fetch(body.id, { headers: { authorization: `Bearer ${body.access_token}` } });
    const id = (await res.json()) as Json;
    expect(id).toMatchObject({
      id: body.id,
      user_id: org.userId,
      organization_id: org.orgId,
      username: org.username,
    });
    expect(id.urls.rest).toBe(`${org.url}/services/data/v{version}/`);
    expect(id.urls.query).toBe(`${org.url}/services/data/v{version}/query/`);
    const versioned = await fetch(`${body.id}?version=66.0`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(((await versioned.json()) as Json).urls.rest).toBe(`${org.url}/services/data/v66.0/`);
    const denied = await fetch(body.id, { headers: { authorization: 'Bearer bad' } });
    expect(denied.status).toBe(403);
  });

  it('when userinfo is read, then OpenID claims with sub the identity URL; a bad token is 403 Bad_OAuth_Token', async () => {
    const { body } = await password();
    const res = await fetch(`${org.url}/services/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(await res.json()).toMatchObject({
      sub: body.id,
      user_id: org.userId,
      organization_id: org.orgId,
      preferred_username: org.username,
    });
    const bad = await fetch(`${org.url}/services/oauth2/userinfo`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect([bad.status, await bad.text()]).toEqual([403, 'Bad_OAuth_Token']);
  });

  // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid_discovery_endpoint.htm
  it('when the OpenID configuration is read, then it names the token, authorize, revoke and userinfo endpoints', async () => {
    const res = await fetch(`${org.url}/.well-known/openid-configuration`);
    expect(await res.json()).toMatchObject({
      issuer: org.url,
      authorization_endpoint: `${org.url}/services/oauth2/authorize`,
      token_endpoint: `${org.url}/services/oauth2/token`,
      revocation_endpoint: `${org.url}/services/oauth2/revoke`,
      userinfo_endpoint: `${org.url}/services/oauth2/userinfo`,
    });
  });
});
