/**
 * Issue 14 item 1 at the worker, with the real store: a write creating a meeting's records is noted
 * in the store before it is sent; when its answer is lost (a timeout, a kill), the meeting is not
 * synced again until the write can no longer land (SALESFORCE_WRITE_SETTLE_SECONDS). A write Salesforce
 * answered clears the note: its retry waits only for the backoff.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import { loadConfig } from '../../src/config.ts';
import { SalesforceError } from '../../src/salesforce/errors.ts';
import type { SyncOutcome } from '../../src/domain/meeting-outcome.ts';
import type { SyncMeetingFn } from '../../src/worker/worker.ts';
import type { Store } from '../../src/store/types.ts';
import { engines } from '../support/engines.ts';
import { connection, incoming, meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook, startTestService, testEnv, type TestService } from '../support/service.ts';

jest.setTimeout(60_000);

const synced: SyncOutcome = {
  state: 'synced',
  written: { eventId: '00U000000000001AAA', noteId: '069000000000001AAA', taskId: '00T000000000001AAA' },
  linked: [],
  dropped: [],
  apiCalls: 2,
};

async function meetingOf(svc: TestService, id: string): Promise<Record<string, unknown>> {
  return (await api(svc.url, 'GET', `/v1/workspaces/ws_1/meetings/${id}`)).body;
}

async function waitFor(
  svc: TestService,
  id: string,
  done: (m: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  return eventually(`meeting ${id} reaching the awaited state`, () => meetingOf(svc, id), {
    until: done,
    timeoutMs: 30_000,
    intervalMs: 25,
  });
}

describe('the create mark (exactly once without a unique field)', () => {
  let svc: TestService | undefined;
  afterEach(async () => {
    await svc?.dispose();
    svc = undefined;
  });

  it('when a create is sent and its answer lost, then the meeting waits until the write settled, and only then is synced again', async () => {
    const calls: number[] = [];
    let sentAt = 0;
    const sync: SyncMeetingFn = async (_conn, _org, _input, _previous, _settings, fence) => {
      calls.push(Date.now());
      if (calls.length === 1) {
        sentAt = Date.now();
        await fence?.beforeCreate();
        // no HTTP answer: the write may still land
        throw new SalesforceError('transient', 'REQUEST_TIMEOUT', 'Salesforce did not answer (timed out)');
      }
      return synced;
    };
    svc = await startTestService(
      { SALESFORCE_WRITE_SETTLE_SECONDS: '2' },
      { syncMeeting: sync, worker: { pollMs: 20, backoff: { baseMs: 10, maxMs: 20 } } },
    );
    await svc.store.connections.save(connection('ws_1'));
    expect((await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_lost' })))).status).toBe(202);

    // After the failed attempt and its short backoff, the next claim is put back until the settle.
    const waiting = await waitFor(svc, 'm_lost', (m) => String(m['lastError']).includes('settle'));
    expect(waiting).toMatchObject({ state: 'queued' });
    expect(Date.parse(String(waiting['nextAttemptAt']))).toBeGreaterThanOrEqual(sentAt + 2_000);
    expect(calls).toHaveLength(1);

    const done = await waitFor(svc, 'm_lost', (m) => m['state'] === 'synced');
    expect(done['state']).toBe('synced');
    expect(calls).toHaveLength(2);
    // the store's mark was taken after `sentAt`, so the second sync cannot have come before this
    expect(calls[1]!).toBeGreaterThanOrEqual(sentAt + 2_000);
  });

  it('when Salesforce answered the create (refused it), then the retry waits only for its backoff', async () => {
    let calls = 0;
    const sync: SyncMeetingFn = async (_conn, _org, _input, _previous, _settings, fence) => {
      calls += 1;
      if (calls === 1) {
        await fence?.beforeCreate();
        await fence?.answered();
        throw new SalesforceError('transient', 'SERVER_UNAVAILABLE', 'try again', { statusCode: 503 });
      }
      return synced;
    };
    // a settle far longer than the test: had the mark stayed, the meeting would still be waiting
    svc = await startTestService(
      { SALESFORCE_WRITE_SETTLE_SECONDS: '3600' },
      { syncMeeting: sync, worker: { pollMs: 20, backoff: { baseMs: 10, maxMs: 20 } } },
    );
    await svc.store.connections.save(connection('ws_1'));
    await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_answered' })));
    const done = await waitFor(svc, 'm_answered', (m) => m['state'] === 'synced');
    expect(done).toMatchObject({ state: 'synced', lastError: null });
    expect(calls).toBe(2);
  });

  it('when the create is written and the outcome stored, then the mark is gone: a new version syncs at once', async () => {
    let calls = 0;
    const sync: SyncMeetingFn = async (_conn, _org, _input, _previous, _settings, fence) => {
      calls += 1;
      if (calls === 1) await fence?.beforeCreate();
      return synced;
    };
    svc = await startTestService(
      { SALESFORCE_WRITE_SETTLE_SECONDS: '3600' },
      { syncMeeting: sync, worker: { pollMs: 20 } },
    );
    await svc.store.connections.save(connection('ws_1'));
    await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_done' })));
    expect((await waitFor(svc, 'm_done', (m) => m['state'] === 'synced'))['state']).toBe('synced');
    await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_done', version: 2 })));
    const second = await waitFor(svc, 'm_done', (m) => m['version'] === 2 && m['state'] === 'synced');
    expect(second).toMatchObject({ state: 'synced', lastError: null });
    expect(calls).toBe(2);
  });
});

describe('write settle configuration', () => {
  it('when unset, then the 10-minute transaction maximum plus the call timeout; set, as given; nonsense refused by name', () => {
    expect(loadConfig(testEnv()).salesforce.writeSettleSeconds).toBe(600 + 60);
    expect(loadConfig(testEnv({ SALESFORCE_TIMEOUT_SECONDS: '30' })).salesforce.writeSettleSeconds).toBe(630);
    expect(loadConfig(testEnv({ SALESFORCE_WRITE_SETTLE_SECONDS: '90' })).salesforce.writeSettleSeconds).toBe(
      90,
    );
    for (const bad of ['-1', 'abc', '2.5']) {
      expect(() => loadConfig(testEnv({ SALESFORCE_WRITE_SETTLE_SECONDS: bad }))).toThrow(
        /SALESFORCE_WRITE_SETTLE_SECONDS/,
      );
    }
  });
});

describe.each(engines.map((e) => [e.name, e] as const))(
  'the create mark in the store on %s',
  (_name, engine) => {
    let store: Store;
    let dispose: () => Promise<void>;
    const t0 = Date.now();
    const key = { workspaceId: 'ws_1', meetingId: 'm_mark' };
    beforeEach(async () => {
      ({ store, dispose } = await engine.open());
      await store.connections.save(connection('ws_1'));
      await store.meetings.accept(incoming(meeting({ id: 'm_mark' })), t0);
    });
    afterEach(() => dispose());

    it('when a create is marked and the attempt ends without an outcome, then the next claim carries the mark until an outcome is stored', async () => {
      const [first] = await store.meetings.claim({ owner: 'w1', limit: 1, leaseMs: 60_000, now: t0 });
      expect(first).toMatchObject({ meetingId: 'm_mark', createStartedAt: null });
      // only the lease holder can mark
      expect(await store.meetings.markCreateStarted({ owner: 'intruder', key, now: t0 + 5 })).toBe(false);
      expect(await store.meetings.markCreateStarted({ owner: 'w1', key, now: t0 + 10 })).toBe(true);
      await store.meetings.retry({
        owner: 'w1',
        key,
        error: 'timed out',
        nextAttemptAt: t0 + 20,
        now: t0 + 15,
      });
      const [second] = await store.meetings.claim({ owner: 'w2', limit: 1, leaseMs: 60_000, now: t0 + 30 });
      expect(second).toMatchObject({ createStartedAt: t0 + 10 });
      // put back without counting an attempt
      expect(
        await store.meetings.defer({
          owner: 'w2',
          key,
          until: t0 + 5_000,
          note: 'waiting to settle',
          now: t0 + 31,
        }),
      ).toBe(true);
      expect(await store.meetings.claim({ owner: 'w2', limit: 1, leaseMs: 60_000, now: t0 + 4_999 })).toEqual(
        [],
      );
      expect(await store.meetings.get({ workspaceId: 'ws_1', meetingId: 'm_mark' })).toMatchObject({
        state: 'queued',
        attempts: 1,
        lastError: 'waiting to settle',
      });
      const [third] = await store.meetings.claim({ owner: 'w3', limit: 1, leaseMs: 60_000, now: t0 + 5_000 });
      expect(third).toMatchObject({ createStartedAt: t0 + 10, attempts: 1 });
      // a clear by someone who does not hold the lease changes nothing
      await store.meetings.clearCreateMark({ owner: 'w1', key });
      await store.meetings.retry({
        owner: 'w3',
        key,
        error: 'timed out again',
        nextAttemptAt: t0 + 5_050,
        now: t0 + 5_040,
      });
      const [fourth] = await store.meetings.claim({
        owner: 'w4',
        limit: 1,
        leaseMs: 60_000,
        now: t0 + 5_060,
      });
      expect(fourth).toMatchObject({ createStartedAt: t0 + 10 });
      // the stored outcome clears it
      expect(
        await store.meetings.complete({
          owner: 'w4',
          key,
          claimedVersion: 1,
          result: { ...synced, reason: null },
          now: t0 + 5_100,
        }),
      ).toBe(true);
      await store.meetings.requeue({ workspaceId: 'ws_1', meetingId: 'm_mark' }, t0 + 5_200);
      const [fifth] = await store.meetings.claim({ owner: 'w5', limit: 1, leaseMs: 60_000, now: t0 + 5_300 });
      expect(fifth).toMatchObject({ createStartedAt: null });
    });

    it('when the create was answered, then the holder clears the mark', async () => {
      await store.meetings.claim({ owner: 'w1', limit: 1, leaseMs: 60_000, now: t0 });
      await store.meetings.markCreateStarted({ owner: 'w1', key, now: t0 + 10 });
      await store.meetings.clearCreateMark({ owner: 'w1', key });
      await store.meetings.retry({
        owner: 'w1',
        key,
        error: 'refused',
        nextAttemptAt: t0 + 20,
        now: t0 + 15,
      });
      const [again] = await store.meetings.claim({ owner: 'w2', limit: 1, leaseMs: 60_000, now: t0 + 30 });
      expect(again).toMatchObject({ createStartedAt: null });
    });
  },
);
