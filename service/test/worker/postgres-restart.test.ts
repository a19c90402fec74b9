/**
 * Issue 14 item 9: a PostgreSQL restart or failover must not crash the service. A transaction's
 * client whose backend is terminated used to emit an unhandled 'error' and kill the process. Now the
 * request in flight is answered 503, the service stays up, reconnects, and loses nothing: the
 * sender's retry is accepted and stored.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import pg from 'pg';
import { startChildService, type ChildService } from '../support/child-service.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { createPgSchema, type PgSchema } from '../support/pg-schema.ts';
import { api, sendWebhook, testEnv } from '../support/service.ts';

jest.setTimeout(60_000);

const pgUrl = process.env['TEST_DATABASE_URL'];
const describeWithPostgres = pgUrl ? describe : describe.skip;
if (!pgUrl) console.warn('PostgreSQL restart test skipped: set TEST_DATABASE_URL to run it.');

describeWithPostgres('a PostgreSQL backend terminated under a transaction', () => {
  let schema = '';
  let pgSchema: PgSchema | undefined;
  let admin: pg.Client;
  let child: ChildService | undefined;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    pgSchema = await createPgSchema(pgUrl ?? '');
    schema = pgSchema.schema;
  });
  afterAll(async () => {
    await child?.kill('SIGKILL');
    await pgSchema?.drop();
    await admin.end();
  });

  it('when the backend of a waiting webhook transaction is terminated, then 503, the service stays up, and the retry is stored', async () => {
    const url = `${pgUrl}${pgUrl?.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    child = await startChildService(testEnv({ DATABASE_URL: url, LOG_LEVEL: 'silent' }));
    const event = processedEvent(meeting({ id: 'm_pg_restart' }));

    // hold the events table so the webhook's transaction waits inside PostgreSQL
    const locker = new pg.Client({ connectionString: pgUrl });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${schema}.events IN ACCESS EXCLUSIVE MODE`);
    const pending = sendWebhook(child.url, event);

    const pid = await eventually(
      "the service's insert waiting on the lock",
      async () =>
        (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> $1`,
            [(locker as unknown as { processID: number }).processID],
          )
        ).rows[0]?.pid,
      { until: (found) => found !== undefined, timeoutMs: 20_000 },
    );
    expect(pid).toBeDefined();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const res = await pending;
    await locker.query('ROLLBACK');
    await locker.end();

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: 'database_unavailable' } });
    // still up, and the sender's retry goes through
    expect(child.child.exitCode).toBeNull();
    // A sender retries a 503 (it carries Retry-After); the pool may still hand out a connection that
    // learns of the terminated backend on its first use, so allow a few retries, as a sender would.
    const running = child;
    const retry = await eventually("the sender's retry answered", () => sendWebhook(running.url, event), {
      until: (r) => r.status !== 503,
      timeoutMs: 5_000,
      intervalMs: 200,
    });
    expect(retry.status).toBe(202);
    expect((await api(child.url, 'GET', '/v1/workspaces/ws_1/meetings/m_pg_restart')).status).toBe(200);
  });
});
