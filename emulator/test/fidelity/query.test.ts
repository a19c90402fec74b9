/**
 * Probes of the query and search resources: paging, batch size, errors, queryAll and SOSL's shape.
 */
import type { LocalOrg } from '../../src/index.ts';
import { startLoggedIn, V, type Call, type Json } from '../support/http.ts';

let org: LocalOrg;
let call: Call;

beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
  org.seed(
    'Lead',
    Array.from({ length: 450 }, (_, i) => ({ LastName: `Pager ${i}`, Company: 'Paging Probe Inc' })),
  );
});
afterAll(() => org.stop());

const soql = (q: string) => encodeURIComponent(q);

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm,
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
describe('query', () => {
  it('when a batch size of 200 is asked, then pages of 200 linked by nextRecordsUrl until done', async () => {
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    let res = await call(
      'GET',
      `${V}/query?q=${soql("SELECT Id FROM Lead WHERE Company = 'Paging Probe Inc'")}`,
      undefined,
      headers,
    );
    expect(res.body).toMatchObject({ totalSize: 450, done: false });
    expect(res.body.records).toHaveLength(200);
    expect(res.body.nextRecordsUrl).toMatch(new RegExp(`^${V}/query/01g[A-Za-z0-9]+-200$`));
    const seen = new Set<string>(res.body.records.map((r: Json) => r.Id));
    while (!res.body.done) {
      res = await call('GET', res.body.nextRecordsUrl, undefined, headers);
      for (const r of res.body.records) seen.add(r.Id);
    }
    expect(res.body.nextRecordsUrl).toBeUndefined();
    expect(seen.size).toBe(450);
  });

  it('when a batch size below 200 is asked, then Salesforce’s minimum of 200 applies', async () => {
    const res = await call(
      'GET',
      `${V}/query?q=${soql("SELECT Id FROM Lead WHERE Company = 'Paging Probe Inc'")}`,
      undefined,
      {
        'Sforce-Query-Options': 'batchSize=10',
      },
    );
    expect(res.body.records).toHaveLength(200);
  });

  it('when q is missing, then 400 MALFORMED_QUERY', async () => {
    const res = await call('GET', `${V}/query`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual([{ message: expect.any(String), errorCode: 'MALFORMED_QUERY' }]);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm (MALFORMED_QUERY)
  it('when the SOQL is malformed, then 400 [{message, errorCode: MALFORMED_QUERY}] with the row and column', async () => {
    const res = await call('GET', `${V}/query?q=${soql('SELECT Id FROM')}`);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body[0]).sort()).toEqual(['errorCode', 'message']);
    expect(res.body[0].errorCode).toBe('MALFORMED_QUERY');
    expect(res.body[0].message).toMatch(/ERROR at Row:1:Column:\d+/);
  });

  it('when a field does not exist, then 400 INVALID_FIELD', async () => {
    const res = await call('GET', `${V}/query?q=${soql('SELECT Nope FROM Account')}`);
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'INVALID_FIELD']);
  });

  it('when an object does not exist, then 400 INVALID_TYPE', async () => {
    const res = await call('GET', `${V}/query?q=${soql('SELECT Id FROM Nope__c')}`);
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'INVALID_TYPE']);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall_more_results.htm —
  // "The URI specified in the nextRecordsUrl field of a QueryAll response body contains query instead
  // of queryAll", and either resource serves the rest, deleted rows included.
  it('when queryAll pages, then nextRecordsUrl names query/, and query/ and queryAll/ both serve the rest with deleted rows', async () => {
    const ids = org.seed(
      'Contact',
      Array.from({ length: 300 }, (_, i) => ({ LastName: `QA ${i}`, Department: 'QueryAllPaging' })),
    );
    for (const id of ids.slice(0, 250)) await call('DELETE', `${V}/sobjects/Contact/${id}`);
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await call(
      'GET',
      `${V}/queryAll?q=${soql("SELECT Id, IsDeleted FROM Contact WHERE Department = 'QueryAllPaging'")}`,
      undefined,
      headers,
    );
    expect(first.body).toMatchObject({ totalSize: 300, done: false });
    expect(first.body.nextRecordsUrl).toMatch(new RegExp(`^${V}/query/01g[A-Za-z0-9]+-200$`));
    const viaQueryAll = await call(
      'GET',
      first.body.nextRecordsUrl.replace('/query/', '/queryAll/'),
      undefined,
      headers,
    );
    expect(viaQueryAll.body).toMatchObject({ done: true });
    expect(viaQueryAll.body.records).toHaveLength(100);
    const all = [...first.body.records, ...viaQueryAll.body.records];
    expect(all.filter((r: Json) => r.IsDeleted === true)).toHaveLength(250);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
  it('when a record is deleted, then query no longer returns it and queryAll returns it with IsDeleted true', async () => {
    const [id] = org.seed('Account', [{ Name: 'QueryAll Probe' }]);
    await call('DELETE', `${V}/sobjects/Account/${id}`);
    const q = soql("SELECT Id, IsDeleted FROM Account WHERE Name = 'QueryAll Probe'");
    expect((await call('GET', `${V}/query?q=${q}`)).body.totalSize).toBe(0);
    const all = await call('GET', `${V}/queryAll?q=${q}`);
    expect(all.body.records).toEqual([expect.objectContaining({ Id: id, IsDeleted: true })]);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_search.htm
describe('search', () => {
  it('when SOSL finds records, then {searchRecords: [...]} with attributes on each row', async () => {
    org.seed('Account', [{ Name: 'Zebulon Searchable' }]);
    const res = await call(
      'GET',
      `${V}/search?q=${soql('FIND {Zebulon} IN NAME FIELDS RETURNING Account(Id, Name)')}`,
    );
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['searchRecords']);
    expect(res.body.searchRecords).toEqual([
      {
        attributes: { type: 'Account', url: expect.stringMatching(new RegExp(`^${V}/sobjects/Account/001`)) },
        Id: expect.any(String),
        Name: 'Zebulon Searchable',
      },
    ]);
  });

  it('when the SOSL is malformed, then 400 MALFORMED_SEARCH', async () => {
    const res = await call('GET', `${V}/search?q=${soql('FIND Zebulon')}`);
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'MALFORMED_SEARCH']);
  });

  it('when parameterizedSearch is asked, then it answers as an unknown resource (not reproduced)', async () => {
    const res = await call('GET', `${V}/parameterizedSearch?q=Zebulon`);
    expect([res.status, res.body[0].errorCode]).toEqual([404, 'NOT_FOUND']);
  });
});
