/**
 * The service killed with SIGKILL in the middle of syncing, then started again on the same database:
 * every accepted meeting ends up in the org exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalOrg } from '../../../emulator/src/index.ts';
import { eventually } from '../../../scripts/test-support/eventually.ts';
import { startChildService, type ChildService } from '../support/child-service.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { testKey } from '../support/keys.ts';
import { API_TOKEN, WEBHOOK_SECRET, sendWebhook } from '../support/service.ts';
import { connectWorkspace, meetingStates, orgQuery, seedAcme, startOrgFor } from '../support/stack.ts';

jest.setTimeout(120_000);

const CLIENT_ID = '3MVG9crashTestClient00000000000000';
const CLIENT_SECRET = 'crashTestSecret000000000000000000000';

describe('the service killed mid-sync', () => {
  let dir: string;
  let org: LocalOrg | undefined;
  let child: ChildService | undefined;

  afterEach(async () => {
    await child?.kill('SIGKILL');
    await org?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when it is SIGKILLed while syncing and restarted, then every meeting is in the org exactly once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'salescaling-crash-'));
    const env = {
      PORT: '0',
      DATABASE_URL: `sqlite:${join(dir, 'service.db')}`,
      SALESFORCE_CLIENT_ID: CLIENT_ID,
      SALESFORCE_CLIENT_SECRET: CLIENT_SECRET,
      SALESCALING_API_TOKEN: API_TOKEN,
      WEBHOOK_SECRET,
      TOKEN_ENCRYPTION_KEY: testKey.toString('base64'),
      LOG_LEVEL: 'warn',
      // writes take 120 ms here: a create cut by the kill has settled long before 3 s
      SALESFORCE_WRITE_SETTLE_SECONDS: '3',
    };
    child = await startChildService(env);
    org = await startOrgFor(child.url, {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      autoApprove: true,
      knobs: { latencyMs: 120 },
    });
    await seedAcme(org, { FirstName: 'Bea', LastName: 'Buyer', Email: 'bea@acme.example' });
    const connected = await connectWorkspace(child.url, org);
    expect(connected.outcome).toBe('connected');

    const ids = Array.from({ length: 12 }, (_, i) => `crash${i}`);
    for (const id of ids) {
      const res = await sendWebhook(
        child.url,
        processedEvent(meeting({ id, participants: [{ email: 'bea@acme.example', internal: false }] })),
      );
      expect(res.status).toBe(202);
    }
    // kill as soon as the first meeting is written, while others are being written
    const running = child;
    const before = await eventually('a first meeting synced', () => meetingStates(running.url, ids), {
      until: (states) => states.includes('synced'),
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    await child.kill('SIGKILL');
    expect(before.filter((s) => s === 'synced').length).toBeLessThan(ids.length);
    expect(before.some((s) => s === 'syncing')).toBe(true);

    const restarted = (child = await startChildService(env));
    const after = await eventually(
      'every meeting synced after the restart',
      () => meetingStates(restarted.url, ids),
      { until: (states) => states.every((s) => s === 'synced'), timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(after).toEqual(ids.map(() => 'synced'));

    const events = await orgQuery<{ Salescaling_Meeting_Id__c: string }>(
      org,
      `SELECT Id, Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c LIKE 'crash%'`,
    );
    expect(events.map((e) => e.Salescaling_Meeting_Id__c).sort()).toEqual([...ids].sort());
  });

  // Without the create mark (SALESFORCE_WRITE_SETTLE_SECONDS=0, CRASH_TEST_SETTLE_SECONDS=0 here) the
  // restarted service finds nothing, writes every meeting again, and the orphaned writes land too.
  it('when it is SIGKILLed while the org is still committing its writes and restarted at once, then one Event, one Task and one note per meeting', async () => {
    dir = mkdtempSync(join(tmpdir(), 'salescaling-crash-'));
    const env = {
      PORT: '0',
      DATABASE_URL: `sqlite:${join(dir, 'service.db')}`,
      SALESFORCE_CLIENT_ID: CLIENT_ID,
      SALESFORCE_CLIENT_SECRET: CLIENT_SECRET,
      SALESCALING_API_TOKEN: API_TOKEN,
      WEBHOOK_SECRET,
      TOKEN_ENCRYPTION_KEY: testKey.toString('base64'),
      LOG_LEVEL: 'warn',
      // a write takes 5 s: one sent before the kill can no longer land 8 s after it was sent
      SALESFORCE_WRITE_SETTLE_SECONDS: process.env['CRASH_TEST_SETTLE_SECONDS'] ?? '8',
    };
    child = await startChildService(env);
    org = await startOrgFor(child.url, {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      autoApprove: true,
    });
    seedAcme(org, { FirstName: 'Bea', LastName: 'Buyer', Email: 'bea@acme.example' });
    expect((await connectWorkspace(child.url, org)).outcome).toBe('connected');
    // every write takes 5 s and commits at its end, whether or not its caller is still there
    org.setKnobs({ writeLatencyMs: 5_000 });

    // as many as the worker syncs at once (4), so every one is in flight when the service dies
    const ids = Array.from({ length: 4 }, (_, i) => `slowcrash${i}`);
    for (const id of ids) {
      const res = await sendWebhook(
        child.url,
        processedEvent(meeting({ id, participants: [{ email: 'bea@acme.example', internal: false }] })),
      );
      expect(res.status).toBe(202);
    }
    // kill while every graph is in flight: the org has received them and commits them later
    const writing = org;
    await eventually('every graph received by the org', () => writing.counters()['graph'] ?? 0, {
      until: (graphs) => graphs >= ids.length,
      timeoutMs: 30_000,
      intervalMs: 10,
    });
    expect(org.counters()['graph'] ?? 0).toBe(ids.length);
    await child.kill('SIGKILL');
    const restarted = (child = await startChildService(env));
    const after = await eventually(
      'every meeting synced after the restart',
      () => meetingStates(restarted.url, ids),
      { until: (states) => states.every((s) => s === 'synced'), timeoutMs: 90_000, intervalMs: 100 },
    );
    expect(after).toEqual(ids.map(() => 'synced'));
    // wait until every write the org received has run, the killed instance's orphaned ones included
    await eventually('no write in flight in the org', () => writing.inFlight(), {
      until: (n) => n === 0,
      timeoutMs: 30_000,
    });
    expect(org.inFlight()).toBe(0);

    const events = await orgQuery<{ Id: string; Salescaling_Meeting_Id__c: string }>(
      org,
      `SELECT Id, Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c LIKE 'slowcrash%'`,
    );
    const tasks = await orgQuery<{ Salescaling_Meeting_Id__c: string }>(
      org,
      `SELECT Id, Salescaling_Meeting_Id__c FROM Task WHERE Salescaling_Meeting_Id__c LIKE 'slowcrash%'`,
    );
    expect(events.map((e) => e.Salescaling_Meeting_Id__c).sort()).toEqual([...ids].sort());
    expect(tasks.map((e) => e.Salescaling_Meeting_Id__c).sort()).toEqual([...ids].sort());
    for (const e of events) {
      const links = await orgQuery(
        org,
        `SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '${e.Id}'`,
      );
      expect(links).toHaveLength(1);
    }
    expect(await orgQuery(org, 'SELECT Id FROM ContentNote')).toHaveLength(ids.length);
  });

  it('when it is SIGKILLed while one batch write carrying a backlog is being committed, and restarted at once, then one Event, one Task and one note per meeting', async () => {
    dir = mkdtempSync(join(tmpdir(), 'salescaling-crash-'));
    const env = {
      PORT: '0',
      DATABASE_URL: `sqlite:${join(dir, 'service.db')}`,
      SALESFORCE_CLIENT_ID: CLIENT_ID,
      SALESFORCE_CLIENT_SECRET: CLIENT_SECRET,
      SALESCALING_API_TOKEN: API_TOKEN,
      WEBHOOK_SECRET,
      TOKEN_ENCRYPTION_KEY: testKey.toString('base64'),
      LOG_LEVEL: 'warn',
      WORKER_BATCH_SIZE: '50',
      // a write takes 12 s (longer than a restart under load): it can no longer land 16 s after it was sent
      SALESFORCE_WRITE_SETTLE_SECONDS: process.env['CRASH_TEST_SETTLE_SECONDS'] ?? '16',
    };
    child = await startChildService(env);
    org = await startOrgFor(child.url, {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      autoApprove: true,
    });
    seedAcme(org, { FirstName: 'Bea', LastName: 'Buyer', Email: 'bea@acme.example' });
    // A backlog: accepted before the workspace is connected, then drained as one batch.
    const ids = Array.from({ length: 30 }, (_, i) => `batchcrash${i}`);
    for (const id of ids) {
      const res = await sendWebhook(
        child.url,
        processedEvent(meeting({ id, participants: [{ email: 'bea@acme.example', internal: false }] })),
      );
      expect(res.status).toBe(202);
    }
    org.setKnobs({ writeLatencyMs: 12_000 });
    expect((await connectWorkspace(child.url, org)).outcome).toBe('connected');
    // kill while the batch's graph call is in flight: the org has received it and commits it later
    const writing = org;
    await eventually('the batch graph call received by the org', () => writing.counters()['graph'] ?? 0, {
      until: (n) => n >= 1,
      timeoutMs: 30_000,
      intervalMs: 10,
    });
    expect(org.counters()['graph']).toBe(1);
    await child.kill('SIGKILL');
    const restarted = await startChildService(env);
    child = restarted;
    const after = await eventually(
      'every meeting of the batch synced after the restart',
      () => meetingStates(restarted.url, ids),
      {
        until: (states) => states.every((st) => st === 'synced'),
        timeoutMs: 90_000,
        intervalMs: 100,
      },
    );
    expect(after).toEqual(ids.map(() => 'synced'));
    await eventually('no call in flight at the org', () => writing.inFlight(), {
      until: (n) => n === 0,
      timeoutMs: 30_000,
    });

    const events = await orgQuery<{ Id: string; Salescaling_Meeting_Id__c: string }>(
      org,
      `SELECT Id, Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c LIKE 'batchcrash%'`,
    );
    const tasks = await orgQuery<{ Salescaling_Meeting_Id__c: string }>(
      org,
      `SELECT Id, Salescaling_Meeting_Id__c FROM Task WHERE Salescaling_Meeting_Id__c LIKE 'batchcrash%'`,
    );
    expect(events.map((e) => e.Salescaling_Meeting_Id__c).sort()).toEqual([...ids].sort());
    expect(tasks.map((e) => e.Salescaling_Meeting_Id__c).sort()).toEqual([...ids].sort());
    for (const e of events) {
      const links = await orgQuery(
        org,
        `SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '${e.Id}'`,
      );
      expect(links).toHaveLength(1);
    }
    expect(await orgQuery(org, 'SELECT Id FROM ContentNote')).toHaveLength(ids.length);
  });
});
