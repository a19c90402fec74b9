/**
 * Backfills against the local org: a dry run writes nothing and says what would be written; a real
 * run feeds the same durable inbox as the webhook, so a meeting sent both ways is written once; a
 * backfill's state survives a restart; pause and cancel stop the feeding.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import { join } from 'node:path';
import type { MeetingEvent } from '../../src/meetings/schema.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { api, API_TOKEN, sendWebhook, startTestService } from '../support/service.ts';
import { orgQuery, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(90_000);

const ndjson = (events: readonly MeetingEvent[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

async function postBackfill(
  baseUrl: string,
  body: string,
  options: { dryRun?: boolean; type?: string; workspaceId?: string } = {},
) {
  const res = await fetch(
    `${baseUrl}/v1/workspaces/${options.workspaceId ?? 'ws_1'}/backfills${options.dryRun ? '?dryRun=true' : ''}`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${API_TOKEN}`,
        'content-type': options.type ?? 'application/x-ndjson',
      },
      body,
    },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function waitForBackfill(baseUrl: string, id: string, state: string, timeoutMs = 30_000) {
  return eventually(
    `backfill ${id} ${state}`,
    async () => (await api(baseUrl, 'GET', `/v1/workspaces/ws_1/backfills/${id}`)).body,
    { until: (b) => b['state'] === state, timeoutMs, intervalMs: 100 },
  );
}

const buyer = { email: 'buyer@example.org', name: 'Bea Buyer', internal: false };
const stranger = { email: 'nobody@unknown.example', name: 'No Body', internal: false };
const events = (prefix: string, n: number, participants = [buyer]) =>
  Array.from({ length: n }, (_, i) => processedEvent(meeting({ id: `${prefix}_${i + 1}`, participants })));

describe('backfills against the local org', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const [acme] = stack.org.seed('Account', [{ Name: 'Acme' }]);
    stack.org.seed('Contact', [{ LastName: 'Buyer', Email: 'buyer@example.org', AccountId: acme }]);
    await stack.connect();
  });
  afterAll(() => stack.dispose());

  test('when a dry run is posted, then it names what would be written and linked, and nothing is written', async () => {
    const body = ndjson([...events('dry', 2), ...events('dry_nomatch', 1, [stranger])]) + '{not json}\n';
    const res = await postBackfill(stack.svc.url, body, { dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, total: 4, invalid: 1 });
    expect(res.body['counts']).toMatchObject({ create: 2, skip_no_crm_match: 1 });
    const first = (
      res.body['meetings'] as { meetingId: string; records: string[]; linked: { type: string }[] }[]
    )[0];
    expect(first?.records).toEqual(['Event', 'Task', 'ContentNote']);
    expect(first?.linked.map((l) => l.type)).toEqual(expect.arrayContaining(['Contact', 'Account']));
    expect(
      await orgQuery(stack.org, `SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c LIKE 'dry%'`),
    ).toEqual([]);
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/meetings/dry_1')).status).toBe(404);
  });

  test('when a dry run is large, then at most 200 meetings are checked against the org', async () => {
    stack.org.resetCounters();
    const res = await postBackfill(stack.svc.url, ndjson(events('dry_big', 203)), { dryRun: true });
    expect(res.body['counts']).toMatchObject({ create: 200, not_checked: 3 });
    expect(res.body['apiCalls']).toBe(200);
    expect(stack.org.counters()['total']).toBe(200);
  });

  test('when a backfill also carries meetings the webhook delivered, then each meeting is written once', async () => {
    const all = events('bf', 6);
    // two of them arrive by webhook first (same event ids as in the export)
    for (const e of all.slice(0, 2)) expect((await sendWebhook(stack.svc.url, e)).status).toBe(202);
    const res = await postBackfill(stack.svc.url, JSON.stringify(all), { type: 'application/json' });
    expect(res.status).toBe(202);
    const id = String((res.body['backfill'] as { backfillId: string }).backfillId);
    const done = await waitForBackfill(stack.svc.url, id, 'done');
    expect(done).toMatchObject({ total: 6, enqueued: 6, duplicates: 2, synced: 6, pending: 0, percent: 100 });
    expect(Number(done['apiCalls'])).toBeGreaterThan(0);
    // the webhook delivers one of them again, later: still one Event
    expect((await sendWebhook(stack.svc.url, all[0])).status).toBe(200);
    const rows = await orgQuery<{ Salescaling_Meeting_Id__c: string }>(
      stack.org,
      `SELECT Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c LIKE 'bf_%'`,
    );
    expect(rows.map((r) => r.Salescaling_Meeting_Id__c).sort()).toEqual(
      all.map((e) => e.data.meeting.id).sort(),
    );
  });

  test('when a body is not NDJSON or an array, or of another type, then it is refused', async () => {
    const before = (await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/meetings?limit=200')).body;
    const cut = `[${JSON.stringify(events('cut', 1)[0])},`;
    expect((await postBackfill(stack.svc.url, cut, { type: 'application/json' })).status).toBe(400);
    // nothing of it was kept or queued
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/meetings?limit=200')).body).toEqual(before);
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/meetings/cut_1')).status).toBe(404);
    expect((await postBackfill(stack.svc.url, 'x', { type: 'text/plain' })).status).toBe(415);
    const other = await postBackfill(stack.svc.url, ndjson(events('other_ws', 1)), { workspaceId: 'ws_2' });
    expect(other.status).toBe(202);
    expect(other.body['backfill']).toMatchObject({ total: 0, invalid: 1 });
  });
});

describe('a backfill across a restart, paused and cancelled', () => {
  test('when the service restarts mid-backfill, then it carries on; pause and cancel stop the feeding', async () => {
    const first = await startTestService({}, { runWorker: false });
    const env = { DATABASE_URL: `sqlite:${join(first.dir, 'db.sqlite')}` };
    let second: Awaited<ReturnType<typeof startTestService>> | null = null;
    try {
      const a = await postBackfill(first.url, ndjson(events('rs', 5)));
      const b = await postBackfill(first.url, ndjson(events('rsb', 3)));
      const aId = String((a.body['backfill'] as { backfillId: string }).backfillId);
      const bId = String((b.body['backfill'] as { backfillId: string }).backfillId);
      // no runner in this process: nothing fed yet
      expect((await api(first.url, 'GET', `/v1/workspaces/ws_1/backfills/${aId}`)).body['enqueued']).toBe(0);
      expect((await api(first.url, 'POST', `/v1/workspaces/ws_1/backfills/${bId}/pause`)).body['state']).toBe(
        'paused',
      );
      expect(
        (await api(first.url, 'POST', `/v1/workspaces/ws_1/backfills/${bId}/cancel`)).body['state'],
      ).toBe('cancelled');
      expect((await api(first.url, 'POST', `/v1/workspaces/ws_1/backfills/${bId}/resume`)).status).toBe(409);
      await first.stop();

      second = await startTestService(env); // same database, with the worker and the backfill runner
      const done = await waitForBackfill(second.url, aId, 'done');
      // not connected: the meetings wait as failed (not_connected), but every one was fed in
      expect(done).toMatchObject({ total: 5, enqueued: 5, pending: 0 });
      const cancelled = (await api(second.url, 'GET', `/v1/workspaces/ws_1/backfills/${bId}`)).body;
      expect(cancelled).toMatchObject({ state: 'cancelled', enqueued: 0 });
      expect((await api(second.url, 'GET', '/v1/workspaces/ws_1/meetings/rsb_1')).status).toBe(404);
    } finally {
      await second?.dispose();
      await first.dispose();
    }
  });
});
