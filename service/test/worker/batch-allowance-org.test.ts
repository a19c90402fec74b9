/**
 * A backlog synced in batches (sync/sync-batch.ts, the worker's default) against the local org, when
 * the org's daily allowance is spent: one refused call pauses the workspace, however many meetings
 * the batch carried; once `/limits` shows room the backlog is written in a few shared calls, each
 * meeting once.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import { syncBatch } from '../../src/sync/sync-batch.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import type { SyncBatchFn, SyncMeetingFn } from '../../src/worker/worker.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook } from '../support/service.ts';
import { orgQuery, seedAcme, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(120_000);

let stack: Stack;
afterAll(async () => {
  await stack?.dispose();
});

/** Batches that reached the org, and the org's allowance refusals among them (the org counts none). */
const seen = { batches: 0, refused: 0 };
const countingBatch: SyncBatchFn = async (...args) => {
  seen.batches++;
  try {
    const out = await syncBatch(...args);
    const refusals = [...out.results.values()].filter(
      (r) => !r.ok && (r.error as { message?: unknown }).message === 'TotalRequests Limit exceeded.',
    );
    if (refusals.length > 0) seen.refused++;
    return out;
  } catch (err) {
    if ((err as { message?: unknown }).message === 'TotalRequests Limit exceeded.') seen.refused++;
    throw err;
  }
};

/** The lone path (one meeting due alone) counted the same way. */
const countingSync: SyncMeetingFn = async (...args) => {
  try {
    return await syncMeeting(...args);
  } catch (err) {
    if ((err as { message?: unknown }).message === 'TotalRequests Limit exceeded.') seen.refused++;
    throw err;
  }
};

const status = async (id: string): Promise<Record<string, unknown>> =>
  (await api(stack.svc.url, 'GET', `/v1/workspaces/ws_1/meetings/${id}`)).body;

const BACKLOG = Array.from({ length: 40 }, (_, i) => `m_b${i}`);

test('when a backlog meets a spent allowance, then one refused call pauses the workspace, and once raised the backlog is written in a few calls, each meeting once', async () => {
  stack = await startStack({
    org: { autoApprove: true, knobs: { dailyApiLimit: 1_000 } },
    service: { syncMeeting: countingSync, syncBatch: countingBatch, worker: { budgetCheckMs: 150 } },
  });
  seedAcme(stack.org);
  await stack.connect();
  // Other integrations spend the rest of the day's allowance.
  stack.org.setKnobs({ dailyApiLimit: stack.org.counters()['total'] ?? 0 });
  const totalAtExhaustion = stack.org.counters()['total'];
  await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_trip' })));
  await stack.waitFor('m_trip', (m) => String(m['lastError'] ?? '').includes('allowance'));
  // The backlog arrives while the workspace is paused: claimed in batches and put back, no call.
  for (const id of BACKLOG) await sendWebhook(stack.svc.url, processedEvent(meeting({ id })));
  const stamps = new Map(BACKLOG.map((id) => [id, new Set<string>()]));
  await eventually(
    'every meeting of the backlog put back more than twice',
    async () => {
      for (const id of BACKLOG) stamps.get(id)?.add(String((await status(id))['updatedAt']));
      return [...stamps.values()].map((s) => s.size);
    },
    { until: (sizes) => sizes.every((n) => n > 2), timeoutMs: 30_000, intervalMs: 25 },
  );
  for (const id of BACKLOG) expect(await status(id)).toMatchObject({ attempts: 0 });
  expect(seen.refused).toBe(1);
  expect(stack.org.counters()['total']).toBe(totalAtExhaustion);

  const before = stack.org.counters()['total'] ?? 0;
  stack.org.setKnobs({ dailyApiLimit: 1_000_000 });
  for (const id of ['m_trip', ...BACKLOG])
    expect(await stack.waitFor(id, (m) => m['state'] === 'synced')).toMatchObject({ attempts: 1 });
  const events = await orgQuery<{ Salescaling_Meeting_Id__c: string }>(
    stack.org,
    `SELECT Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c LIKE 'm_b%'`,
  );
  expect(events.map((e) => e.Salescaling_Meeting_Id__c).sort()).toEqual([...BACKLOG].sort());
  expect(seen.batches).toBeGreaterThan(0); // the backlog went out in batches
  // 40 meetings: a /limits look or two, the shared look-ups and a couple of graph calls, not 80.
  expect((stack.org.counters()['total'] ?? 0) - before).toBeLessThanOrEqual(10);
  expect(seen.refused).toBe(1);
});
