/**
 * jsforce, written by others against real Salesforce, drives the local org unchanged: if these pass,
 * the OAuth and REST protocols are what jsforce expects.
 */
import { Connection, OAuth2 } from 'jsforce';
import { startLocalOrg, type LocalOrg } from '../src/index.ts';

const REDIRECT = 'http://localhost:3999/oauth/callback';
let org: LocalOrg;

beforeAll(async () => {
  org = await startLocalOrg({ redirectUris: [REDIRECT] });
});
afterAll(async () => {
  await org.stop();
});

function oauth2(options: { useVerifier?: boolean } = {}): OAuth2 {
  return new OAuth2({
    loginUrl: org.url,
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    redirectUri: REDIRECT,
    ...options,
  });
}

async function passwordConnection(): Promise<Connection> {
  const conn = new Connection({ oauth2: oauth2(), version: '66.0' });
  await conn.login(org.username, org.password);
  return conn;
}

/** Clicks through the login and consent page the way a browser would; returns the callback URL. */
async function approve(authorizeUrl: string): Promise<URL> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  const params = /name="oauth_params" value="([^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? '';
  const res = await fetch(`${org.url}/services/oauth2/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      oauth_params: params,
      username: org.username,
      pw: org.password,
      action: 'allow',
    }),
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

describe('jsforce against the local org', () => {
  it('when jsforce logs in with a password, then it gets a session on the org and its identity', async () => {
    const conn = await passwordConnection();
    expect(conn.instanceUrl).toBe(org.url);
    expect(conn.accessToken).toMatch(/^00D[A-Za-z0-9]{12}![A-Za-z0-9.]+$/);
    const identity = await conn.identity();
    expect(identity.user_id).toBe(org.userId);
    expect(identity.organization_id).toBe(org.orgId);
    expect(identity.username).toBe(org.username);
  });

  it('when jsforce authorizes with a code and PKCE, then the code works once and the session is valid', async () => {
    const oauth = oauth2({ useVerifier: true });
    const url = oauth.getAuthorizationUrl({ scope: 'api refresh_token', state: 'st-1' });
    expect(url).toContain('code_challenge=');
    const callback = await approve(url);
    expect(callback.searchParams.get('state')).toBe('st-1');
    const code = callback.searchParams.get('code')!;
    const conn = new Connection({ oauth2: oauth, version: '66.0' });
    const info = await conn.authorize(code);
    expect(info.id).toBe(org.userId);
    expect(conn.refreshToken).toBeTruthy();
    const result = await conn.query<{ Username: string }>(
      `SELECT Username FROM User WHERE Id = '${org.userId}'`,
    );
    expect(result.records[0]?.Username).toBe(org.username);
    await expect(new Connection({ oauth2: oauth }).authorize(code)).rejects.toMatchObject({
      name: 'invalid_grant',
    });
  });

  it('when the PKCE verifier is wrong, then the code exchange is refused', async () => {
    const oauth = oauth2({ useVerifier: true });
    const callback = await approve(oauth.getAuthorizationUrl({ scope: 'api' }));
    oauth.codeVerifier = 'not-the-verifier-that-made-the-challenge-0123456789012345678901234';
    await expect(oauth.requestToken(callback.searchParams.get('code')!)).rejects.toMatchObject({
      name: 'invalid_grant',
    });
  });

  it('when the access token has expired, then jsforce refreshes it after the 401 and the call succeeds', async () => {
    const oauth = oauth2({ useVerifier: true });
    const callback = await approve(oauth.getAuthorizationUrl({ scope: 'api refresh_token' }));
    const conn = new Connection({ oauth2: oauth, version: '66.0' });
    await conn.authorize(callback.searchParams.get('code')!);
    const before = conn.accessToken;
    const refreshed: string[] = [];
    conn.on('refresh', (token: string) => refreshed.push(token));
    org.expireTokens();
    const res = await conn.query('SELECT Id FROM Organization');
    expect(res.totalSize).toBe(1);
    expect(refreshed).toHaveLength(1);
    expect(conn.accessToken).not.toBe(before);
  });

  it('when records are created, read, updated, upserted and deleted, then the org holds exactly that', async () => {
    const conn = await passwordConnection();
    const created = await conn.sobject('Account').create({ Name: 'Globex' });
    expect(created.success).toBe(true);
    const id = (created as { id: string }).id;
    expect(id).toMatch(/^001[A-Za-z0-9]{15}$/);
    await conn.sobject('Account').update({ Id: id, Website: 'https://globex.example' });
    const read = await conn.sobject('Account').retrieve(id);
    expect(read).toMatchObject({ Name: 'Globex', Website: 'https://globex.example' });

    const up1 = await conn.sobject('Event').upsert(
      {
        Salescaling_Meeting_Id__c: 'mtg-1',
        Subject: 'Kickoff',
        StartDateTime: '2026-11-20T16:00:00Z',
        DurationInMinutes: 45,
        WhatId: id,
      },
      'Salescaling_Meeting_Id__c',
    );
    const up2 = await conn
      .sobject('Event')
      .upsert({ Salescaling_Meeting_Id__c: 'mtg-1', Subject: 'Kickoff (v2)' }, 'Salescaling_Meeting_Id__c');
    expect(up1).toMatchObject({ success: true, created: true });
    expect(up2).toMatchObject({ success: true, created: false, id: (up1 as { id: string }).id });
    const events = await conn.query<{ Subject: string; AccountId: string }>(
      "SELECT Subject, AccountId FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg-1'",
    );
    expect(events.records).toEqual([expect.objectContaining({ Subject: 'Kickoff (v2)', AccountId: id })]);

    await conn.sobject('Account').destroy(id);
    await expect(conn.sobject('Account').retrieve(id)).rejects.toMatchObject({
      errorCode: 'ENTITY_IS_DELETED',
    });
    const all = await conn.query<{ IsDeleted: boolean }>(`SELECT IsDeleted FROM Account WHERE Id = '${id}'`, {
      scanAll: true,
    });
    expect(all.records.map((r) => r.IsDeleted)).toEqual([true]);
    const live = await conn.query(`SELECT Id FROM Account WHERE Id = '${id}'`);
    expect(live.totalSize).toBe(0);
  });

  it('when a query matches more than a batch, then jsforce pages through nextRecordsUrl to every record', async () => {
    const conn = await passwordConnection();
    org.seed(
      'Lead',
      Array.from({ length: 2300 }, (_, i) => ({ LastName: `Paging ${i}`, Company: 'Paging Inc' })),
    );
    const first = await conn.query("SELECT Id FROM Lead WHERE Company = 'Paging Inc'");
    expect(first).toMatchObject({ totalSize: 2300, done: false });
    expect(first.records).toHaveLength(2000);
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v66\.0\/query\/01g[A-Za-z0-9]{15}-2000$/);
    const rest = await conn.queryMore(first.nextRecordsUrl!);
    expect(rest).toMatchObject({ done: true, totalSize: 2300 });
    expect(rest.records).toHaveLength(300);
    const all = await conn
      .query("SELECT Id FROM Lead WHERE Company = 'Paging Inc'")
      .run({ autoFetch: true, maxFetch: 5000 });
    expect(new Set(all.records.map((r) => r.Id)).size).toBe(2300);
  });

  it('when a composite request references an earlier result, then both records are written and linked', async () => {
    const conn = await passwordConnection();
    const res = await conn.requestPost<{
      compositeResponse: { httpStatusCode: number; body: { id: string } }[];
    }>('/services/data/v66.0/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v66.0/sobjects/Account',
          referenceId: 'acct',
          body: { Name: 'Initech' },
        },
        {
          method: 'POST',
          url: '/services/data/v66.0/sobjects/Contact',
          referenceId: 'ct',
          body: { LastName: 'Lumbergh', AccountId: '@{acct.id}' },
        },
        {
          method: 'GET',
          url: "/services/data/v66.0/query?q=SELECT+Id+FROM+Contact+WHERE+AccountId='@{acct.id}'",
          referenceId: 'q',
        },
      ],
    });
    expect(res.compositeResponse.map((r) => r.httpStatusCode)).toEqual([201, 201, 200]);
    const contact = await conn.sobject('Contact').retrieve(res.compositeResponse[1]!.body.id);
    expect(contact.AccountId).toBe(res.compositeResponse[0]!.body.id);
  });

  it('when one graph of two fails, then only that graph is rolled back', async () => {
    const conn = await passwordConnection();
    const res = await conn.requestPost<{ graphs: { graphId: string; isSuccessful: boolean }[] }>(
      '/services/data/v66.0/composite/graph',
      {
        graphs: [
          {
            graphId: 'good',
            compositeRequest: [
              {
                method: 'POST',
                url: '/services/data/v66.0/sobjects/Account',
                referenceId: 'a',
                body: { Name: 'Graph Good' },
              },
              {
                method: 'POST',
                url: '/services/data/v66.0/sobjects/Contact',
                referenceId: 'c',
                body: { LastName: 'G', AccountId: '@{a.id}' },
              },
            ],
          },
          {
            graphId: 'bad',
            compositeRequest: [
              {
                method: 'POST',
                url: '/services/data/v66.0/sobjects/Account',
                referenceId: 'a',
                body: { Name: 'Graph Bad' },
              },
              {
                method: 'POST',
                url: '/services/data/v66.0/sobjects/Contact',
                referenceId: 'c',
                body: { AccountId: '@{a.id}' },
              },
            ],
          },
        ],
      },
    );
    expect(res.graphs.map((g) => [g.graphId, g.isSuccessful])).toEqual([
      ['good', true],
      ['bad', false],
    ]);
    const names = await conn.query<{ Name: string }>("SELECT Name FROM Account WHERE Name LIKE 'Graph %'");
    expect(names.records.map((r) => r.Name)).toEqual(['Graph Good']);
  });
});
