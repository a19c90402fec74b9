/**
 * An exhausted daily allowance against the local org (its dailyApiLimit knob and counters): the
 * first refused call (`REQUEST_LIMIT_EXCEEDED`, `TotalRequests Limit exceeded.`) pauses the whole
 * workspace; every other meeting queued then waits without a call and without an attempt, and all of
 * them sync once `/limits` shows room. The concurrent-request refusal (same code, another message)
 * stays an ordinary retry and pauses nothing.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import type { SyncMeetingFn } from '../../src/worker/worker.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook } from '../support/service.ts';
import { orgQuery, seedAcme, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(90_000);

const CHECK_MS = 150;
let stack: Stack;
afterEach(async () => {
  await stack?.dispose();
});

/**
 * Syncs that reached the org, and the org's allowance refusals among them. The local org does not
 * count refused calls (Salesforce does not either), so they are counted where the org's answer
 * arrives: each sync stops at its first refusal.
 */
const seen = { syncs: 0, refused: 0 };
const countingSync: SyncMeetingFn = async (...args) => {
  seen.syncs++;
  try {
    return await syncMeeting(...args);
  } catch (err) {
    if ((err as { message?: unknown }).message === 'TotalRequests Limit exceeded.') seen.refused++;
    throw err;
  }
};

async function status(id: string): Promise<Record<string, unknown>> {
  return (await api(stack.svc.url, 'GET', `/v1/workspaces/ws_1/meetings/${id}`)).body;
}

async function eventCount(meetingId: string): Promise<number> {
  return (await orgQuery(stack.org, `SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = '${meetingId}'`))
    .length;
}

/** Polls until each meeting has been put back (its updatedAt moved) `times` times after now. */
async function untilDeferred(ids: readonly string[], times: number): Promise<void> {
  const stamps = new Map(ids.map((id) => [id, new Set<string>()]));
  await eventually(
    `each of ${ids.join(', ')} deferred ${times} times`,
    async () => {
      for (const id of ids) stamps.get(id)?.add(String((await status(id))['updatedAt']));
      return [...stamps].map(([id, seen]) => [id, [...seen]] as const);
    },
    { until: (all) => all.every(([, seen]) => seen.length > times), timeoutMs: 20_000, intervalMs: 25 },
  );
}

/** A connected workspace that has synced one meeting (default budget, 90%). */
async function connected(): Promise<void> {
  seen.syncs = 0;
  seen.refused = 0;
  stack = await startStack({
    org: { autoApprove: true, knobs: { dailyApiLimit: 1_000 } },
    service: { syncMeeting: countingSync, worker: { budgetCheckMs: CHECK_MS } },
  });
  seedAcme(stack.org);
  await stack.connect();
  await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_first' })));
  await stack.waitFor('m_first', (m) => m['state'] === 'synced');
}

const QUEUED = ['m_q1', 'm_q2', 'm_q3', 'm_q4', 'm_q5', 'm_q6'];

test('when the daily allowance is spent elsewhere, then one refused call pauses the workspace; its queued meetings spend none and all sync once the allowance is raised', async () => {
  await connected();
  // Other integrations spend the rest of the day's allowance.
  stack.org.setKnobs({ dailyApiLimit: stack.org.counters()['total'] ?? 0 });
  const totalAtExhaustion = stack.org.counters()['total'];
  seen.syncs = 0;

  await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_trip' })));
  await stack.waitFor('m_trip', (m) => String(m['lastError'] ?? '').includes('allowance'));
  expect(await status('m_trip')).toMatchObject({
    state: expect.stringMatching(/^(queued|syncing)$/),
    attempts: 0,
  });
  for (const id of QUEUED) await sendWebhook(stack.svc.url, processedEvent(meeting({ id })));
  // Claimed and put back twice each: past at least one more /limits look.
  await untilDeferred(QUEUED, 2);

  expect(seen).toEqual({ syncs: 1, refused: 1 }); // m_trip's refusal, nothing per meeting
  // 'syncing' while a look claims it again and puts it back, never an attempt
  for (const id of QUEUED)
    expect(await status(id)).toMatchObject({
      state: expect.stringMatching(/^(queued|syncing)$/),
      attempts: 0,
    });
  // nothing was served, so nothing written (the org refuses even the test's own query now)
  expect(stack.org.counters()['total']).toBe(totalAtExhaustion);

  stack.org.setKnobs({ dailyApiLimit: 1_000_000 });
  for (const id of ['m_trip', ...QUEUED]) {
    expect(await stack.waitFor(id, (m) => m['state'] === 'synced')).toMatchObject({ attempts: 1 });
    expect(await eventCount(id)).toBe(1);
  }
  expect(seen.refused).toBe(1);
});

test('when the daily counters reset, then an exhausted workspace resumes', async () => {
  await connected();
  stack.org.setKnobs({ dailyApiLimit: stack.org.counters()['total'] ?? 0 });
  await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_trip' })));
  await stack.waitFor('m_trip', (m) => String(m['lastError'] ?? '').includes('allowance'));

  stack.org.resetCounters();
  expect(await stack.waitFor('m_trip', (m) => m['state'] === 'synced')).toMatchObject({ attempts: 1 });
  expect(await eventCount('m_trip')).toBe(1);
});

test('when the org refuses for concurrency (ConcurrentPerOrgLongTxn), then the meeting retries and the workspace is not paused', async () => {
  await connected();
  stack.org.setKnobs({ failureRate: 1, failureKinds: ['REQUEST_LIMIT_EXCEEDED'] });
  await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_busy' })));
  await stack.waitFor('m_busy', (m) => (m['attempts'] as number) >= 2);
  expect(String((await status('m_busy'))['lastError'])).toContain('ConcurrentPerOrgLongTxn');
  expect(seen.refused).toBe(0);
  // the recorded usage is the org's real one, not a spent allowance
  const usage = (await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce')).body['apiUsage'] as {
    used: number;
    max: number;
  };
  expect(usage.used).toBeLessThan(usage.max);

  stack.org.setKnobs({ failureRate: 0 });
  await stack.waitFor('m_busy', (m) => m['state'] === 'synced');
  expect(await eventCount('m_busy')).toBe(1);
});
