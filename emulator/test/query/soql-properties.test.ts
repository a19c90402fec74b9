import fc from 'fast-check';
import { executeSoql, QueryError } from '../../src/query/index.ts';
import type { StoredRecord } from '../../src/schema/types.ts';
import { IdFactory } from '../../src/ids.ts';
import { FixtureDataSource, SCHEMAS, makeFixture } from './fixture.ts';

interface Row {
  name: string | null;
  employees: number | null;
}

function orgOf(rows: readonly Row[]): { ds: FixtureDataSource; ids: string[] } {
  const factory = new IdFactory();
  const ds = new FixtureDataSource(SCHEMAS, factory.next('005'));
  const ids = rows.map((row) => {
    const id = factory.next('001');
    ds.add('Account', {
      Id: id,
      IsDeleted: false,
      Name: row.name,
      NumberOfEmployees: row.employees,
    } as StoredRecord);
    return id;
  });
  return { ds, ids };
}

const run = (ds: FixtureDataSource, soql: string): string[] =>
  executeSoql(soql, ds, { includeDeleted: false, apiVersion: '66.0' }).records.map((r) => String(r['Id']));

/** SOQL's quoting: backslash and single quote escaped, as a client must before putting text in a literal. */
const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const text = fc.string({
  unit: fc.constantFrom('a', 'B', 'c', ' ', "'", '\\', '%', '_', 'é', 'Z'),
  maxLength: 6,
});
const rows = fc.array(
  fc.record({
    name: fc.option(text, { nil: null }),
    employees: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
  }),
  { maxLength: 25 },
);

describe('SOQL properties', () => {
  it('when ORDER BY, LIMIT and OFFSET are applied, then the ids equal a plain stable sort sliced the same way', () => {
    fc.assert(
      fc.property(rows, fc.nat(30), fc.nat(30), fc.boolean(), (data, limit, offset, desc) => {
        const { ds, ids } = orgOf(data);
        const soql = `SELECT Id FROM Account ORDER BY NumberOfEmployees ${desc ? 'DESC' : 'ASC'}, Name NULLS LAST LIMIT ${limit} OFFSET ${offset}`;
        const indexed = data.map((row, i) => ({ row, i }));
        indexed.sort((x, y) => {
          const a = x.row.employees;
          const b = y.row.employees;
          if (a !== b) {
            // Nulls first ascending, last descending.
            if (a === null) return desc ? 1 : -1;
            if (b === null) return desc ? -1 : 1;
            return desc ? b - a : a - b;
          }
          const na = x.row.name === '' ? null : x.row.name;
          const nb = y.row.name === '' ? null : y.row.name;
          if (na === null || nb === null) return na === nb ? x.i - y.i : na === null ? 1 : -1;
          // English-locale SOQL sorts on upper-cased values.
          const la = na.toUpperCase();
          const lb = nb.toUpperCase();
          return la < lb ? -1 : la > lb ? 1 : x.i - y.i;
        });
        const expected = indexed.slice(offset, offset + limit).map(({ i }) => ids[i]);
        expect(run(ds, soql)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('when LIKE has no wildcard, then it matches exactly what case-insensitive equality matches', () => {
    const plain = fc.string({
      unit: fc.constantFrom('a', 'B', 'c', ' ', "'", 'é', 'É'),
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(rows, plain, (data, needle) => {
        const { ds, ids } = orgOf(data);
        const like = run(ds, `SELECT Id FROM Account WHERE Name LIKE ${quote(needle)}`);
        const eq = run(ds, `SELECT Id FROM Account WHERE Name = ${quote(needle)}`);
        expect(like).toEqual(eq);
        expect(eq).toEqual(ids.filter((_, i) => data[i]?.name?.toLowerCase() === needle.toLowerCase()));
      }),
      { numRuns: 150 },
    );
  });

  it('when any text is escaped into a literal, then it matches only names equal to it and never breaks out', () => {
    fc.assert(
      fc.property(rows, text, (data, needle) => {
        const { ds, ids } = orgOf(data);
        const hits = run(
          ds,
          `SELECT Id FROM Account WHERE Name = ${quote(needle)} AND NumberOfEmployees != 99`,
        );
        // '' stands for null, as Salesforce stores empty text as null.
        const same = (name: string | null | undefined): boolean =>
          needle === '' ? name === null || name === '' : name?.toLowerCase() === needle.toLowerCase();
        const want = ids.filter((_, i) => same(data[i]?.name));
        expect(hits).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });
});

describe('SOQL robustness', () => {
  const { ds } = makeFixture();
  const words = [
    'SELECT',
    'Id',
    'Name',
    'Account.Name',
    'Who.Name',
    'COUNT()',
    'COUNT(Id)',
    'MAX(Amount)',
    'FIELDS(ALL)',
    'FROM',
    'Account',
    'Contact',
    'Event',
    'Opportunity',
    'Foo',
    'WHERE',
    'AND',
    'OR',
    'NOT',
    '(',
    ')',
    ',',
    '=',
    '!=',
    '<',
    '>',
    'LIKE',
    'IN',
    'NOT IN',
    'INCLUDES',
    "'a%'",
    "'x\\''",
    "'\\q'",
    'null',
    'true',
    '5',
    '2026-11-24',
    'TODAY',
    'LAST_N_DAYS:3',
    'ORDER BY',
    'ASC',
    'DESC',
    'NULLS LAST',
    'LIMIT',
    'OFFSET',
    '3',
    '2001',
    'GROUP BY',
    'HAVING',
    'TYPEOF',
    'WHEN',
    'THEN',
    'END',
    '(SELECT Id FROM Contacts)',
    '(SELECT WhoId FROM Event)',
    ':x',
  ];
  const prefix = fc.constantFrom(
    'SELECT',
    'SELECT Id FROM Account',
    'SELECT Id FROM Account WHERE',
    'SELECT Name, (SELECT Id FROM Contacts',
    'SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry',
  );
  const soql = fc
    .tuple(prefix, fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 14 }))
    .map(([p, ws]) => `${p} ${ws.join(' ')}`);

  it('when any token soup is sent, then the engine answers rows or a QueryError, never another exception', () => {
    fc.assert(
      fc.property(soql, (text) => {
        try {
          const result = executeSoql(text, ds, { includeDeleted: false, apiVersion: '66.0' });
          expect(Array.isArray(result.records)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(QueryError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('when a well-formed filter is built from random parts, then it runs or fails with a Salesforce error code', () => {
    const field = fc.constantFrom(
      'Name',
      'Industry',
      'NumberOfEmployees',
      'AnnualRevenue',
      'CreatedDate',
      'Owner.Alias',
      'ParentId',
      'Regions__c',
      'Description',
    );
    const op = fc.constantFrom('=', '!=', '<', '>=', 'LIKE', 'IN', 'NOT IN', 'INCLUDES');
    const value = fc.constantFrom(
      "'Acme'",
      "('a','b')",
      '5',
      '5.5',
      'null',
      'TRUE',
      'TODAY',
      '2026-11-24T00:00:00Z',
      "'%e%'",
      "('EMEA')",
    );
    fc.assert(
      fc.property(field, op, value, (f, o, v) => {
        try {
          executeSoql(`SELECT Id FROM Account WHERE ${f} ${o} ${v}`, ds, {
            includeDeleted: false,
            apiVersion: '66.0',
          });
        } catch (e) {
          expect(e).toBeInstanceOf(QueryError);
          expect((e as QueryError).errorCode).toMatch(
            /^(MALFORMED_QUERY|INVALID_FIELD|INVALID_QUERY_FILTER_OPERATOR)$/,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
