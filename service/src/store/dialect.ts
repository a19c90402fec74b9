/**
 * Where the two engines part ways, in one object: the repositories write their SQL once and ask the
 * dialect for the few places where node:sqlite and PostgreSQL need different SQL or a different
 * plan. Nothing else in the store looks at which engine it runs on.
 */
import type { Param } from './database.ts';

export interface Dialect {
  readonly engine: 'sqlite' | 'postgres';
  /**
   * Appended to a read that a later write of the same transaction depends on. PostgreSQL runs
   * transactions side by side, so the row is locked; SQLite's BEGIN IMMEDIATE already holds the
   * whole database, and it has no FOR UPDATE.
   */
  readonly forUpdate: string;
  /**
   * One connection whose COMMIT waits for the disk (node:sqlite): transactions that arrive together
   * are better committed together. PostgreSQL commits a pool's transactions in parallel instead.
   */
  readonly groupCommit: boolean;
  /**
   * One process owns the database (the embedded engine; the instance lock refuses a second), so a
   * lease found at start-up was left by a process that died. With PostgreSQL other live instances
   * may hold leases; only their expiry tells that they died.
   */
  readonly singleProcess: boolean;
  /** Run first in the migrations' transaction, so instances starting together migrate one at a time. */
  readonly migrationLock: string | null;
  /**
   * A column as a filter the planner must not drive the query by (it still filters). SQLite drives the
   * claim of one workspace's meetings by the primary key's `workspace_id` when it may, reading every
   * meeting of the workspace (tens of ms once it holds 10,000) instead of the few due ones from the
   * `meetings_due` index; a unary `+` disqualifies the term from index use
   * (https://www.sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_). PostgreSQL
   * plans by statistics and needs no hint.
   */
  notIndexed(column: string): string;
  /**
   * An UPDATE of at most `limit` rows of `table` that match `where`, taken in `orderBy` order,
   * returning `returning`. Instances sharing the database each take different rows and none waits
   * for another. The statement's parameters are `set`'s, then `where`'s, then the limit, then (with
   * `size`) the budget.
   */
  updateFirst(statement: UpdateFirst): string;
}

export interface UpdateFirst {
  readonly table: string;
  /** The columns that identify a row (PostgreSQL joins on them; SQLite uses its rowid). */
  readonly key: readonly string[];
  readonly set: string;
  readonly where: string;
  /** Plain columns, ascending (a window re-reads them to total `size` in the same order). */
  readonly orderBy: string;
  readonly returning: readonly string[];
  /**
   * A row's size (an SQL expression): rows are then taken in order only while their sizes add up to
   * at most the budget, so the first row larger than what is left ends the run.
   */
  readonly size?: string;
}

/** The rows of `inner` whose running total of `size`, in `orderBy` order, stays within the budget. */
const withinBudget = (inner: string, keys: string, orderBy: string) =>
  `SELECT ${keys} FROM (SELECT ${keys}, SUM(size) OVER (ORDER BY ${orderBy} ROWS UNBOUNDED PRECEDING) AS running
     FROM (${inner}) sized) totals WHERE running <= ?`;

export const sqliteDialect: Dialect = {
  engine: 'sqlite',
  forUpdate: '',
  groupCommit: true,
  singleProcess: true,
  migrationLock: null,
  notIndexed: (column) => `+${column}`,
  updateFirst: (s) => {
    const first = (columns: string) =>
      `SELECT ${columns} FROM ${s.table} WHERE ${s.where} ORDER BY ${s.orderBy} LIMIT ?`;
    const rows =
      s.size === undefined
        ? first('rowid')
        : withinBudget(first(`rowid AS id, ${s.orderBy}, ${s.size} AS size`), 'id', `${s.orderBy}, id`);
    return `UPDATE ${s.table} SET ${s.set}
     WHERE rowid IN (${rows})
     RETURNING ${s.returning.join(', ')}`;
  },
};

export const postgresDialect: Dialect = {
  engine: 'postgres',
  forUpdate: ' FOR UPDATE',
  groupCommit: false,
  singleProcess: false,
  // Any constant both sides agree on; held until the migrations' transaction ends.
  migrationLock: 'SELECT pg_advisory_xact_lock(727274)',
  notIndexed: (column) => column,
  // SKIP LOCKED: rows another instance is taking are passed over rather than waited for
  // (https://www.postgresql.org/docs/15/sql-select.html#SQL-FOR-UPDATE-SHARE).
  // A window function cannot share a query level with FOR UPDATE, so a budget totals the locked rows
  // one level up (rows locked but over the budget are released when the statement commits).
  updateFirst: (s) => {
    const keys = s.key.join(', ');
    const first = (columns: string) =>
      `SELECT ${columns} FROM ${s.table} WHERE ${s.where}
           ORDER BY ${s.orderBy} LIMIT ? FOR UPDATE SKIP LOCKED`;
    const rows =
      s.size === undefined
        ? first(keys)
        : withinBudget(first(`${keys}, ${s.orderBy}, ${s.size} AS size`), keys, `${s.orderBy}, ${keys}`);
    return `UPDATE ${s.table} t SET ${s.set}
     FROM (${rows}) due
     WHERE ${s.key.map((k) => `t.${k} = due.${k}`).join(' AND ')}
     RETURNING ${s.returning.map((c) => `t.${c}`).join(', ')}`;
  },
};

/**
 * `:name` placeholders bound from an object, turned into the `?` list both engines take, so a
 * statement with many values names each one instead of counting positions.
 */
export function named(sql: string, values: Readonly<Record<string, Param>>): [string, Param[]] {
  const params: Param[] = [];
  const text = sql.replace(/(?<![:\w]):([a-zA-Z_]\w*)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for :${name}`);
    params.push(values[name] ?? null);
    return '?';
  });
  return [text, params];
}
