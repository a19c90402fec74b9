/**
 * Late matches for every rule, against the local org through the service: an open Opportunity created
 * on the meeting's Account after it was written, an Account whose Website comes to name a skipped
 * meeting's domain, and an admin's domain mapping saved later each get the meeting linked by the
 * late-matching pass — one composite call per pass — without anyone resending it; what the org holds
 * afterwards is what is checked. A second pass, with nothing new, queues nothing.
 */
import type { Meeting } from '../../src/meetings/schema.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook } from '../support/service.ts';
import { orgQuery, startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ org: { autoApprove: true } });
  expect((await stack.connect()).outcome).toBe('connected');
});
afterAll(async () => {
  await stack?.dispose();
});

const settled = (m: Record<string, unknown>) => m['state'] !== 'queued' && m['state'] !== 'syncing';
const yesterday = () => new Date(Date.now() - 86_400_000);

function recent(id: string, emails: string[]): Meeting {
  const end = yesterday();
  return meeting({
    id,
    startedAt: new Date(end.getTime() - 1_800_000).toISOString(),
    endedAt: end.toISOString(),
    recordingUrl: `https://app.salescaling.com/recordings/${id}`,
    participants: emails.map((email) => ({ email, internal: false })),
  });
}

async function send(m: Meeting): Promise<Record<string, unknown>> {
  expect((await sendWebhook(stack.svc.url, processedEvent(m))).status).toBe(202);
  return stack.waitFor(m.id, settled);
}

async function whatIdOf(meetingId: string): Promise<string | null | undefined> {
  const rows = await orgQuery<{ WhatId: string | null }>(
    stack.org,
    `SELECT WhatId FROM Event WHERE Salescaling_Meeting_Id__c = '${meetingId}'`,
  );
  return rows.length === 0 ? undefined : rows[0]!.WhatId;
}

/** Polls the org until the meeting's Event has `what` in WhatId (a positive, with a deadline). */
async function untilWhatId(meetingId: string, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: string | null | undefined;
  while (Date.now() < until) {
    last = await whatIdOf(meetingId);
    if (last === what) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Event of ${meetingId} has WhatId ${String(last)}, not ${what}`);
}

/** Waits until the worker has taken up every queued meeting again. */
async function drained(ids: string[]): Promise<void> {
  for (const id of ids) await stack.waitFor(id, settled);
}

async function callsDuring<T>(run: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const before = stack.org.counters()['total'] ?? 0;
  const result = await run();
  return { result, calls: (stack.org.counters()['total'] ?? 0) - before };
}

describe('late matches for every rule', () => {
  it('when an open Opportunity is created on the meeting’s Account afterwards, then the pass links it; a second pass queues nothing', async () => {
    const [acc] = stack.org.seed('Account', [{ Name: 'Later Deal Co' }]) as [string];
    stack.org.seed('Contact', [{ LastName: 'Dee', Email: 'dee@laterdeal.example', AccountId: acc }]);
    const m = recent('late_opp', ['dee@laterdeal.example']);
    expect(await send(m)).toMatchObject({ state: 'synced' });
    expect(await whatIdOf(m.id)).toBe(acc);

    const day = m.startedAt.slice(0, 10);
    const [opp] = stack.org.seed('Opportunity', [
      { Name: 'Appeared later', AccountId: acc, CloseDate: day, StageName: 'Prospecting' },
    ]) as [string];
    // A closed one of the same Account never qualifies.
    stack.org.seed('Opportunity', [
      { Name: 'Old win', AccountId: acc, CloseDate: day, StageName: 'Closed Won' },
    ]);

    const { result: report, calls } = await callsDuring(() => stack.svc.lateMatches.runOnce());
    expect(report.requeued).toBeGreaterThanOrEqual(1);
    expect(report.apiCalls).toBe(1);
    expect(calls).toBe(1);
    await untilWhatId(m.id, opp);
    await drained([m.id]);

    const status = await api(stack.svc.url, 'GET', `/v1/workspaces/ws_1/meetings/${m.id}`);
    expect(status.body['linked']).toContainEqual({
      recordId: opp,
      type: 'Opportunity',
      why: 'nearest_close_date',
    });
    const events = await orgQuery(
      stack.org,
      `SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = '${m.id}'`,
    );
    expect(events).toHaveLength(1);

    const again = await stack.svc.lateMatches.runOnce();
    expect(again.requeued).toBe(0);
  });

  it('when an Opportunity appears whose close date is outside the rule’s window, then the meeting is not queued', async () => {
    const [acc] = stack.org.seed('Account', [{ Name: 'Far Deal Co' }]) as [string];
    stack.org.seed('Contact', [{ LastName: 'Fay', Email: 'fay@fardeal.example', AccountId: acc }]);
    const m = recent('late_opp_far', ['fay@fardeal.example']);
    expect(await send(m)).toMatchObject({ state: 'synced' });
    stack.org.seed('Opportunity', [
      { Name: 'Next decade', AccountId: acc, CloseDate: '2036-01-01', StageName: 'Prospecting' },
    ]);
    await stack.svc.lateMatches.runOnce();
    expect((await api(stack.svc.url, 'GET', `/v1/workspaces/ws_1/meetings/${m.id}`)).body['state']).toBe(
      'synced',
    );
    expect(await whatIdOf(m.id)).toBe(acc);
  });

  it('when an Account’s Website comes to name a skipped meeting’s domain, then the pass writes the meeting linked to it', async () => {
    const m = recent('late_domain', ['ops@initrode.example']);
    expect(await send(m)).toMatchObject({ state: 'skipped' });
    const [acc] = stack.org.seed('Account', [
      { Name: 'Initrode', Website: 'https://www.initrode.example' },
    ]) as [string];

    const report = await stack.svc.lateMatches.runOnce();
    expect(report.requeued).toBeGreaterThanOrEqual(1);
    await untilWhatId(m.id, acc);
    await drained([m.id]);
    expect(await stack.svc.lateMatches.runOnce()).toMatchObject({ requeued: 0 });
  });

  it('when an admin maps the domain to an Account afterwards, then the pass writes the meeting linked to that Account', async () => {
    const m = recent('late_mapping', ['cfo@mapped-later.example']);
    expect(await send(m)).toMatchObject({ state: 'skipped' });
    const [acc] = stack.org.seed('Account', [{ Name: 'Mapped Later' }]) as [string];

    const current = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce/settings');
    const put = await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_1/salesforce/settings', {
      version: current.body['version'],
      settings: { domainMatching: { domainAccounts: [{ domain: 'mapped-later.example', accountId: acc }] } },
    });
    expect(put.status).toBe(200);

    await stack.svc.lateMatches.runOnce();
    await untilWhatId(m.id, acc);
    await drained([m.id]);
  });
});
