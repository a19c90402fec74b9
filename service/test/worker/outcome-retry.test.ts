/**
 * Issue 14 item 11: after a short database outage, a meeting whose outcome could not be recorded
 * must not stay `syncing` until its lease expires while the instance is alive: the worker records the
 * outcome again once the database answers. And the lease length is configuration.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import { loadConfig } from '../../src/config.ts';
import type { SyncMeetingFn } from '../../src/worker/worker.ts';
import { connection, meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook, startTestService, testEnv, type TestService } from '../support/service.ts';

jest.setTimeout(60_000);

describe('recording the outcome after a database outage', () => {
  let svc: TestService | undefined;
  afterEach(async () => {
    await svc?.dispose();
    svc = undefined;
  });

  it('when storing the outcome fails twice, then the meeting is synced without waiting for the lease and synced once', async () => {
    let syncs = 0;
    const sync: SyncMeetingFn = async () => {
      syncs += 1;
      return {
        state: 'synced',
        written: {
          eventId: '00U000000000001AAA',
          noteId: '069000000000001AAA',
          taskId: '00T000000000001AAA',
        },
        linked: [],
        dropped: [],
        apiCalls: 2,
      };
    };
    // the lease is the default two minutes: the test would time out if the meeting waited for it
    svc = await startTestService({}, { syncMeeting: sync });
    await svc.store.connections.save(connection('ws_1'));
    const meetings = svc.store.meetings;
    const real = meetings.completeAll.bind(meetings);
    let failures = 0;
    jest.spyOn(meetings, 'completeAll').mockImplementation(async (...args) => {
      if (failures < 2) {
        failures += 1;
        throw new Error('Connection terminated unexpectedly');
      }
      return real(...args);
    });

    expect((await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_outage' })))).status).toBe(202);
    const url = svc.url;
    const state = await eventually(
      'meeting m_outage synced',
      async () => String((await api(url, 'GET', '/v1/workspaces/ws_1/meetings/m_outage')).body['state']),
      { until: (s) => s === 'synced', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(state).toBe('synced');
    expect(failures).toBe(2);
    expect(syncs).toBe(1);
  });
});

describe('lease configuration', () => {
  it('when WORKER_LEASE_SECONDS is set, then it is the lease; unset, 120 s; nonsense is refused by name', () => {
    expect(loadConfig(testEnv()).worker.leaseSeconds).toBe(120);
    expect(loadConfig(testEnv({ WORKER_LEASE_SECONDS: '300' })).worker.leaseSeconds).toBe(300);
    for (const bad of ['0', '-5', 'abc', '2.5']) {
      expect(() => loadConfig(testEnv({ WORKER_LEASE_SECONDS: bad }))).toThrow(/WORKER_LEASE_SECONDS/);
    }
  });
});
