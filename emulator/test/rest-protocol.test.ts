/**
 * The REST and OAuth protocol details clients rely on: versions, error bodies and statuses, the
 * Sforce-Limit-Info header and API counting, sObject Collections and composite limits, OAuth errors,
 * revocation, the knobs and their control endpoint, and keeping data in a file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalOrg, type LocalOrg } from '../src/index.ts';
import { client, passwordToken, startLoggedIn, V, type Call } from './support/http.ts';

let org: LocalOrg;
let call: Call;
let token: string;

beforeAll(async () => {
  ({ org, token, call } = await startLoggedIn({ redirectUris: ['http://localhost:4000/cb'] }));
});
afterAll(() => org.stop());
afterEach(() => {
  org.setKnobs({ latencyMs: 0, failureRate: 0, dailyApiLimit: 15000 });
});

const form = (path: string, params: Record<string, string>) =>
  fetch(`${org.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });

describe('versions and resources', () => {
  it('when the versions are listed, then 31.0 to 66.0 are there with release names, also through a doubled slash', async () => {
    const res = await fetch(`${org.url}//services/data`);
    const list = (await res.json()) as { version: string; label: string; url: string }[];
    expect(list[0]).toEqual({ label: "Summer '14", url: '/services/data/v31.0', version: '31.0' });
    expect(list.at(-1)).toEqual({ label: "Spring '26", url: '/services/data/v66.0', version: '66.0' });
    expect(list).toHaveLength(36);
  });

  it('when an unknown resource, object, version or record is asked for, then 404 NOT_FOUND as Salesforce answers', async () => {
    for (const path of [
      `${V}/nothing`,
      `${V}/sobjects/Nope__c/describe`,
      '/services/data/v99.0/sobjects',
      `${V}/sobjects/Account/001000000000000AAA`,
    ]) {
      const res = await call('GET', path);
      expect([path, res.status, res.body[0].errorCode]).toEqual([path, 404, 'NOT_FOUND']);
    }
  });

  it('when no or a bad token is sent, then 401 INVALID_SESSION_ID', async () => {
    const res = await fetch(`${org.url}${V}/sobjects`, {
      headers: { authorization: 'Bearer 00D000000000000!nope' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
  });

  it('when a method is not allowed, then 405 METHOD_NOT_ALLOWED', async () => {
    const res = await call('PUT', `${V}/sobjects/Account`, {});
    expect(res.status).toBe(405);
    expect(res.body[0].errorCode).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('sObject errors', () => {
  it('when fields are missing, unknown or read-only, then the errors name them', async () => {
    const missing = await call('POST', `${V}/sobjects/Opportunity`, { Name: 'x' });
    expect(missing.body).toEqual([
      {
        message: 'Required fields are missing: [StageName, CloseDate]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['StageName', 'CloseDate'],
      },
    ]);
    const unknown = await call('POST', `${V}/sobjects/Account`, { Name: 'x', Bogus__c: 1 });
    expect(unknown.body[0]).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: "No such column 'Bogus__c' on sobject of type Account",
    });
    const bad = await call('POST', `${V}/sobjects/Contact`, { LastName: 'x', Email: 'not-an-email' });
    expect(bad.body[0].errorCode).toBe('INVALID_EMAIL_ADDRESS');
  });

  it('when the body is not JSON, then JSON_PARSER_ERROR', async () => {
    const res = await fetch(`${org.url}${V}/sobjects/Account`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"Name":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errorCode: string }[])[0]?.errorCode).toBe('JSON_PARSER_ERROR');
  });

  it('when a record is read by a 15-character id or with ?fields, then it answers in the 18-character form', async () => {
    const [id] = org.seed('Account', [{ Name: 'Short Id', Phone: '555' }]);
    const res = await call('GET', `${V}/sobjects/Account/${id!.slice(0, 15)}?fields=Name,Phone`);
    expect(res.body).toEqual({
      attributes: { type: 'Account', url: `${V}/sobjects/Account/${id!}` },
      Name: 'Short Id',
      Phone: '555',
    });
  });

  it('when describe is asked If-Modified-Since its Last-Modified, then 304 and no body', async () => {
    const first = await call('GET', `${V}/sobjects/Account/describe`);
    const lastModified = first.headers.get('last-modified')!;
    expect(lastModified).toBeTruthy();
    const again = await fetch(`${org.url}${V}/sobjects/Account/describe`, {
      headers: { authorization: `Bearer ${token}`, 'If-Modified-Since': lastModified },
    });
    expect(again.status).toBe(304);
    const older = await fetch(`${org.url}${V}/sobjects`, {
      headers: { authorization: `Bearer ${token}`, 'If-Modified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT' },
    });
    expect(older.status).toBe(200);
  });

  it('when deleted and updated records are asked for a time span, then the replication resources list their ids', async () => {
    const [gone, kept] = org.seed('Lead', [
      { LastName: 'Gone', Company: 'R' },
      { LastName: 'Kept', Company: 'R' },
    ]);
    await call('DELETE', `${V}/sobjects/Lead/${gone!}`);
    const start = new Date(Date.now() - 5 * 60000).toISOString();
    const end = new Date(Date.now() + 5 * 60000).toISOString();
    const span = `start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`;
    const deleted = await call('GET', `${V}/sobjects/Lead/deleted/?${span}`);
    expect(deleted.body.deletedRecords.map((r: { id: string }) => r.id)).toEqual([gone]);
    const updated = await call('GET', `${V}/sobjects/Lead/updated/?${span}`);
    expect(updated.body.ids).toContain(kept);
    expect(updated.body.ids).not.toContain(gone);
    const bad = await call(
      'GET',
      `${V}/sobjects/Lead/deleted/?start=yesterday&end=${encodeURIComponent(end)}`,
    );
    expect(bad.status).toBe(400);
  });

  it('when a record’s relationships are read by name, then the parent record or the children come back', async () => {
    const [accountId] = org.seed('Account', [{ Name: 'Rel Co' }]);
    const [contactId] = org.seed('Contact', [{ LastName: 'Rel', AccountId: accountId }]);
    const parent = await call('GET', `${V}/sobjects/Contact/${contactId!}/Account?fields=Name`);
    expect(parent.body).toMatchObject({ attributes: { type: 'Account' }, Name: 'Rel Co' });
    const children = await call('GET', `${V}/sobjects/Account/${accountId!}/Contacts?fields=LastName`);
    expect(children.body).toMatchObject({ totalSize: 1, done: true, records: [{ LastName: 'Rel' }] });
    const unknown = await call('GET', `${V}/sobjects/Account/${accountId!}/Nothing`);
    expect(unknown.status).toBe(404);
  });

  it('when a query is malformed, then the query error is Salesforce’s', async () => {
    const res = await call('GET', `${V}/query?q=${encodeURIComponent('SELECT FROM Account')}`);
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('MALFORMED_QUERY');
  });
});

describe('API usage', () => {
  it('when calls are made, then each counts once by kind and Sforce-Limit-Info reports usage', async () => {
    org.resetCounters();
    const a = await call('GET', `${V}/sobjects/Account/describe`);
    expect(a.headers.get('sforce-limit-info')).toBe('api-usage=1/15000');
    await call('GET', `${V}/query?q=${encodeURIComponent('SELECT Id FROM Account')}`);
    await call('POST', `${V}/composite`, {
      compositeRequest: [
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a', body: { Name: 'Count' } },
        { method: 'GET', url: `${V}/sobjects/Account/@{a.id}`, referenceId: 'b' },
      ],
    });
    expect(org.counters()).toEqual({ total: 3, describe: 1, query: 1, composite: 1 });
    const limits = await call('GET', `${V}/limits`);
    expect(limits.body.DailyApiRequests).toEqual({ Max: 15000, Remaining: 15000 - 4 });
    const control = await fetch(`${org.url}/__control/counters`);
    expect(((await control.json()) as Record<string, number>).total).toBe(4);
  });

  it('when the daily limit is reached, then REQUEST_LIMIT_EXCEEDED with 403', async () => {
    org.resetCounters();
    org.setKnobs({ dailyApiLimit: 2 });
    await call('GET', `${V}/limits`);
    await call('GET', `${V}/limits`);
    const res = await call('GET', `${V}/limits`);
    expect(res.status).toBe(403);
    expect(res.body[0].errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
  });

  it('when failures are injected at rate 1, then writes fail transiently and nothing is written', async () => {
    org.setKnobs({ failureRate: 1, failureKinds: ['UNABLE_TO_LOCK_ROW'] });
    const res = await call('POST', `${V}/sobjects/Account`, { Name: 'Never Written' });
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('UNABLE_TO_LOCK_ROW');
    org.setKnobs({ failureRate: 1, failureKinds: ['503'] });
    expect((await call('GET', `${V}/limits`)).status).toBe(503);
    org.setKnobs({ failureRate: 0 });
    const q = await call(
      'GET',
      `${V}/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name = 'Never Written'")}`,
    );
    expect(q.body.totalSize).toBe(0);
  });

  it('when knobs are set through the control endpoint, then the org follows them', async () => {
    const res = await fetch(`${org.url}/__control/knobs`, {
      method: 'POST',
      body: JSON.stringify({ latencyMs: 150 }),
    });
    expect(((await res.json()) as { latencyMs: number }).latencyMs).toBe(150);
    const t0 = Date.now();
    await call('GET', `${V}/limits`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const bad = await fetch(`${org.url}/__control/knobs`, {
      method: 'POST',
      body: JSON.stringify({ failureRate: 2 }),
    });
    expect(bad.status).toBe(400);
  });
});

describe('sObject Collections and composite', () => {
  it('when a collection insert with allOrNone has a bad record, then nothing is written and each result says why', async () => {
    const res = await call('POST', `${V}/composite/sobjects`, {
      allOrNone: true,
      records: [
        { attributes: { type: 'Account' }, Name: 'Coll A' },
        { attributes: { type: 'Contact' }, FirstName: 'no last name' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body[0]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }],
    });
    expect(res.body[1]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }],
    });
    const q = await call(
      'GET',
      `${V}/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name = 'Coll A'")}`,
    );
    expect(q.body.totalSize).toBe(0);
  });

  it('when a collection has more than 200 records, then EXCEEDED_ID_LIMIT', async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({
      attributes: { type: 'Account' },
      Name: `N${i}`,
    }));
    const res = await call('POST', `${V}/composite/sobjects`, { records });
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
  });

  it('when collections update and delete by ids, then the org reflects each record', async () => {
    const ids = org.seed('Account', [{ Name: 'U1' }, { Name: 'U2' }]);
    const up = await call('PATCH', `${V}/composite/sobjects`, {
      records: ids.map((id, i) => ({ attributes: { type: 'Account' }, id, Phone: `${i}` })),
    });
    expect(up.body.map((r: { success: boolean }) => r.success)).toEqual([true, true]);
    const del = await call('DELETE', `${V}/composite/sobjects?ids=${ids.join(',')}&allOrNone=false`);
    expect(del.body).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
  });

  it('when a composite request has 26 subrequests, then it is refused whole', async () => {
    const compositeRequest = Array.from({ length: 26 }, (_, i) => ({
      method: 'GET',
      url: `${V}/limits`,
      referenceId: `r${i}`,
    }));
    const res = await call('POST', `${V}/composite`, { compositeRequest });
    expect(res.status).toBe(400);
  });

  it('when a composite with allOrNone fails late, then earlier writes are rolled back and marked PROCESSING_HALTED', async () => {
    const res = await call('POST', `${V}/composite`, {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a', body: { Name: 'Rolled Back' } },
        { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'c', body: { AccountId: '@{a.id}' } },
      ],
    });
    expect(res.body.compositeResponse.map((r: { httpStatusCode: number }) => r.httpStatusCode)).toEqual([
      400, 400,
    ]);
    expect(res.body.compositeResponse[0].body[0].errorCode).toBe('PROCESSING_HALTED');
    expect(res.body.compositeResponse[1].body[0].errorCode).toBe('REQUIRED_FIELD_MISSING');
    const q = await call(
      'GET',
      `${V}/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name = 'Rolled Back'")}`,
    );
    expect(q.body.totalSize).toBe(0);
  });

  it('when an all-or-none composite holds a collection with a bad record, then the collection is all-or-none too', async () => {
    const res = await call('POST', `${V}/composite`, {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: `${V}/composite/sobjects`,
          referenceId: 'coll',
          body: {
            allOrNone: false,
            records: [
              { attributes: { type: 'Account' }, Name: 'Inner Ok' },
              { attributes: { type: 'Account' } },
            ],
          },
        },
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'after', body: { Name: 'After Coll' } },
      ],
    });
    expect(res.body.compositeResponse[1].body[0].errorCode).toBe('PROCESSING_HALTED');
    const q = await call(
      'GET',
      `${V}/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name IN ('Inner Ok', 'After Coll')")}`,
    );
    expect(q.body.totalSize).toBe(0);
  });

  it('when a subrequest sets the Authorization header or a lower-case method, then the composite is refused whole', async () => {
    const header = await call('POST', `${V}/composite`, {
      compositeRequest: [
        { method: 'GET', url: `${V}/limits`, referenceId: 'a', httpHeaders: { Authorization: 'Bearer x' } },
      ],
    });
    expect(header.status).toBe(400);
    const lower = await call('POST', `${V}/composite`, {
      compositeRequest: [{ method: 'get', url: `${V}/limits`, referenceId: 'a' }],
    });
    expect(lower.status).toBe(400);
  });

  it('when an upsert says updateOnly and nothing matches, then 404 and nothing is created', async () => {
    const res = await call(
      'PATCH',
      `${V}/sobjects/Event/Salescaling_Meeting_Id__c/none-such?updateOnly=true`,
      { Subject: 'x' },
    );
    expect(res.status).toBe(404);
    const q = await call(
      'GET',
      `${V}/query?q=${encodeURIComponent("SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'none-such'")}`,
    );
    expect(q.body.totalSize).toBe(0);
    const notExternal = await call('PATCH', `${V}/sobjects/Account/Name/Acme`, { Phone: '1' });
    expect(notExternal.status).toBe(404);
  });

  it('when a composite batch halts on error, then later subrequests get 412 and each subrequest is counted', async () => {
    org.resetCounters();
    const res = await call('POST', `${V}/composite/batch`, {
      haltOnError: true,
      batchRequests: [
        { method: 'POST', url: 'v66.0/sobjects/Account', richInput: { Name: 'Batch One' } },
        { method: 'POST', url: 'v66.0/sobjects/Contact', richInput: { FirstName: 'no last name' } },
        { method: 'GET', url: 'v66.0/limits' },
      ],
    });
    expect(res.body.hasErrors).toBe(true);
    expect(res.body.results.map((r: { statusCode: number }) => r.statusCode)).toEqual([201, 400, 412]);
    expect(res.body.results[2].result[0].errorCode).toBe('BATCH_PROCESSING_HALTED');
    expect(org.counters()).toMatchObject({ total: 3, batch: 3 });
    const q = await call(
      'GET',
      `${V}/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name = 'Batch One'")}`,
    );
    expect(q.body.totalSize).toBe(1);
  });

  it('when a graph payload uses more than 15 kinds of nodes, then it is refused whole', async () => {
    const types = ['Account', 'Contact', 'Lead', 'Opportunity', 'Event', 'Task', 'ContentNote', 'User'];
    const compositeRequest = types.flatMap((t, i) => [
      { method: 'GET', url: `${V}/sobjects/${t}/001000000000000AAA`, referenceId: `g${i}` },
      { method: 'DELETE', url: `${V}/sobjects/${t}/001000000000000AAA`, referenceId: `d${i}` },
    ]);
    const res = await call('POST', `${V}/composite/graph`, { graphs: [{ graphId: 'g1', compositeRequest }] });
    expect(res.status).toBe(400);
  });

  it('when a tree insert has an invalid child, then nothing is written and the reference is named', async () => {
    const res = await call('POST', `${V}/composite/tree/Account`, {
      records: [
        {
          attributes: { type: 'Account', referenceId: 'ref1' },
          Name: 'Tree Fail',
          Contacts: {
            records: [{ attributes: { type: 'Contact', referenceId: 'ref2' }, Email: 'x@y.example' }],
          },
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      hasErrors: true,
      results: [{ referenceId: 'ref2', errors: [{ statusCode: 'REQUIRED_FIELD_MISSING' }] }],
    });
    const q = await call(
      'GET',
      `${V}/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name = 'Tree Fail'")}`,
    );
    expect(q.body.totalSize).toBe(0);
  });

  it('when a query asks for a smaller batch, then pages follow Sforce-Query-Options within 200–2000', async () => {
    org.seed(
      'Account',
      Array.from({ length: 450 }, (_, i) => ({ Name: `Batch ${i}`, AccountNumber: 'BATCH' })),
    );
    const q = encodeURIComponent("SELECT Id FROM Account WHERE AccountNumber = 'BATCH'");
    const first = await call('GET', `${V}/query?q=${q}`, undefined, {
      'Sforce-Query-Options': 'batchSize=200',
    });
    expect(first.body.records).toHaveLength(200);
    const second = await call('GET', first.body.nextRecordsUrl as string, undefined, {
      'Sforce-Query-Options': 'batchSize=200',
    });
    expect(second.body.records).toHaveLength(200);
    const third = await call('GET', second.body.nextRecordsUrl as string, undefined, {
      'Sforce-Query-Options': 'batchSize=200',
    });
    expect(third.body).toMatchObject({ done: true, totalSize: 450 });
    expect(third.body.records).toHaveLength(50);
    const stale = await call('GET', `${V}/query/01g5g0000099999AAA-200`);
    expect(stale.body[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
  });
});

describe('OAuth', () => {
  it('when the password or the client is wrong, then the OAuth errors are Salesforce’s', async () => {
    const base = {
      grant_type: 'password',
      client_id: org.clientId,
      client_secret: org.clientSecret,
      username: org.username,
    };
    const wrongPassword = await form('/services/oauth2/token', { ...base, password: 'nope' });
    expect(wrongPassword.status).toBe(400);
    expect(await wrongPassword.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'authentication failure',
    });
    const wrongClient = await form('/services/oauth2/token', {
      ...base,
      client_id: 'x',
      password: org.password,
    });
    expect(await wrongClient.json()).toEqual({
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
    const grant = await form('/services/oauth2/token', { grant_type: 'magic' });
    expect(((await grant.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  it('when a token response arrives, then its signature is the HMAC of id and issued_at with the client secret', async () => {
    const { createHmac } = await import('node:crypto');
    const res = await form('/services/oauth2/token', {
      grant_type: 'password',
      client_id: org.clientId,
      client_secret: org.clientSecret,
      username: org.username,
      password: org.password,
    });
    const body = (await res.json()) as Record<string, string>;
    const expected = createHmac('sha256', org.clientSecret)
      .update(body.id! + body.issued_at!)
      .digest('base64');
    expect(body.signature).toBe(expected);
    expect(body).toMatchObject({
      token_type: 'Bearer',
      instance_url: org.url,
      id: `${org.url}/id/${org.orgId}/${org.userId}`,
    });
  });

  it('when a token is introspected, then its state, owner and expiry come back; an unknown one is inactive', async () => {
    const basic = `Basic ${Buffer.from(`${org.clientId}:${org.clientSecret}`).toString('base64')}`;
    const introspect = async (t: string) =>
      (await (
        await fetch(`${org.url}/services/oauth2/introspect`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
          body: new URLSearchParams({ token: t, token_type_hint: 'access_token' }),
        })
      ).json()) as Record<string, unknown>;
    const active = await introspect(token);
    expect(active).toMatchObject({
      active: true,
      client_id: org.clientId,
      username: org.username,
      token_type: 'access_token',
    });
    expect(active.exp).toEqual(expect.any(Number));
    expect(await introspect('00D000000000000!nope')).toEqual({ active: false });
    const config = (await (await fetch(`${org.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(config.token_endpoint).toBe(`${org.url}/services/oauth2/token`);
  });

  it('when the identity URL is asked for a version, then its urls carry it; without, the {version} placeholder', async () => {
    const id = `${org.url}/id/${org.orgId}/${org.userId}`;
    const plain = (await (await fetch(id, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      urls: Record<string, string>;
    };
    expect(plain.urls.rest).toBe(`${org.url}/services/data/v{version}/`);
    const versioned = (await (
      await fetch(`${id}?version=66.0`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      urls: Record<string, string>;
    };
    expect(versioned.urls.rest).toBe(`${org.url}/services/data/v66.0/`);
    const denied = await fetch(id, { headers: { authorization: 'Bearer bad' } });
    expect(denied.status).toBe(403);
  });

  it('when the redirect URI is not registered, then authorize refuses without redirecting', async () => {
    const res = await fetch(
      `${org.url}/services/oauth2/authorize?response_type=code&client_id=${org.clientId}&redirect_uri=${encodeURIComponent('http://evil.example/cb')}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('redirect_uri_mismatch');
  });

  it('when a refresh token is revoked, then it and the sessions from it stop working', async () => {
    // Refresh tokens come from the web-server flow (the password flow issues none): sign in on the
    // login page's form, then exchange the code.
    const oauthParams = new URLSearchParams({
      response_type: 'code',
      client_id: org.clientId,
      redirect_uri: 'http://localhost:4000/cb',
    }).toString();
    const approved = await fetch(`${org.url}/services/oauth2/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        oauth_params: oauthParams,
        username: org.username,
        pw: org.password,
        action: 'allow',
      }),
      redirect: 'manual',
    });
    const code = new URL(approved.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const login = (await (
      await form('/services/oauth2/token', {
        grant_type: 'authorization_code',
        code,
        client_id: org.clientId,
        client_secret: org.clientSecret,
        redirect_uri: 'http://localhost:4000/cb',
      })
    ).json()) as { access_token: string; refresh_token: string };
    const info = await fetch(`${org.url}/services/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${login.access_token}` },
    });
    expect(((await info.json()) as { user_id: string }).user_id).toBe(org.userId);
    expect((await form('/services/oauth2/revoke', { token: login.refresh_token })).status).toBe(200);
    const refresh = await form('/services/oauth2/token', {
      grant_type: 'refresh_token',
      client_id: org.clientId,
      refresh_token: login.refresh_token,
    });
    expect(await refresh.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'expired access/refresh token',
    });
    const after = await fetch(`${org.url}${V}/limits`, {
      headers: { authorization: `Bearer ${login.access_token}` },
    });
    expect(after.status).toBe(401);
    const unknown = await form('/services/oauth2/revoke', { token: 'never-issued' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toBe('invalid_token');
  });
});

describe('data file', () => {
  it('when the org is stopped and started on the same file, then its records and users are still there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-org-'));
    const file = join(dir, 'org.json');
    try {
      const first = await startLocalOrg({ dataFile: file, password: 'p1' });
      const [id] = first.seed('Account', [{ Name: 'Persisted' }]);
      await first.stop();
      const second = await startLocalOrg({ dataFile: file, password: 'p1' });
      expect(second.orgId).toBe(first.orgId);
      expect(second.userId).toBe(first.userId);
      const c = client(second, await passwordToken(second));
      expect((await c('GET', `${V}/sobjects/Account/${id!}`)).body.Name).toBe('Persisted');
      const [next] = second.seed('Account', [{ Name: 'Next' }]);
      expect(next).not.toBe(id);
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
