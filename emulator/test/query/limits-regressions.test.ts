/**
 * Statements long or deep enough to overflow the stack (found by fuzzing: each answered 500) get
 * Salesforce's documented answers: SOSL terms over 4,000 characters lose their operators, over 10,000
 * return no rows
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_syntax.htm),
 * and what is still too deep is QUERY_TOO_COMPLICATED
 * (https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_soslsoql.htm).
 */
import { executeSoql, executeSosl, QueryError } from '../../src/query/index.ts';
import { makeFixture, NOW } from './fixture.ts';

const { ds, ids } = makeFixture();
const search = (sosl: string): string[] =>
  executeSosl(sosl, ds, { apiVersion: '66.0' }).searchRecords.map((r) => String(r['Id']));
const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (e) {
    return e instanceof QueryError ? e.errorCode : `not a QueryError: ${String(e)}`;
  }
};

describe('very long or deep statements', () => {
  it('when a SOQL WHERE chains 20,000 conditions, then it is QUERY_TOO_COMPLICATED, not an exception', () => {
    const soql = `SELECT Id FROM Account WHERE ${Array.from({ length: 20000 }, (_, i) => `Name = 'a${i}'`).join(' OR ')}`;
    expect(codeOf(() => executeSoql(soql, ds, { includeDeleted: false, apiVersion: '66.0', now: NOW }))).toBe(
      'QUERY_TOO_COMPLICATED',
    );
  });

  it('when a SOSL term chains thousands of words under 4,000 characters, then AND still applies', () => {
    // 'acme' AND 'acme' … (400 times): the Acme account only, as with one word.
    const term = Array.from({ length: 400 }, () => 'acme').join(' AND ');
    expect(term.length).toBeLessThan(4000);
    expect(search(`FIND {${term} AND anvils} RETURNING Account(Id)`)).toEqual([ids['acme']]);
  });

  it('when a SOSL term is over 4,000 characters, then its operators are dropped and the words are ORed', () => {
    const term = `${'zzzz AND '.repeat(450)}globex`;
    expect(term.length).toBeGreaterThan(4000);
    expect(search(`FIND {${term}} IN NAME FIELDS RETURNING Account(Id)`)).toEqual([ids['globex']]);
    // Under the limit, the same words ANDed find nothing.
    expect(search(`FIND {zzzz AND globex} IN NAME FIELDS RETURNING Account(Id)`)).toEqual([]);
  });

  it('when a SOSL term is over 10,000 characters or nested 5,000 deep, then no rows come back and nothing throws', () => {
    expect(search(`FIND {${'globex '.repeat(2000)}} RETURNING Account(Id)`)).toEqual([]);
    expect(search(`FIND {${'('.repeat(5000)}globex${')'.repeat(5000)}} RETURNING Account(Id)`)).toEqual([]);
  });
});
