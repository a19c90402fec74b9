/**
 * The two database engines behind one small interface: statements written once with `?`
 * placeholders, run on node:sqlite (embedded, the default) or PostgreSQL through `pg`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import pg from 'pg';

export type Param = string | number | null;

export interface Sql {
  all<T>(sql: string, params?: readonly Param[]): Promise<T[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly Param[]): Promise<number>;
}

export interface Database extends Sql {
  readonly engine: 'sqlite' | 'postgres';
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `sqlite:./data/x.db`, `sqlite:/abs/x.db` or `sqlite::memory:`. */
export function sqlitePath(url: string): string {
  const rest = url.replace(/^sqlite:(\/\/)?/, '');
  return rest === ':memory:' ? rest : resolve(rest);
}

const MAX_CACHED_STATEMENTS = 256;

export function openSqlite(url: string): Database {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // WAL lets a reader (a second process, an operator's sqlite3) look while the service writes.
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');

  // node:sqlite is synchronous, but transactions span awaits: every use of the one connection goes
  // through this chain, so statements of two transactions never interleave.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  // Prepared once and reused: preparing took a visible share of the webhook's profile. The store's
  // statements are a fixed set of strings; the bound only guards against a caller building SQL.
  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const direct: Sql = {
    all: async <T>(sql: string, params: readonly Param[] = []) =>
      prepare(sql).all(...(params as SQLInputValue[])) as T[],
    run: async (sql: string, params: readonly Param[] = []) =>
      Number(prepare(sql).run(...(params as SQLInputValue[])).changes),
  };
  let open = true;
  return {
    engine: 'sqlite',
    all: (sql, params) => exclusive(() => direct.all(sql, params)),
    run: (sql, params) => exclusive(() => direct.run(sql, params)),
    tx: (fn) =>
      exclusive(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          db.exec('ROLLBACK');
          throw err;
        }
      }),
    close: async () => {
      await exclusive(async () => {
        if (open) db.close();
        open = false;
      });
    },
  };
}

// BIGINT (epoch milliseconds) as a number, not pg's default string.
pg.types.setTypeParser(20, (v) => Number(v));

function toPg(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

export function openPostgres(url: string, options: { schema?: string; max?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const on = (client: pg.Pool | pg.PoolClient): Sql => ({
    all: async <T>(sql: string, params: readonly Param[] = []) =>
      (await client.query(toPg(sql), [...params])).rows as T[],
    run: async (sql: string, params: readonly Param[] = []) =>
      (await client.query(toPg(sql), [...params])).rowCount ?? 0,
  });
  const poolSql = on(pool);
  return {
    engine: 'postgres',
    all: poolSql.all,
    run: poolSql.run,
    tx: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
