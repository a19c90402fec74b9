/**
 * Issue 14 item 10: with several instances on one database, reconnecting a workspace to another org
 * (or as another user) takes effect on every instance at once, not only on the one that handled the
 * OAuth callback: the other instance's cached connection must not keep writing to the old org.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import type { LocalOrg } from '../../../emulator/src/index.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { createPgSchema, type PgSchema } from '../support/pg-schema.ts';
import { sendWebhook, startTestService, type TestService } from '../support/service.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  connectWorkspace,
  orgQuery,
  seedAcme,
  startOrgFor,
} from '../support/stack.ts';

jest.setTimeout(90_000);

const pgUrl = process.env['TEST_DATABASE_URL'];
const describeWithPostgres = pgUrl ? describe : describe.skip;
if (!pgUrl) console.warn('PostgreSQL reconnect test skipped: set TEST_DATABASE_URL to run it.');

describeWithPostgres('a reconnect seen by every instance', () => {
  let pgSchema: PgSchema | undefined;
  let front: TestService;
  let worker: TestService;
  let oldOrg: LocalOrg;
  let newOrg: LocalOrg;

  beforeAll(async () => {
    pgSchema = await createPgSchema(pgUrl ?? '');
    const schema = pgSchema.schema;
    const env = {
      DATABASE_URL: pgUrl ?? '',
      SALESFORCE_CLIENT_ID: CLIENT_ID,
      SALESFORCE_CLIENT_SECRET: CLIENT_SECRET,
    };
    // the front instance handles OAuth and webhooks only; the other one runs every sync
    front = await startTestService(env, { syncMeeting, databaseSchema: schema, runWorker: false });
    worker = await startTestService(env, { syncMeeting, databaseSchema: schema });
    oldOrg = await startOrgFor(front.publicUrl, { autoApprove: true });
    newOrg = await startOrgFor(front.publicUrl, { autoApprove: true });
    seedAcme(oldOrg);
    seedAcme(newOrg);
  });
  afterAll(async () => {
    await front?.dispose();
    await worker?.dispose();
    await oldOrg?.stop();
    await newOrg?.stop();
    await pgSchema?.drop();
  });

  async function synced(id: string): Promise<void> {
    await eventually(
      `meeting ${id} synced`,
      () => worker.store.meetings.get({ workspaceId: 'ws_1', meetingId: id }),
      {
        until: (m) => m?.state === 'synced',
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
  }
  const events = (org: LocalOrg, id: string) =>
    orgQuery(org, `SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = '${id}'`);

  it('when the workspace is reconnected to another org through one instance, then the other instance writes to the new org', async () => {
    expect((await connectWorkspace(front.url, oldOrg)).outcome).toBe('connected');
    expect((await sendWebhook(front.url, processedEvent(meeting({ id: 'before' })))).status).toBe(202);
    await synced('before');
    expect(await events(oldOrg, 'before')).toHaveLength(1);

    expect((await connectWorkspace(front.url, newOrg)).outcome).toBe('connected');
    expect((await sendWebhook(front.url, processedEvent(meeting({ id: 'after' })))).status).toBe(202);
    await synced('after');
    expect(await events(newOrg, 'after')).toHaveLength(1);
    expect(await events(oldOrg, 'after')).toHaveLength(0);
  });
});
