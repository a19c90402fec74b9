/**
 * Probes of SOQL and SOSL over HTTP beyond paging: the documented error bodies, COUNT() and aggregate
 * shapes, OFFSET and FIELDS() bounds, date literals, null relationships and SOSL's own errors.
 * Each names the SOQL and SOSL Reference page it follows.
 */
import type { LocalOrg } from '../../src/index.ts';
import { startLoggedIn, V, type Call, type Json } from '../support/http.ts';

let org: LocalOrg;
let call: Call;
let acme: string;

beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
  [acme] = org.seed('Account', [{ Name: 'Soql Acme' }, { Name: 'Soql Beta' }]) as [string, string];
  org.seed('Contact', [
    { LastName: 'SoqlWithAccount', AccountId: acme, Department: 'SoqlProbe' },
    { LastName: 'SoqlAlone', Department: 'SoqlProbe' },
  ]);
});
afterAll(() => org.stop());

const query = (q: string) => call('GET', `${V}/query?q=${encodeURIComponent(q)}`);
const search = (q: string) => call('GET', `${V}/search?q=${encodeURIComponent(q)}`);

/** Salesforce's parse-error message: the query, a caret under the column, then the row and column. */
function expectPositioned(body: Json, errorCode: string, q: string, column: number, reason: RegExp): void {
  expect(body).toEqual([{ message: expect.any(String), errorCode }]);
  const [blank, echoed, caret, where, ...rest] = (body[0].message as string).split('\n');
  expect(blank).toBe('');
  expect(echoed).toBe(q);
  expect(caret).toBe(`${' '.repeat(column - 1)}^`);
  expect(where).toBe(`ERROR at Row:1:Column:${column}`);
  expect(rest.join('\n')).toMatch(reason);
}

// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm
// (INVALID_FIELD, INVALID_TYPE), https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm (400)
describe('query errors', () => {
  it('when a field does not exist, then 400 INVALID_FIELD with the query, a caret at the field and “No such column”', async () => {
    const q = 'SELECT Nope FROM Account';
    const res = await query(q);
    expect(res.status).toBe(400);
    expectPositioned(res.body, 'INVALID_FIELD', q, 8, /^No such column 'Nope' on entity 'Account'\./);
  });

  it('when a parent relationship does not exist, then 400 INVALID_FIELD “Didn’t understand relationship”', async () => {
    const q = 'SELECT Id, Nope__r.Name FROM Contact';
    const res = await query(q);
    expect(res.status).toBe(400);
    expectPositioned(
      res.body,
      'INVALID_FIELD',
      q,
      12,
      /^Didn't understand relationship 'Nope__r' in field path\./,
    );
  });

  it('when an object does not exist, then 400 INVALID_TYPE “sObject type … is not supported”', async () => {
    const q = 'SELECT Id FROM Nope__c';
    const res = await query(q);
    expect(res.status).toBe(400);
    expectPositioned(res.body, 'INVALID_TYPE', q, 16, /^sObject type 'Nope__c' is not supported\./);
  });

  it('when a child relationship in a subquery does not exist, then 400 INVALID_TYPE', async () => {
    const res = await query('SELECT Id, (SELECT Id FROM Nopes) FROM Account');
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'INVALID_TYPE']);
    expect(res.body[0].message).toMatch(/Didn't understand relationship 'Nopes' in FROM part of query call/);
  });

  it('when a text field is compared with an unquoted number, then 400 INVALID_FIELD naming the expected type', async () => {
    const res = await query('SELECT Id FROM Account WHERE Name = 5');
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'INVALID_FIELD']);
    expect(res.body[0].message).toMatch(/value of filter criterion for field 'Name' must be of type string/);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm;
  // https://help.salesforce.com/s/articleView?id=000004410 ("Using an invalid or expired query locator … INVALID_QUERY_LOCATOR")
  it('when a query locator is unknown, then 400 INVALID_QUERY_LOCATOR', async () => {
    for (const locator of ['01g000000000000AAA-2000', 'garbage']) {
      const res = await call('GET', `${V}/query/${locator}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual([{ message: expect.any(String), errorCode: 'INVALID_QUERY_LOCATOR' }]);
    }
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_count.htm
describe('COUNT()', () => {
  it('when COUNT() is selected, then totalSize holds the count and records is empty', async () => {
    const res = await query("SELECT COUNT() FROM Contact WHERE Department = 'SoqlProbe'");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ totalSize: 2, done: true, records: [] });
  });

  it('when COUNT(Id) is selected, then one AggregateResult row whose expr0 holds the count', async () => {
    const res = await query("SELECT COUNT(Id) FROM Contact WHERE Department = 'SoqlProbe'");
    expect(res.body).toEqual({
      totalSize: 1,
      done: true,
      records: [{ attributes: { type: 'AggregateResult' }, expr0: 2 }],
    });
  });

  it.each([
    ['COUNT() with ORDER BY', 'SELECT COUNT() FROM Account ORDER BY Name'],
    ['COUNT() with another field', 'SELECT COUNT(), Name FROM Account'],
    ['COUNT() with GROUP BY', 'SELECT COUNT() FROM Account GROUP BY Name'],
  ])('when %s is asked, then 400 MALFORMED_QUERY', async (_what, q) => {
    const res = await query(q);
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'MALFORMED_QUERY']);
    expect(res.body[0].message).toMatch(/ERROR at Row:1:Column:\d+/);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_groupby_alias.htm — unaliased aggregates are expr0, expr1, …
describe('aggregates and GROUP BY', () => {
  it('when two aggregates have no alias, then they come back as expr0 and expr1', async () => {
    const res = await query("SELECT COUNT(Id), MAX(LastName) FROM Contact WHERE Department = 'SoqlProbe'");
    expect(res.body.records).toEqual([
      { attributes: { type: 'AggregateResult' }, expr0: 2, expr1: 'SoqlWithAccount' },
    ]);
  });

  it('when grouped with an alias, then one AggregateResult per group carrying the group field and the alias', async () => {
    const res = await query(
      "SELECT AccountId, COUNT(Id) cnt FROM Contact WHERE Department = 'SoqlProbe' GROUP BY AccountId",
    );
    expect(res.body.totalSize).toBe(2);
    expect(res.body.records).toEqual(
      expect.arrayContaining([
        { attributes: { type: 'AggregateResult' }, AccountId: acme, cnt: 1 },
        { attributes: { type: 'AggregateResult' }, AccountId: null, cnt: 1 },
      ]),
    );
  });

  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_groupby.htm
  it('when a selected field is neither grouped nor aggregated, then 400 MALFORMED_QUERY', async () => {
    const res = await query('SELECT Id, Name FROM Account GROUP BY Name');
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'MALFORMED_QUERY']);
  });
});

describe('bounds', () => {
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm —
  // batchSize "minimum 200, maximum 2,000", and 2,000 is also the default.
  it('when a batch size above 2,000 is asked, or none, then pages hold at most 2,000 records', async () => {
    org.seed(
      'Lead',
      Array.from({ length: 2100 }, (_, i) => ({ LastName: `Big ${i}`, Company: 'Soql Big Batch' })),
    );
    const q = encodeURIComponent("SELECT Id FROM Lead WHERE Company = 'Soql Big Batch'");
    for (const headers of [{ 'Sforce-Query-Options': 'batchSize=5000' }, {}]) {
      const res = await call('GET', `${V}/query?q=${q}`, undefined, headers);
      expect(res.body).toMatchObject({ totalSize: 2100, done: false });
      expect(res.body.records).toHaveLength(2000);
      const rest = await call('GET', res.body.nextRecordsUrl, undefined, headers);
      expect(rest.body).toMatchObject({ done: true });
      expect(rest.body.records).toHaveLength(100);
    }
  });

  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_offset.htm — "Requesting an offset greater than 2,000 results in a
  // NUMBER_OUTSIDE_VALID_RANGE error."
  it('when OFFSET is above 2,000, then 400 NUMBER_OUTSIDE_VALID_RANGE; at 2,000 it runs', async () => {
    const over = await query('SELECT Id FROM Account OFFSET 2001');
    expect([over.status, over.body[0].errorCode]).toEqual([400, 'NUMBER_OUTSIDE_VALID_RANGE']);
    const at = await query('SELECT Id FROM Account OFFSET 2000');
    expect(at.status).toBe(200);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_fields.htm — FIELDS(ALL) and FIELDS(CUSTOM) need LIMIT 200 or
  // less; FIELDS(STANDARD) does not.
  it('when FIELDS(ALL) has no LIMIT or one above 200, then 400 MALFORMED_QUERY; with LIMIT 200 it runs', async () => {
    for (const q of ['SELECT FIELDS(ALL) FROM Account', 'SELECT FIELDS(ALL) FROM Account LIMIT 201']) {
      const res = await query(q);
      expect([res.status, res.body[0].errorCode]).toEqual([400, 'MALFORMED_QUERY']);
    }
    const ok = await query("SELECT FIELDS(ALL) FROM Account WHERE Name = 'Soql Acme' LIMIT 200");
    expect(ok.status).toBe(200);
    expect(ok.body.records[0]).toMatchObject({ Id: acme, Name: 'Soql Acme', IsDeleted: false });
  });

  it('when FIELDS(STANDARD) has no LIMIT, then it runs', async () => {
    const res = await query("SELECT FIELDS(STANDARD) FROM Account WHERE Name = 'Soql Acme'");
    expect(res.status).toBe(200);
    expect(res.body.records[0]).toMatchObject({ Id: acme, Name: 'Soql Acme' });
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
describe('date literals', () => {
  it('when records were created today, then TODAY and LAST_N_DAYS:3 match them and YESTERDAY does not', async () => {
    const ids = async (where: string) =>
      (await query(`SELECT Id FROM Account WHERE Name = 'Soql Acme' AND ${where}`)).body.totalSize;
    expect(await ids('CreatedDate = TODAY')).toBe(1);
    expect(await ids('CreatedDate = LAST_N_DAYS:3')).toBe(1);
    expect(await ids('CreatedDate = YESTERDAY')).toBe(0);
    expect(await ids('CreatedDate > 2020-01-01T00:00:00Z')).toBe(1);
  });

  it('when a datetime field is compared with a bare date, then 400 INVALID_FIELD', async () => {
    const res = await query('SELECT Id FROM Account WHERE CreatedDate > 2020-01-01');
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'INVALID_FIELD']);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_lookup.htm — relationship queries return records whose
// foreign key is null, as an outer join; the REST body shows the missing parent as null.
describe('null relationships', () => {
  it('when a contact has no account, then it is returned with Account: null', async () => {
    const res = await query(
      "SELECT Id, LastName, Account.Name FROM Contact WHERE Department = 'SoqlProbe' ORDER BY Account.Name",
    );
    expect(res.body.totalSize).toBe(2);
    const alone = res.body.records.find((r: Json) => r.LastName === 'SoqlAlone');
    expect(alone.Account).toBeNull();
    const withAccount = res.body.records.find((r: Json) => r.LastName === 'SoqlWithAccount');
    expect(withAccount.Account).toEqual({
      attributes: { type: 'Account', url: `${V}/sobjects/Account/${acme}` },
      Name: 'Soql Acme',
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_null.htm — "the record is returned even if the parent does not exist"
  it('when WHERE tests a parent field for null, then records without a parent match', async () => {
    const res = await query(
      "SELECT LastName FROM Contact WHERE Department = 'SoqlProbe' AND Account.Name = null",
    );
    expect(res.body.records.map((r: Json) => r.LastName)).toEqual(['SoqlAlone']);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_returning.htm
describe('SOSL errors', () => {
  it('when RETURNING names an unknown object, then 400 INVALID_TYPE', async () => {
    const res = await search('FIND {Soql} RETURNING Nope__c');
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'INVALID_TYPE']);
  });

  it('when RETURNING names an unknown field, then 400 INVALID_FIELD', async () => {
    const res = await search('FIND {Soql} RETURNING Account(Nope)');
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'INVALID_FIELD']);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_offset.htm
  it('when a SOSL OFFSET is above 2,000, then 400 “SOSL offset should be between 0 to 2000”', async () => {
    const res = await search('FIND {Soql} RETURNING Account(Id LIMIT 10 OFFSET 2001)');
    expect(res.status).toBe(400);
    expect(res.body[0].message).toMatch(/SOSL offset should be between 0 to 2000/);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm
  it('when the FIND braces are not closed, then 400 MALFORMED_SEARCH', async () => {
    const res = await search('FIND {Soql');
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'MALFORMED_SEARCH']);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm —
  // reserved characters escaped with a backslash, * and ? wildcards, quoted phrases, AND / AND NOT.
  it('when the search escapes reserved characters or uses wildcards, phrases and operators, then it matches as documented', async () => {
    org.seed('Account', [{ Name: 'Hyphen-Corp' }, { Name: "O'Brien Ltd" }, { Name: 'Wildcard Probe Co' }]);
    const names = async (sosl: string) =>
      (await search(sosl)).body.searchRecords.map((r: Json) => r.Name as string);
    expect(await names('FIND {Hyphen\\-Corp} RETURNING Account(Name)')).toEqual(['Hyphen-Corp']);
    expect(await names("FIND {O\\'Brien} RETURNING Account(Name)")).toEqual(["O'Brien Ltd"]);
    expect(await names('FIND {Wildc*} RETURNING Account(Name)')).toEqual(['Wildcard Probe Co']);
    expect(await names('FIND {W?ldcard} RETURNING Account(Name)')).toEqual(['Wildcard Probe Co']);
    expect(await names('FIND {"Wildcard Probe"} RETURNING Account(Name)')).toEqual(['Wildcard Probe Co']);
    expect(await names('FIND {Wildcard AND Probe} RETURNING Account(Name)')).toEqual(['Wildcard Probe Co']);
    expect(await names('FIND {Wildcard AND NOT Probe} RETURNING Account(Name)')).toEqual([]);
  });

  it('when nothing matches, then 200 with an empty searchRecords', async () => {
    const res = await search('FIND {Zzyzxnothing} RETURNING Account');
    expect([res.status, res.body]).toEqual([200, { searchRecords: [] }]);
  });

  it('when RETURNING lists fields, then each row carries attributes and exactly those fields', async () => {
    const res = await search('FIND {Acme} IN NAME FIELDS RETURNING Account(Name)');
    expect(res.body.searchRecords).toEqual([
      { attributes: { type: 'Account', url: `${V}/sobjects/Account/${acme}` }, Name: 'Soql Acme' },
    ]);
  });
});
