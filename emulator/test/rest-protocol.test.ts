/**
 * REST protocol details clients rely on that the fidelity probes (test/fidelity/) do not cover: a few
 * sObject error and resource shapes, API counting, injected failures and the knobs' control endpoint,
 * collections and composite edge cases, and keeping data in a file. Versions, 404/401/405, OAuth,
 * the daily limit and the composite and collection limits are in test/fidelity/.
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
  it('when collections update and delete by ids, then the org reflects each record', async () => {
    const ids = org.seed('Account', [{ Name: 'U1' }, { Name: 'U2' }]);
    const up = await call('PATCH', `${V}/composite/sobjects`, {
      records: ids.map((id, i) => ({ attributes: { type: 'Account' }, id, Phone: `${i}` })),
    });
    expect(up.body.map((r: { success: boolean }) => r.success)).toEqual([true, true]);
    const del = await call('DELETE', `${V}/composite/sobjects?ids=${ids.join(',')}&allOrNone=false`);
    expect(del.body).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
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
