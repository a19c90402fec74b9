/**
 * OAuth scopes in the local org: the client app grants the scopes of the package's External Client
 * App, a request for another scope is refused in the authorize flow, a token without `api` cannot call
 * REST, and the identity URL and UserInfo need an identity scope. Also the login form as Salesforce's
 * (`username` and `pw`) for any active user.
 */
import { startLocalOrg, type LocalOrg } from '../../src/index.ts';
import { readPackageOauthScopes } from '../../src/security/scopes.ts';
import { client, passwordToken, V } from '../support/http.ts';

const REDIRECT = 'http://localhost:4999/cb';
let org: LocalOrg;

beforeAll(async () => {
  org = await startLocalOrg({ redirectUris: [REDIRECT] });
});
afterAll(async () => {
  await org.stop();
});

function authorizeUrl(scope: string | undefined): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: org.clientId,
    redirect_uri: REDIRECT,
    state: 'st',
  });
  if (scope !== undefined) params.set('scope', scope);
  return `${org.url}/services/oauth2/authorize?${params.toString()}`;
}

/** Signs in on the login page with `username` and `pw`; returns the callback URL. */
async function signIn(url: string, username: string, password: string): Promise<URL> {
  const page = await fetch(url, { redirect: 'manual' });
  if (page.status === 302) return new URL(page.headers.get('location')!);
  const html = await page.text();
  expect(html).toMatch(/name="pw"/);
  const oauthParams = /name="oauth_params" value="([^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');
  const res = await fetch(`${org.url}/services/oauth2/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ oauth_params: oauthParams, username, pw: password, action: 'allow' }),
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function exchange(callback: URL): Promise<{ access_token: string; scope: string; id: string }> {
  const res = await fetch(`${org.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      client_id: org.clientId,
      client_secret: org.clientSecret,
      redirect_uri: REDIRECT,
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; scope: string; id: string };
}

const get = (url: string, token: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } });

describe('OAuth scopes', () => {
  it('when a client asks for a scope the External Client App does not grant, then the authorize flow redirects with invalid_scope and no code', async () => {
    expect(readPackageOauthScopes()).not.toContain('web');
    const res = await fetch(authorizeUrl('api web'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const callback = new URL(res.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('error')).toBe('invalid_scope');
    expect(callback.searchParams.get('state')).toBe('st');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('when a token lacks api, then REST refuses it with 401 INVALID_SESSION_ID, while the identity URL answers', async () => {
    const token = await exchange(await signIn(authorizeUrl('id refresh_token'), org.username, org.password));
    expect(token.scope).toBe('id refresh_token');
    const rest = await get(`${org.url}${V}/query?q=SELECT+Id+FROM+Account`, token.access_token);
    expect(rest.status).toBe(401);
    expect(await rest.json()).toEqual([
      { message: 'This session is not valid for use with the REST API', errorCode: 'INVALID_SESSION_ID' },
    ]);
    expect((await get(token.id, token.access_token)).status).toBe(200);
  });

  it('when a token lacks an identity scope, then the identity URL and UserInfo refuse it, while REST answers', async () => {
    const token = await exchange(await signIn(authorizeUrl('api refresh_token'), org.username, org.password));
    expect((await get(`${org.url}${V}/limits`, token.access_token)).status).toBe(200);
    expect((await get(token.id, token.access_token)).status).toBe(403);
    expect((await get(`${org.url}/services/oauth2/userinfo`, token.access_token)).status).toBe(403);
  });

  it('when no scope is asked for, then the token carries every scope the package’s app grants', async () => {
    const token = await exchange(await signIn(authorizeUrl(undefined), org.username, org.password));
    expect(token.scope.split(' ').sort()).toEqual([...readPackageOauthScopes()].sort());
  });
});

describe('the login page', () => {
  it('when a Standard User signs in with username and pw, then the code is theirs; a wrong pw or an inactive user is refused', async () => {
    const user = await org.createUser();
    const token = await exchange(await signIn(authorizeUrl('api id'), user.username, user.password));
    expect(token.id.endsWith(`/${user.id}`)).toBe(true);
    const me = (await (await get(token.id, token.access_token)).json()) as { username: string };
    expect(me.username).toBe(user.username);

    const page = await fetch(authorizeUrl('api'));
    const oauthParams = /name="oauth_params" value="([^"]*)"/
      .exec(await page.text())![1]!
      .replace(/&amp;/g, '&');
    const wrong = await fetch(`${org.url}/services/oauth2/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        oauth_params: oauthParams,
        username: user.username,
        pw: 'nope',
        action: 'allow',
      }),
    });
    expect(wrong.status).toBe(200);
    expect(await wrong.text()).toMatch(/check your username and password/);

    const admin = client(org, await passwordToken(org));
    expect((await admin('PATCH', `${V}/sobjects/User/${user.id}`, { IsActive: false })).status).toBe(204);
    const inactive = await fetch(`${org.url}/services/oauth2/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        oauth_params: oauthParams,
        username: user.username,
        pw: user.password,
        action: 'allow',
      }),
    });
    expect(inactive.status).toBe(200);
    expect(await inactive.text()).toMatch(/check your username and password/);
  });
});
