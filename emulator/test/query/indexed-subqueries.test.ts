/**
 * Differential test of the indexes behind the org's own per-write look-ups and the subqueries: a
 * semi-join's subquery and a child subquery answered through the lookup index equal the full scan, and
 * `rowsWithValue` (the relations of an activity, a key unique across two fields) gives exactly the rows
 * a scan for `r[field] === value` gives, in the same order, after inserts, replacements, deletes and
 * rolled-back transactions.
 */
import fc from 'fast-check';
import { IdFactory } from '../../src/ids.ts';
import { Store, type MutableRecord } from '../../src/org/store.ts';
import type { QueryDataSource } from '../../src/query/data-source.ts';
import { executeSoql } from '../../src/query/index.ts';
import { SCHEMAS, scanning } from './fixture.ts';

const EMAILS = ['bea@buyer.example', 'BEA@Buyer.example', 'cy@corp.example', null];

/** The store, counting the look-ups its index answered (so the test knows the index was used). */
function counting(store: Store): { ds: QueryDataSource; hits: () => number } {
  let hits = 0;
  return {
    ds: {
      schema: (name) => store.schema(name),
      records: (name, options) => store.records(name, options),
      byId: (id) => store.byId(id),
      userId: store.userId,
      indexed: (name, field, keys, options) => {
        const rows = store.indexed(name, field, keys, options);
        if (rows) hits++;
        return rows;
      },
    },
    hits: () => hits,
  };
}

type Op =
  | { kind: 'insert'; email: number; account: number; short: boolean }
  | { kind: 'update'; row: number; account: number; short: boolean }
  | { kind: 'delete'; row: number }
  | { kind: 'rolledBack'; row: number; account: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    email: fc.nat(EMAILS.length - 1),
    account: fc.nat(4),
    short: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('update' as const),
    row: fc.nat(30),
    account: fc.nat(4),
    short: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('delete' as const), row: fc.nat(30) }),
  fc.record({ kind: fc.constant('rolledBack' as const), row: fc.nat(30), account: fc.nat(4) }),
);

function build(ops: readonly Op[]) {
  const ids = new IdFactory();
  const store = new Store(ids);
  store.setSchemas(SCHEMAS);
  const accounts = Array.from({ length: 4 }, (_, i) => {
    const id = ids.next('001');
    store.put('Account', { Id: id, IsDeleted: i === 3, Name: `Account ${i}` });
    return id;
  });
  // Account 4 is "none"; a 15-character id is stored as some integrations write it, which the index
  // files under its 18-character form while `rowsWithValue` still matches the exact value only.
  const accountValue = (n: number, short: boolean) => {
    const id = accounts[n];
    return id === undefined ? null : short ? id.slice(0, 15) : id;
  };
  store.indexed('Contact', 'AccountId', [], { includeDeleted: false });
  const contacts: string[] = [];
  for (const o of ops) {
    if (o.kind === 'insert') {
      const id = ids.next('003');
      contacts.push(id);
      store.put('Contact', {
        Id: id,
        IsDeleted: false,
        LastName: 'Buyer',
        Email: EMAILS[o.email] ?? null,
        AccountId: accountValue(o.account, o.short),
      });
      continue;
    }
    const id = contacts[o.row % Math.max(1, contacts.length)];
    const current = id === undefined ? undefined : store.get('Contact', id);
    if (!id || !current) continue;
    if (o.kind === 'update') {
      store.put('Contact', { ...current, AccountId: accountValue(o.account, o.short) });
    } else if (o.kind === 'delete') {
      store.put('Contact', { ...current, IsDeleted: true });
    } else {
      store.transaction(
        () => {
          store.put('Contact', { ...current, AccountId: accountValue(o.account, false) });
          store.put('Contact', {
            Id: ids.next('003'),
            IsDeleted: false,
            LastName: 'Ghost',
            AccountId: accountValue(o.account, false),
          });
          return false;
        },
        (commit) => commit,
      );
    }
  }
  return { store, accounts };
}

const scanFor = (store: Store, value: unknown, includeDeleted: boolean): MutableRecord[] =>
  [...store.table('Contact').values()].filter(
    (r) => r.AccountId === value && (includeDeleted || r.IsDeleted !== true),
  );

describe('local org indexes behind subqueries and the org rules', () => {
  it('when a semi-join or a child subquery filters on an indexed field, then the answer equals the scan', () => {
    const query = fc.record({ shape: fc.nat(3), email: fc.nat(2), all: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 30 }),
        fc.array(query, { minLength: 1, maxLength: 4 }),
        (ops, queries) => {
          const { store } = build(ops);
          const { ds, hits } = counting(store);
          const scan = scanning(store);
          let expectedHits = 0;
          for (const q of queries) {
            const email = String(EMAILS[q.email]);
            const soql = [
              `SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email = '${email}')`,
              `SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact WHERE Email IN ('${email}'))`,
              `SELECT Id, (SELECT Id, Email FROM Contacts ORDER BY Email) FROM Account`,
              `SELECT Id, (SELECT Id FROM Contacts WHERE Email = '${email}') FROM Account WHERE Name != 'x'`,
            ][q.shape]!;
            const options = { includeDeleted: q.all, apiVersion: '66.0' };
            const expected = executeSoql(soql, scan, options);
            expect(executeSoql(soql, ds, options)).toEqual(expected);
            // A semi-join asks the index once; a child subquery once per parent row returned.
            if (q.shape <= 1) expectedHits += 1;
            else expectedHits += (expected as { totalSize: number }).totalSize;
          }
          // Every subquery above was answered through the index: the comparison was not scan vs scan.
          expect(hits()).toBe(expectedHits);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('when the org rules look rows up by a lookup value, then they get exactly the scan’s rows in its order', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 40 }),
        fc.nat(4),
        fc.boolean(),
        fc.boolean(),
        (ops, n, short, all) => {
          const { store, accounts } = build(ops);
          const id = accounts[n];
          const value = id === undefined ? null : short ? id.slice(0, 15) : id;
          const got = store.rowsWithValue('Contact', 'AccountId', value, { includeDeleted: all });
          if (value === null) {
            // No index holds the rows without a value: the caller scans.
            expect(got).toBeUndefined();
            return;
          }
          expect(got?.map((r) => r.Id)).toEqual(scanFor(store, value, all).map((r) => r.Id));
        },
      ),
      { numRuns: 200 },
    );
    const { store } = build([]);
    // A field without an index, or a view, sends the caller back to its scan.
    expect(store.rowsWithValue('Contact', 'Title', 'x', { includeDeleted: false })).toBeUndefined();
  });
});
