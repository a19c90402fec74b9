/**
 * A throw-away schema on the PostgreSQL server TEST_DATABASE_URL names, so that tests sharing one
 * server (store tests, several service instances on one database) never see each other's tables.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface PgSchema {
  readonly schema: string;
  /** Drops the schema and everything in it; safe to call when it is already gone. */
  drop(): Promise<void>;
}

async function run(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createPgSchema(url: string): Promise<PgSchema> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await run(url, `CREATE SCHEMA ${schema}`);
  return { schema, drop: () => run(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}
