/**
 * Requests the fuzzers found answered 500 UNKNOWN_EXCEPTION, each pinned down: the local org answers
 * them as Salesforce would (an ordinary 4xx error body, or success) and records no unexpected error.
 */
import { startLoggedIn, V, type Call, type Json } from '../support/http.ts';
import type { LocalOrg } from '../../src/index.ts';

let org: LocalOrg;
let call: Call;
let token: string;
beforeAll(async () => {
  ({ org, call, token } = await startLoggedIn());
});
afterAll(() => org.stop());

describe('inputs that once answered 500', () => {
  it('when a SOQL LIKE pattern holds a hyphen (issue 13), then the query answers 200 with the matching record', async () => {
    const [id] = org.seed('Account', [{ Name: 'Run [A1-run] now', Phone: '(415) 555-0199' }]);
    org.seed('Account', [{ Name: 'A1 run' }]);
    const q = (soql: string) => call('GET', `${V}/query?q=${encodeURIComponent(soql)}`);
    const res = await q("SELECT Id FROM Account WHERE Name LIKE '%[A1-run]%'");
    expect(res.status).toBe(200);
    expect(res.body.records.map((r: { Id: string }) => r.Id)).toEqual([id]);
    const phone = await q("SELECT Id FROM Account WHERE Phone LIKE '%555-0199'");
    expect(phone.body.records.map((r: { Id: string }) => r.Id)).toEqual([id]);
    expect(org.unexpectedErrors()).toEqual([]);
  });

  it('when a datetime field is sent a number beyond the date range, then it is a JSON_PARSER_ERROR and nothing is created', async () => {
    const before = await call('GET', `${V}/query?q=${encodeURIComponent('SELECT COUNT() FROM Event')}`);
    const res = await call('POST', `${V}/sobjects/Event`, {
      Subject: 'x',
      StartDateTime: 1e300,
      EndDateTime: 1e300,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual([{ errorCode: 'JSON_PARSER_ERROR', message: expect.any(String) }]);
    const after = await call('GET', `${V}/query?q=${encodeURIComponent('SELECT COUNT() FROM Event')}`);
    expect(after.body.totalSize).toBe(before.body.totalSize);
    expect(org.unexpectedErrors()).toEqual([]);
  });

  it('when a composite body nests 5,000 levels deep, then it is a JSON_PARSER_ERROR (it overflowed the stack)', async () => {
    // Built as text: the client's own JSON.stringify would overflow first.
    const post = async (n: number) => {
      const body = `{"compositeRequest":[{"method":"POST","url":"${V}/sobjects/Account","referenceId":"a","body":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}]}`;
      const res = await fetch(`${org.url}${V}/composite`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const res = await post(5000);
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      { errorCode: 'JSON_PARSER_ERROR', message: expect.stringContaining('nesting depth') },
    ]);
    // A body within the limit is still run (and fails on its own merits, inside the composite).
    const ok = await post(900);
    expect(ok.status).toBe(200);
    expect(ok.body.compositeResponse[0].httpStatusCode).toBe(400);
    expect(org.unexpectedErrors()).toEqual([]);
  });
});
