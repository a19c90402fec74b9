/**
 * Differential test of the local org's index plans (query/index-plan.ts, Store.candidates): a WHERE
 * with OR, ranges on datetimes and `= null` answered from the indexes returns exactly what a full scan
 * of the same rows returns (same rows, same order, same LIMIT), after inserts, replacements, deletes
 * and rolled-back transactions; and the same query on an indexed field and on an unindexed field
 * holding the same values agree.
 */
import fc from 'fast-check';
import { IdFactory } from '../../src/ids.ts';
import { Store } from '../../src/org/store.ts';
import type { IndexPlan, QueryDataSource } from '../../src/query/data-source.ts';
import { executeSoql } from '../../src/query/index.ts';
import type { ObjectSchema } from '../../src/schema/types.ts';
import { SCHEMAS, scanning } from './fixture.ts';

/** Event with the package's reference field (an External ID, so indexed) and an unindexed twin. */
const EVENT_SCHEMAS: readonly ObjectSchema[] = SCHEMAS.map((s) =>
  s.name !== 'Event'
    ? s
    : {
        ...s,
        fields: [
          ...s.fields,
          ...['Ref__c', 'Loc__c'].map((name) => ({
            name,
            label: name,
            type: 'string' as const,
            nillable: true,
            createable: true,
            updateable: true,
            filterable: true,
            sortable: true,
            groupable: true,
            ...(name === 'Ref__c' ? { externalId: true } : {}),
          })),
        ],
      },
);

const REFS = ['m-1', 'M-1', 'm-2', 'm-3', '', null];
const HOURS = [13, 14, 15, 16];
const EMAILS = ['sam@seller.example', 'kim@seller.example'];

/** The store, counting the plans its indexes answered (so the test knows they were used). */
function counting(store: Store): { ds: QueryDataSource; hits: () => number } {
  let hits = 0;
  return {
    ds: {
      schema: (name) => store.schema(name),
      records: (name, options) => store.records(name, options),
      byId: (id) => store.byId(id),
      userId: store.userId,
      indexed: (name, field, keys, options) => store.indexed(name, field, keys, options),
      candidates: (name, plan: IndexPlan, options) => {
        const rows = store.candidates(name, plan, options);
        if (rows) hits++;
        return rows;
      },
    },
    hits: () => hits,
  };
}

type Op =
  | { kind: 'insert'; ref: number; hour: number; minutes: number; owner: number }
  | { kind: 'update'; row: number; ref: number; hour: number }
  | { kind: 'delete'; row: number }
  | { kind: 'rolledBack'; row: number; ref: number; hour: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    ref: fc.nat(REFS.length - 1),
    hour: fc.nat(HOURS.length - 1),
    minutes: fc.constantFrom(0, 30, 60),
    owner: fc.nat(EMAILS.length - 1),
  }),
  fc.record({
    kind: fc.constant('update' as const),
    row: fc.nat(40),
    ref: fc.nat(REFS.length - 1),
    hour: fc.nat(HOURS.length - 1),
  }),
  fc.record({ kind: fc.constant('delete' as const), row: fc.nat(40) }),
  fc.record({
    kind: fc.constant('rolledBack' as const),
    row: fc.nat(40),
    ref: fc.nat(REFS.length - 1),
    hour: fc.nat(HOURS.length - 1),
  }),
);

const at = (hour: number, minutes = 0) =>
  new Date(Date.UTC(2026, 10, 20, HOURS[hour % HOURS.length]!, minutes)).toISOString();

function build(ops: readonly Op[], warm: boolean) {
  const ids = new IdFactory();
  const store = new Store(ids);
  store.setSchemas(EVENT_SCHEMAS);
  const users = EMAILS.map((email, i) => {
    const id = ids.next('005');
    store.put('User', { Id: id, IsDeleted: false, Email: email, LastName: `User ${i}`, IsActive: true });
    return id;
  });
  store.userId = users[0]!;
  // Built before the changes (when `warm`), so every change below must be carried into the indexes.
  if (warm) {
    store.candidates(
      'Event',
      {
        kind: 'or',
        items: [
          { kind: 'null', field: 'Ref__c' },
          { kind: 'range', field: 'StartDateTime', min: 0 },
          { kind: 'range', field: 'EndDateTime', min: 0 },
        ],
      },
      { includeDeleted: true },
    );
  }
  const events: string[] = [];
  const row = (ref: number, hour: number, minutes: number) => {
    const start = at(hour);
    return {
      Ref__c: REFS[ref] ?? null,
      Loc__c: REFS[ref] ?? null,
      StartDateTime: start,
      EndDateTime: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
    };
  };
  let created = 0;
  for (const o of ops) {
    if (o.kind === 'insert') {
      const id = ids.next('00U');
      events.push(id);
      store.put('Event', {
        Id: id,
        IsDeleted: false,
        CreatedDate: new Date(Date.UTC(2026, 10, 1) + (created++ % 5) * 1000).toISOString(),
        OwnerId: users[o.owner] ?? null,
        ...row(o.ref, o.hour, o.minutes),
      });
      continue;
    }
    const id = events[o.row % Math.max(1, events.length)];
    const current = id === undefined ? undefined : store.get('Event', id);
    if (!id || !current) continue;
    if (o.kind === 'update') {
      store.put('Event', { ...current, ...row(o.ref, o.hour, 30) });
    } else if (o.kind === 'delete') {
      store.put('Event', { ...current, IsDeleted: true });
    } else {
      store.transaction(
        () => {
          store.put('Event', { ...current, ...row(o.ref, o.hour, 60) });
          store.put('Event', { Id: ids.next('00U'), IsDeleted: false, ...row(o.ref, o.hour, 30) });
          return false;
        },
        (commit) => commit,
      );
    }
  }
  return { store, users, events };
}

