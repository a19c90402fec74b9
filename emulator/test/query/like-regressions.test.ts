/**
 * LIKE patterns with characters a regular expression treats specially (issue 13: `-` made the local
 * org answer 500) match as Salesforce documents: `%` any run, `_` one character, everything else
 * itself, case-insensitively.
 * https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/sforce-api-calls-soql-select-comparisonoperators.html
 */
import { executeSoql } from '../../src/query/index.ts';
import { likeMatcher } from '../../src/query/literals.ts';
import { makeFixture, NOW } from './fixture.ts';

const { ds, ids } = makeFixture();
const run = (soql: string): string[] =>
  executeSoql(soql, ds, { includeDeleted: false, apiVersion: '66.0', now: NOW }).records.map((r) =>
    String(r['Id']),
  );

describe('LIKE with unusual characters', () => {
  it('when a pattern holds a hyphen (issue 13), then the query answers and matches the hyphenated value', () => {
    expect(run("SELECT Id FROM Event WHERE Subject LIKE '%[A1-run]%'")).toEqual([]);
    expect(run("SELECT Id FROM Account WHERE Phone LIKE '(415) 555-0199'")).toEqual([ids['acme']]);
    expect(run("SELECT Id FROM Account WHERE Phone LIKE '%555-01__'")).toEqual([ids['acme']]);
  });

  it('when a pattern holds every printable ASCII character, then each one matches only itself', () => {
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      if (ch === '%' || ch === '_') continue;
      const escaped = ch === "'" || ch === '\\' ? `\\${ch}` : ch;
      const match = likeMatcher(`'a${escaped}b'`);
      expect([ch, match(`a${ch}b`)]).toEqual([ch, true]);
      expect([ch, match('axb')]).toEqual([ch, ch.toLowerCase() === 'x']);
    }
  });

  it('when a pattern holds accents and emoji, then matching is case-insensitive and `_` takes one emoji', () => {
    expect(likeMatcher("'CAFÉ'")('café')).toBe(true);
    expect(likeMatcher("'a_b'")('a😀b')).toBe(true);
    expect(likeMatcher("'a\\uD83D\\uDE00b'")('a😀b')).toBe(true);
    expect(likeMatcher("'a__b'")('a😀b')).toBe(false);
  });

  it('when a pattern has many % runs, then it still answers (no exponential backtracking)', () => {
    const match = likeMatcher(`'${'%a'.repeat(40)}%b'`);
    expect(match('a'.repeat(255))).toBe(false);
    expect(match(`${'a'.repeat(40)}b`)).toBe(true);
  });
});
