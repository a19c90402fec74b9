import { SalesforceError } from '../../src/salesforce/errors.ts';
import { seeded } from '../../../scripts/test-support/seeded-random.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import type { SyncMeetingFn } from '../../src/worker/worker.ts';
import { deletedEvent, meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook } from '../support/service.ts';
import { orgQuery, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(90_000);

const done = (m: Record<string, unknown>) =>
  ['synced', 'skipped', 'failed', 'deleted'].includes(String(m['state']));

async function seedCrm(stack: Stack) {
  const [acme, globex] = stack.org.seed('Account', [{ Name: 'Acme' }, { Name: 'Globex' }]);
  stack.org.seed('Contact', [
    { FirstName: 'Bea', LastName: 'Buyer', Email: 'bea@acme.example', AccountId: acme },
    { FirstName: 'Carl', LastName: 'Champion', Email: 'carl@acme.example', AccountId: acme },
    { FirstName: 'Gil', LastName: 'Globex', Email: 'gil@globex.example', AccountId: globex },
  ]);
  return { acme: acme ?? '', globex: globex ?? '' };
}

const external = (email: string) => ({ email, internal: false });

async function eventsOf(stack: Stack, meetingId: string) {
  return orgQuery<{ Id: string; Subject: string }>(
    stack.org,
    `SELECT Id, Subject FROM Event WHERE Salescaling_Meeting_Id__c = '${meetingId}'`,
  );
}

describe('the worker against the local org', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.dispose();
  });

  it('when meetings arrive, are updated and deleted, then the org holds exactly what the latest versions say', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const { acme } = await seedCrm(stack);
    await stack.connect();

    const m1 = meeting({
      id: 'm1',
      participants: [external('bea@acme.example'), external('carl@acme.example')],
    });
    expect((await sendWebhook(stack.svc.url, processedEvent(m1))).status).toBe(202);
    const status = await stack.waitFor('m1', done);
    expect(status).toMatchObject({
      state: 'synced',
      version: 1,
      syncedVersion: 1,
      attempts: 1,
      lastError: null,
    });
    expect(status['linked']).toEqual(
      expect.arrayContaining([expect.objectContaining({ recordId: acme, type: 'Account' })]),
    );
    const [written] = await eventsOf(stack, 'm1');
    expect(written?.Id).toBe((status['salesforce'] as { eventId: string }).eventId);
    // the connection status shows the org's API usage as last seen and the last sync
    const conn = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce');
    expect(conn.body['apiUsage']).toMatchObject({ used: expect.any(Number), max: 15000 });
    expect(conn.body['lastSyncAt']).toEqual(expect.any(String));

    // an update: same Event, new subject; an older version afterwards changes nothing
    await sendWebhook(stack.svc.url, processedEvent({ ...m1, version: 2, title: 'Pricing call' }));
    await stack.waitFor('m1', (m) => m['syncedVersion'] === 2 && done(m));
    const stale = await sendWebhook(
      stack.svc.url,
      processedEvent({ ...m1, version: 1, title: 'stale' }, 'evt_stale'),
    );
    expect(stale.status).toBe(202);
    // the store drops an older version as it accepts it: nothing is queued, so the org is read at once
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/meetings/m1')).body).toMatchObject({
      state: 'synced',
      version: 2,
      syncedVersion: 2,
    });
    const events = await eventsOf(stack, 'm1');
    expect(events).toEqual([expect.objectContaining({ Id: written?.Id, Subject: 'Pricing call' })]);

    // a delete removes what was written
    await sendWebhook(stack.svc.url, deletedEvent('m1', 3, 'evt_del'));
    expect(await stack.waitFor('m1', (m) => m['state'] === 'deleted')).toMatchObject({ version: 3 });
    expect(await eventsOf(stack, 'm1')).toEqual([]);
  });

  it('when a meeting arrives before the workspace connects, then it is synced once it connects', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    await seedCrm(stack);
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'early', participants: [external('gil@globex.example')] })),
    );
    expect(await stack.waitFor('early', done)).toMatchObject({ state: 'failed', reason: 'not_connected' });
    await stack.connect();
    expect(await stack.waitFor('early', (m) => m['state'] === 'synced')).toMatchObject({ reason: null });
    expect(await eventsOf(stack, 'early')).toHaveLength(1);
  });

  it(
    'when the org fails a third of the calls, then every meeting is still written exactly once',
    seeded(async () => {
      stack = await startStack({ org: { autoApprove: true } });
      await seedCrm(stack);
      await stack.connect();
      stack.org.setKnobs({
        failureRate: 0.3,
        failureKinds: ['UNABLE_TO_LOCK_ROW', '503', 'REQUEST_LIMIT_EXCEEDED'],
      });
      const ids = Array.from({ length: 8 }, (_, i) => `flaky${i}`);
      for (const id of ids)
        await sendWebhook(
          stack.svc.url,
          processedEvent(meeting({ id, participants: [external('bea@acme.example')] })),
        );
      const statuses = await Promise.all(
        ids.map((id) => stack.waitFor(id, (m) => m['state'] === 'synced', 'ws_1', 60_000)),
      );
      stack.org.setKnobs({ failureRate: 0 });
      for (const id of ids) expect(await eventsOf(stack, id)).toHaveLength(1);
      expect(statuses.some((s) => Number(s['attempts']) > 1)).toBe(true); // some really were retried
    }),
  );

  it("when Salesforce refuses one meeting's record, then that meeting fails with the message and the others sync", async () => {
    const failing: SyncMeetingFn = async (conn, org, input, previous) => {
      if (input.kind === 'upsert' && input.meeting.id === 'bad') {
        throw new SalesforceError('record', 'STRING_TOO_LONG', 'Subject: data value too large', {
          fields: ['Subject'],
        });
      }
      return syncMeeting(conn, org, input, previous);
    };
    stack = await startStack({ org: { autoApprove: true }, service: { syncMeeting: failing } });
    await seedCrm(stack);
    await stack.connect();
    for (const id of ['ok1', 'bad', 'ok2']) {
      await sendWebhook(
        stack.svc.url,
        processedEvent(meeting({ id, participants: [external('carl@acme.example')] })),
      );
    }
    expect(await stack.waitFor('bad', done)).toMatchObject({
      state: 'failed',
      reason: 'salesforce_record_error',
      lastError: 'STRING_TOO_LONG: Subject: data value too large',
      attempts: 1,
    });
    for (const id of ['ok1', 'ok2']) expect(await stack.waitFor(id, done)).toMatchObject({ state: 'synced' });
    expect(await eventsOf(stack, 'bad')).toHaveLength(0);
  });

  it('when the access token has expired, then one refresh serves every meeting syncing at once and is saved', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    await seedCrm(stack);
    await stack.connect();
    const before = await stack.svc.store.connections.get('ws_1');
    stack.svc.connections.forget('ws_1');
    stack.org.expireTokens();
    const ids = ['r1', 'r2', 'r3', 'r4'];
    await Promise.all(
      ids.map((id) =>
        sendWebhook(
          stack.svc.url,
          processedEvent(meeting({ id, participants: [external('bea@acme.example')] })),
        ),
      ),
    );
    for (const id of ids) expect(await stack.waitFor(id, done)).toMatchObject({ state: 'synced' });
    const metrics = await (await fetch(`${stack.svc.url}/metrics`)).text();
    expect(metrics).toContain('salescaling_token_refreshes_total{outcome="ok"} 1');
    const after = await stack.svc.store.connections.get('ws_1');
    expect(after?.accessToken).not.toBe(before?.accessToken);
  });

  it('when the refresh token is revoked, then the connection is marked broken, meetings wait, and a reconnect syncs them', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    await seedCrm(stack);
    await stack.connect();
    const conn = await stack.svc.store.connections.get('ws_1');
    await fetch(`${stack.org.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: conn?.refreshToken ?? '' }).toString(),
    });
    stack.org.expireTokens();
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'waiting', participants: [external('bea@acme.example')] })),
    );
    expect(await stack.waitFor('waiting', done)).toMatchObject({
      state: 'failed',
      reason: 'connection_broken',
    });
    const status = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce');
    expect(status.body).toMatchObject({ connected: false, status: 'broken' });
    // a second meeting does not hammer the token endpoint
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'waiting2', participants: [external('bea@acme.example')] })),
    );
    expect(await stack.waitFor('waiting2', done)).toMatchObject({
      state: 'failed',
      reason: 'connection_broken',
    });
    const metrics = await (await fetch(`${stack.svc.url}/metrics`)).text();
    expect(metrics).toContain('salescaling_token_refreshes_total{outcome="dead"} 1');

    await stack.connect();
    for (const id of ['waiting', 'waiting2'])
      expect(await stack.waitFor(id, (m) => m['state'] === 'synced')).toBeTruthy();
    expect(await eventsOf(stack, 'waiting')).toHaveLength(1);
  });

  it('when a resync is asked, then the latest version is written again in place', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    await seedCrm(stack);
    await stack.connect();
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'again', participants: [external('bea@acme.example')] })),
    );
    const first = await stack.waitFor('again', done);
    const res = await api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/meetings/again/resync');
    expect(res.status).toBe(202);
    const second = await stack.waitFor('again', (m) => done(m) && m['updatedAt'] !== first['updatedAt']);
    expect(second['salesforce']).toEqual(first['salesforce']);
    expect(await eventsOf(stack, 'again')).toHaveLength(1);
  });
});