const quote = (s: string) => `'${s}'`;

describe('local org index plans', () => {
  it('when a WHERE is an OR of indexed branches, a datetime range or = null, then the indexed answer equals the scan', () => {
    const query = fc.record({
      shape: fc.nat(8),
      ref: fc.nat(REFS.length - 3),
      hour: fc.nat(HOURS.length - 1),
      owner: fc.nat(EMAILS.length - 1),
      event: fc.nat(40),
      limit: fc.integer({ min: 1, max: 4 }),
      all: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 40 }),
        fc.array(query, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (ops, queries, warm) => {
          const { store, users, events } = build(ops, warm);
          const { ds, hits } = counting(store);
          const scan = scanning(store);
          let expectedHits = 0;
          for (const q of queries) {
            const ref = quote(String(REFS[q.ref]));
            const start = at(q.hour);
            const end = at(q.hour, 30);
            const owner = users[q.owner]!;
            const event = events[q.event % Math.max(1, events.length)] ?? owner.replace(/^005/, '00U');
            const window = `StartDateTime < ${end} AND EndDateTime > ${start} AND IsDeleted = false AND Ref__c = null`;
            const soql = [
              // The service's lone look-up (lookups.ts eventQuery), with and without the enriched id.
              `SELECT Id, Ref__c FROM Event WHERE Ref__c = ${ref} OR (${window} AND (Owner.Email = '${EMAILS[q.owner]}' OR OwnerId = '${owner}')) ORDER BY Ref__c ASC NULLS LAST, CreatedDate ASC, Id ASC LIMIT ${q.limit}`,
              `SELECT Id FROM Event WHERE Ref__c = ${ref} OR Id = '${event}' OR (${window} AND OwnerId = '${owner}') ORDER BY CreatedDate ASC, Id ASC LIMIT ${q.limit}`,
              `SELECT Id FROM Event WHERE StartDateTime >= ${start} AND StartDateTime <= ${end}`,
              `SELECT Id FROM Event WHERE EndDateTime > ${start} LIMIT ${q.limit}`,
              `SELECT Id FROM Event e WHERE e.Ref__c = null OR e.Ref__c IN (${ref}, 'M-3')`,
              `SELECT Id FROM Event WHERE Ref__c = '' AND StartDateTime < ${end}`,
              `SELECT Id FROM Event WHERE (Ref__c = ${ref} OR OwnerId = '${owner}') AND IsDeleted = false ORDER BY StartDateTime DESC`,
              // Not plannable: a NOT branch under OR, a date literal; both scan.
              `SELECT Id FROM Event WHERE Ref__c = ${ref} OR (NOT Ref__c = null)`,
              `SELECT Id FROM Event WHERE StartDateTime < TODAY`,
            ][q.shape]!;
            // Its own run and the id comparison; the twin too where it names no Ref__c or an AND
            // leaves the unindexed branch out (2, 3, 5).
            if (q.shape <= 6) expectedHits += [2, 3, 5].includes(q.shape) ? 3 : 2;
            const options = { includeDeleted: q.all, apiVersion: '66.0' };
            expect(executeSoql(soql, ds, options)).toEqual(executeSoql(soql, scan, options));
            // The same question on the unindexed twin holding the same values.
            const twin = soql.replaceAll('Ref__c', 'Loc__c');
            const indexedIds = executeSoql(soql, ds, options).records.map((r) => r['Id']);
            expect(executeSoql(twin, ds, options).records.map((r) => r['Id'])).toEqual(indexedIds);
          }
          // The indexes answered every plannable query: the comparison was not scan against scan.
          expect(hits()).toBe(expectedHits);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('when the org holds many Events, then the lone look-up reads only the candidates the indexes give', () => {
    const ops: Op[] = Array.from({ length: 3_000 }, (_, i) => ({
      kind: 'insert',
      ref: 2 + (i % 2),
      hour: i % 4,
      minutes: 30,
      owner: 0,
    }));
    ops.push({ kind: 'insert', ref: REFS.length - 1, hour: 1, minutes: 30, owner: 0 });
    const { store, users } = build(ops, false);
    const plan: IndexPlan = {
      kind: 'or',
      items: [
        { kind: 'eq', field: 'Ref__c', keys: ['M-1'] },
        {
          kind: 'and',
          items: [
            { kind: 'range', field: 'StartDateTime', max: Date.parse(at(1, 30)) },
            { kind: 'range', field: 'EndDateTime', min: Date.parse(at(1)) },
            { kind: 'null', field: 'Ref__c' },
            { kind: 'eq', field: 'OwnerId', keys: [users[0]!] },
          ],
        },
      ],
    };
    // The AND is answered by its smallest branch: the one Event without a reference.
    expect(store.candidates('Event', plan, { includeDeleted: false })).toHaveLength(1);
    const soql = `SELECT Id FROM Event WHERE Ref__c = 'm-1' OR (StartDateTime < ${at(1, 30)} AND EndDateTime > ${at(1)} AND Ref__c = null)`;
    const options = { includeDeleted: false, apiVersion: '66.0' };
    expect(executeSoql(soql, store, options).totalSize).toBe(1);
    expect(executeSoql(soql, store, options)).toEqual(executeSoql(soql, scanning(store), options));
  });
});
