import type { TokenCipher } from '../crypto/token-cipher.ts';
import { openPostgres, openSqlite, type Database } from './database.ts';
import { migrate } from './migrations.ts';
import { SqlStore } from './sql-store.ts';
import type { Store } from './types.ts';

export type { Store } from './types.ts';

export function openDatabase(
  url: string,
  options: { schema?: string; instanceLock?: boolean } = {},
): Database {
  return /^postgres(ql)?:\/\//.test(url) ? openPostgres(url, options) : openSqlite(url, options);
}

/**
 * Opens the database named by `DATABASE_URL` as this instance's own (on SQLite, a second instance on
 * the same file is refused) and brings its schema up to date.
 */
async function openOwnDatabase(url: string, options: { schema?: string }): Promise<Database> {
  const db = openDatabase(url, { ...options, instanceLock: true });
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}

/**
 * The store on an open, migrated database. Tokens sealed with a key no longer first are sealed again
 * now, once, rather than as they are read: reads stay reads, and the old key can go after this start.
 */
async function storeOn(db: Database, cipher: TokenCipher): Promise<SqlStore> {
  const store = new SqlStore(db, cipher);
  try {
    await store.connections.resealStale();
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return store;
}

/** The sync store on the database named by `DATABASE_URL`. */
export async function openStore(
  url: string,
  cipher: TokenCipher,
  options: { schema?: string } = {},
): Promise<Store> {
  return storeOn(await openOwnDatabase(url, options), cipher);
}
