/**
 * The two database engines behind one small interface: statements written once with `?`
 * placeholders, run on node:sqlite (embedded, the default) or PostgreSQL through `pg`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import pg from 'pg';
import { postgresDialect, sqliteDialect, type Dialect } from './dialect.ts';

export type Param = string | number | null;

export interface Sql {
  all<T>(sql: string, params?: readonly Param[]): Promise<T[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly Param[]): Promise<number>;
}

export interface Database extends Sql {
  /** The engine, and what SQL differs on it (dialect.ts). */
  readonly dialect: Dialect;
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `sqlite:./data/x.db`, `sqlite:/abs/x.db` or `sqlite::memory:`. */
export function sqlitePath(url: string): string {
  const rest = url.replace(/^sqlite:(\/\/)?/, '');
  return rest === ':memory:' ? rest : resolve(rest);
}

const MAX_CACHED_STATEMENTS = 256;

/** A second service instance on the same SQLite file: it would take the live instance's leases. */
export class DatabaseInUseError extends Error {
  constructor(path: string) {
    super(
      `another Salescaling service instance is using ${path}: one instance per SQLite file (use PostgreSQL to run several)`,
    );
    this.name = 'DatabaseInUseError';
  }
}

/**
 * One instance per SQLite file, enforced (issue 14 item 4): the instance holds an exclusive SQLite
 * transaction on a lock file beside the database for as long as it runs. The lock is the operating
 * system's file lock, so it goes with the process however that ends (kill -9 included), and the
 * database itself stays readable by an operator's sqlite3 (WAL).
 */
function lockInstance(path: string): DatabaseSync {
  const lock = new DatabaseSync(`${path}.instance-lock`);
  try {
    lock.exec('PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;');
  } catch {
    lock.close();
    throw new DatabaseInUseError(path);
  }
  return lock;
}

/** `instanceLock`: the service's own store, one per file; a plain look (tests, tools) takes none. */
export function openSqlite(url: string, options: { instanceLock?: boolean } = {}): Database {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const instanceLock = path === ':memory:' || options.instanceLock !== true ? null : lockInstance(path);
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
    dialect: sqliteDialect,
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
        if (open) {
          db.close();
          instanceLock?.close();
        }
        open = false;
      });
    },
  };
}

/**
 * The database could not be reached or dropped the connection (a restart, a failover, a terminated
 * backend): nothing was committed, and the same request can be made again. HTTP answers 503.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(cause: unknown) {
    super(`the database is unavailable (${(cause as Error)?.message ?? String(cause)})`, { cause });
  }
}

/**
 * Connection-level failures, as opposed to a statement's own error: SQLSTATE class 08 (connection
 * exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now), socket errors, and
 * node-postgres's "Connection terminated" family
 * (https://www.postgresql.org/docs/15/errcodes-appendix.html).
 */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code))
    return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection error|Client was closed|timeout exceeded when trying to connect/i.test(
    message,
  );
}

const unavailable = (err: unknown): unknown =>
  isConnectionError(err) ? new DatabaseUnavailableError(err) : err;

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
    dialect: postgresDialect,
    all: async <T>(sql: string, params?: readonly Param[]) => {
      try {
        return await poolSql.all<T>(sql, params);
      } catch (err) {
        throw unavailable(err);
      }
    },
    run: async (sql: string, params?: readonly Param[]) => {
      try {
        return await poolSql.run(sql, params);
      } catch (err) {
        throw unavailable(err);
      }
    },
    tx: async (fn) => {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw unavailable(err);
      }
      // A checked-out client emits 'error' when its server goes away (restart, failover, terminated
      // backend); unheard, that event kills the process (issue 14 item 9). Heard, the query under way
      // fails, the transaction is abandoned, and the broken client is destroyed rather than reused.
      let broken: Error | undefined;
      const onError = (err: Error): void => {
        broken = err;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        if (broken === undefined && !isConnectionError(err)) {
          await client.query('ROLLBACK').catch(() => undefined);
        }
        throw broken !== undefined ? new DatabaseUnavailableError(broken) : unavailable(err);
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
