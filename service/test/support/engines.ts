/**
 * The database engines the store tests run on: the embedded one always, PostgreSQL on the server
 * TEST_DATABASE_URL names (each run gets its own schema, dropped afterwards). Jest's global setup
 * (scripts/test-support/postgres.mjs) starts one from node_modules when the variable is not set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';
import { testCipher } from './keys.ts';
import { createPgSchema } from './pg-schema.ts';

export { testCipher, testKey } from './keys.ts';

export interface Engine {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh, empty, migrated store, and how to throw it away. */
  open(): Promise<{ store: Store; url: string; schema?: string; dispose(): Promise<void> }>;
}

export const sqliteEngine: Engine = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'salescaling-store-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const store = await openStore(url, testCipher);
    return {
      store,
      url,
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const pgUrl = process.env.TEST_DATABASE_URL;

export const postgresEngine: Engine | null = pgUrl
  ? {
      name: 'postgres',
      async open() {
        const { schema, drop } = await createPgSchema(pgUrl);
        const store = await openStore(pgUrl, testCipher, { schema });
        return {
          store,
          url: pgUrl,
          schema,
          async dispose() {
            await store.close();
            await drop();
          },
        };
      },
    }
  : null;

if (!postgresEngine) {
  console.warn(
    'PostgreSQL store tests skipped: set TEST_DATABASE_URL=postgres://user:pass@127.0.0.1:5432/db to run them on PostgreSQL too.',
  );
}

export const engines: readonly Engine[] = postgresEngine ? [sqliteEngine, postgresEngine] : [sqliteEngine];
