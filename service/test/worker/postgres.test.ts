/**
 * Two service instances sharing one PostgreSQL database (the scaling setup): meetings sent to
 * either are each written exactly once, whichever worker claims them.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import type { LocalOrg } from '../../../emulator/src/index.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { createPgSchema, type PgSchema } from '../support/pg-schema.ts';
import { api, sendWebhook, startTestService, type TestService } from '../support/service.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  connectWorkspace,
  meetingStates,
  orgQuery,
  seedAcme,
  startOrgFor,
} from '../support/stack.ts';

jest.setTimeout(90_000);

const pgUrl = process.env['TEST_DATABASE_URL'];
const describeWithPostgres = pgUrl ? describe : describe.skip;
if (!pgUrl) console.warn('PostgreSQL multi-instance test skipped: set TEST_DATABASE_URL to run it.');

describeWithPostgres('two instances on one PostgreSQL database', () => {
  let pgSchema: PgSchema | undefined;
  let a: TestService;
  let b: TestService;
  let org: LocalOrg;

  beforeAll(async () => {
    pgSchema = await createPgSchema(pgUrl ?? '');
    const schema = pgSchema.schema;
    const env = {
      DATABASE_URL: pgUrl ?? '',
      SALESFORCE_CLIENT_ID: CLIENT_ID,
      SALESFORCE_CLIENT_SECRET: CLIENT_SECRET,
    };
    // started together: both run the migrations, the advisory lock lets one do it
    [a, b] = await Promise.all([
      startTestService(env, { syncMeeting, databaseSchema: schema, worker: { concurrency: 3 } }),
      startTestService(env, { syncMeeting, databaseSchema: schema, worker: { concurrency: 3 } }),
    ]);
    org = await startOrgFor(a.publicUrl, { autoApprove: true, knobs: { latencyMs: 20 } });
    await seedAcme(org, { FirstName: 'Bea', LastName: 'Buyer', Email: 'bea@acme.example' });
  });

  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await org?.stop();
    await pgSchema?.drop();
  });

  it('when meetings are sent to both instances, then each is written exactly once', async () => {
    const connected = await connectWorkspace(a.url, org);
    expect(connected.outcome).toBe('connected');
    // the other instance sees the connection through the shared database
    expect((await api(b.url, 'GET', '/v1/workspaces/ws_1/salesforce')).body).toMatchObject({
      connected: true,
    });

    const ids = Array.from({ length: 16 }, (_, i) => `pg${i}`);
    await Promise.all(
      ids.map((id, i) =>
        sendWebhook(
          i % 2 ? a.url : b.url,
          processedEvent(meeting({ id, participants: [{ email: 'bea@acme.example', internal: false }] })),
        ),
      ),
    );
    const states = await eventually('every meeting synced', () => meetingStates(a.url, ids), {
      until: (all) => all.every((s) => s === 'synced'),
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    expect(states).toEqual(ids.map(() => 'synced'));
    const events = await orgQuery<{ Salescaling_Meeting_Id__c: string }>(
      org,
      "SELECT Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c LIKE 'pg%'",
    );
    expect(events.map((e) => e.Salescaling_Meeting_Id__c).sort()).toEqual([...ids].sort());

    const synced = async (svc: TestService) => {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      return Number(/salescaling_syncs_total\{outcome="synced"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const [byA, byB] = await Promise.all([synced(a), synced(b)]);
    expect(byA + byB).toBe(ids.length);
  });
});
