/**
 * A backlog's batch sends its calls (the shared look-ups, then the graphs) several at once, never more
 * than SALESFORCE_CONCURRENT_REQUESTS per org: here the local org serves 4 calls at once and refuses a
 * fifth with REQUEST_LIMIT_EXCEEDED (as Salesforce does past its concurrent request limit), and the
 * service is allowed 4. Every meeting is written once, none was refused on the way.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import { loadConfig } from '../../src/config.ts';
import { syncBatch } from '../../src/sync/sync-batch.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { sendWebhook, testEnv } from '../support/service.ts';
import { meetingStates, orgQuery, seedAcme, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(120_000);

let stack: Stack;
afterAll(async () => {
  await stack?.dispose();
});

const BACKLOG = Array.from({ length: 200 }, (_, i) => `m_p${i}`);

test('when a backlog drains, then its calls go out several at once within the per-org limit, each meeting written once', async () => {
  stack = await startStack({
    org: { autoApprove: true, knobs: { latencyMs: 30, concurrentRequestLimit: 4 } },
    // One batch at a time for the workspace (2 slots, one kept free), which may send 4 calls at once.
    service: { syncBatch, worker: { concurrency: 2, batchSize: 200, requestsPerOrg: 4 } },
  });
  await seedAcme(stack.org);
  // Queued while the workspace is not connected: the connect releases them as one backlog.
  for (const id of BACKLOG) await sendWebhook(stack.svc.url, processedEvent(meeting({ id })));
  await stack.connect();
  // From the connect on (its own org check sends calls at once too): the batch's look-ups and graphs.
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, stack.org.inFlight())), 2);
  try {
    await eventually('the backlog synced', () => meetingStates(stack.svc.url, BACKLOG), {
      until: (states) => states.every((s) => s === 'synced'),
      timeoutMs: 60_000,
      intervalMs: 100,
    });
  } finally {
    clearInterval(sampler);
  }
  const events = await orgQuery<{ Salescaling_Meeting_Id__c: string }>(
    stack.org,
    `SELECT Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c LIKE 'm_p%'`,
  );
  expect(events.map((e) => e.Salescaling_Meeting_Id__c).sort()).toEqual([...BACKLOG].sort());
  // Synced at the first attempt: no call of the drain was refused for the org's concurrent limit.
  for (const id of BACKLOG.slice(0, 20))
    expect(await stack.waitFor(id, (m) => m['state'] === 'synced')).toMatchObject({ attempts: 1 });
  // The backlog went in a few shared calls, not 2 per meeting.
  expect(stack.org.counters()['graph'] ?? 0).toBeLessThan(10);
  // More than one call was in flight at once (a batch's calls one after another would peak at 1).
  expect(peak).toBeGreaterThan(1);
  expect(peak).toBeLessThanOrEqual(4);
});

describe('SALESFORCE_CONCURRENT_REQUESTS', () => {
  it('when set, then it is the per-org cap; unset, 12; beyond 25 or nonsense is refused by name', () => {
    expect(loadConfig(testEnv()).worker.requestsPerOrg).toBe(12);
    expect(loadConfig(testEnv({ SALESFORCE_CONCURRENT_REQUESTS: '25' })).worker.requestsPerOrg).toBe(25);
    for (const bad of ['0', '26', 'abc', '2.5'])
      expect(() => loadConfig(testEnv({ SALESFORCE_CONCURRENT_REQUESTS: bad }))).toThrow(
        /SALESFORCE_CONCURRENT_REQUESTS/,
      );
  });
});
