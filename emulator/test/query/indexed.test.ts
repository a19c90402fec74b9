/**
 * Differential test of the local org's field indexes: every query answered through an index equals the
 * answer of a full scan of the same rows, after inserts, replacements, deletes and rolled-back
 * transactions (the index must follow every change the store makes).
 */
import fc from 'fast-check';
import { IdFactory } from '../../src/ids.ts';
import { Store, type MutableRecord } from '../../src/org/store.ts';
import type { QueryDataSource } from '../../src/query/data-source.ts';
import { executeSoql } from '../../src/query/index.ts';
import { SCHEMAS, scanning } from './fixture.ts';

const EMAILS = ['bea@buyer.example', 'BEA@Buyer.example', 'cy@corp.example', 'dee@x.example', '', null];
const NAMES = ['Bea', 'Cy', 'Dee', null];

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

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

type Op =
  | { kind: 'insert'; email: number; account: number; first: number; last: number }
  | { kind: 'update'; row: number; email: number; account: number }
  | { kind: 'delete'; row: number }
  | { kind: 'rolledBack'; row: number; email: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    email: fc.nat(EMAILS.length - 1),
    account: fc.nat(3),
    first: fc.nat(NAMES.length - 1),
    last: fc.nat(NAMES.length - 1),
  }),
  fc.record({
    kind: fc.constant('update' as const),
    row: fc.nat(40),
    email: fc.nat(EMAILS.length - 1),
    account: fc.nat(3),
  }),
  fc.record({ kind: fc.constant('delete' as const), row: fc.nat(40) }),
  fc.record({ kind: fc.constant('rolledBack' as const), row: fc.nat(40), email: fc.nat(EMAILS.length - 1) }),
);

function build(ops: readonly Op[]) {
  const ids = new IdFactory();
  const store = new Store(ids);
  store.setSchemas(SCHEMAS);
  const accounts = Array.from({ length: 4 }, (_, i) => {
    const id = ids.next('001');
    store.put('Account', { Id: id, IsDeleted: false, Name: `Account ${i}` });
    return id;
  });
  // Built before the changes, so every change below must be carried into the indexes.
  for (const field of ['Email', 'AccountId', 'Name'])
    store.indexed('Contact', field, [], { includeDeleted: false });
  const contacts: string[] = [];
  for (const o of ops) {
    if (o.kind === 'insert') {
      const id = ids.next('003');
      contacts.push(id);
      store.put('Contact', {
        Id: id,
        IsDeleted: false,
        FirstName: NAMES[o.first] ?? null,
        LastName: NAMES[o.last] ?? 'Nobody',
        Email: EMAILS[o.email] ?? null,
        AccountId: accounts[o.account] ?? null,
      });
      continue;
    }
    const id = contacts[o.row % Math.max(1, contacts.length)];
    const current = id === undefined ? undefined : store.get('Contact', id);
    if (!id || !current) continue;
    if (o.kind === 'update') {
      store.put('Contact', {
        ...current,
        Email: EMAILS[o.email] ?? null,
        AccountId: accounts[o.account] ?? null,
      });
    } else if (o.kind === 'delete') {
      store.put('Contact', { ...current, IsDeleted: true });
    } else {
      store.transaction(
        () => {
          store.put('Contact', { ...current, Email: EMAILS[o.email] ?? null });
          const extra = ids.next('003');
          store.put('Contact', {
            Id: extra,
            IsDeleted: false,
            LastName: 'Ghost',
            Email: EMAILS[o.email] ?? null,
          });
          return false;
        },
        (commit) => commit,
      );
    }
  }
  return { store, accounts, contacts };
}

describe('local org field indexes', () => {
  it('when a WHERE is an equality or IN on an indexed field, then the indexed answer equals the scan', () => {
    const query = fc.record({
      shape: fc.nat(6),
      a: fc.nat(EMAILS.length - 3),
      b: fc.nat(EMAILS.length - 3),
      account: fc.nat(3),
      all: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 40 }),
        fc.array(query, { minLength: 1, maxLength: 6 }),
        (ops, queries) => {
          const { store, accounts } = build(ops);
          const { ds, hits } = counting(store);
          const scan = scanning(store);
          let expectedHits = 0;
          for (const q of queries) {
            const e1 = quote(String(EMAILS[q.a]));
            const e2 = quote(String(EMAILS[q.b]).toUpperCase());
            const acc = quote(String(accounts[q.account]).slice(0, 15));
            const soql = [
              `SELECT Id, Email FROM Contact WHERE Email = ${e1}`,
              `SELECT Id FROM Contact WHERE Email IN (${e1}, ${e2}) AND LastName != 'Bea'`,
              `SELECT Id FROM Contact c WHERE c.AccountId = ${acc}`,
              `SELECT Id FROM Contact WHERE AccountId IN (${acc}) ORDER BY Email LIMIT 3`,
              `SELECT Id FROM Contact WHERE Name = 'Bea Cy'`,
              `SELECT Id FROM Contact WHERE Email = ${e1} OR AccountId = ${acc}`,
              `SELECT Id FROM Contact WHERE Email = ''`,
            ][q.shape]!;
            if (q.shape <= 4) expectedHits++;
            const options = { includeDeleted: q.all, apiVersion: '66.0' };
            expect(executeSoql(soql, ds, options)).toEqual(executeSoql(soql, scan, options));
          }
          // The index answered every query it could (OR and '' scan): the comparison was not scan vs scan.
          expect(hits()).toBe(expectedHits);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('when the org holds many rows, then an indexed look-up returns exactly the matching ones', () => {
    const ops: Op[] = Array.from({ length: 2_000 }, (_, i) => ({
      kind: 'insert',
      email: i % 4,
      account: i % 4,
      first: 0,
      last: 1,
    }));
    const { store } = build(ops);
    const rows = store.indexed('Contact', 'Email', ['CY@CORP.EXAMPLE'], { includeDeleted: false }) ?? [];
    expect(rows).toHaveLength(500);
    expect(rows.every((r: MutableRecord) => r.Email === 'cy@corp.example')).toBe(true);
    expect(store.indexed('Contact', 'Phone', ['1'], { includeDeleted: false })).toBeUndefined();
  });
});
