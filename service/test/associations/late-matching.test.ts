/**
 * Late matches against the local org, through the service: a meeting skipped because nobody matched
 * is written once a Contact with the participant's email appears, by the late-matching pass, in one
 * look-up call for all waiting meetings; outside the window nothing is asked.
 */
import { lateMatchCandidates, meetingsToRequeue } from '../../src/associations/late-matching.ts';
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
const recent = (id: string, email: string, endedAt: string) =>
  meeting({
    id,
    startedAt: new Date(Date.parse(endedAt) - 1_800_000).toISOString(),
    endedAt,
    participants: [{ email, internal: false }],
  });

describe('late matches', () => {
  it('when a Contact appears after the meeting was skipped, then the pass writes it; one call for all; old meetings are left alone', async () => {
    const now = Date.now();
    const yesterday = new Date(now - 86_400_000).toISOString();
    const lastMonth = new Date(now - 20 * 86_400_000).toISOString();
    const meetings = [
      recent('late_1', 'late.one@later.example', yesterday),
      recent('late_2', 'late.two@later.example', yesterday),
      recent('late_3', 'nobody@later.example', yesterday),
      recent('late_old', 'late.old@later.example', lastMonth),
    ];
    for (const m of meetings) expect((await sendWebhook(stack.svc.url, processedEvent(m))).status).toBe(202);
    for (const m of meetings) expect(await stack.waitFor(m.id, settled)).toMatchObject({ state: 'skipped' });

    const [acme] = stack.org.seed('Account', [{ Name: 'Later Co' }]) as [string];
    const [one, two] = stack.org.seed('Contact', [
      { LastName: 'One', Email: 'late.one@later.example', AccountId: acme },
      { LastName: 'Two', Email: 'Late.Two@later.example', AccountId: acme },
      { LastName: 'Old', Email: 'late.old@later.example', AccountId: acme },
    ]) as [string, string];

    const before = stack.org.counters()['total'] ?? 0;
    const report = await stack.svc.lateMatches.runOnce();
    expect(report).toMatchObject({ workspaces: 1, meetingsChecked: 3, requeued: 2, apiCalls: 1 });
    expect((stack.org.counters()['total'] ?? 0) - before).toBe(1);

    expect(await stack.waitFor('late_1', (m) => m['state'] === 'synced')).toMatchObject({ state: 'synced' });
    expect(await stack.waitFor('late_2', (m) => m['state'] === 'synced')).toMatchObject({ state: 'synced' });
    const events = await orgQuery<{ WhoId: string; Salescaling_Meeting_Id__c: string }>(
      stack.org,
      "SELECT WhoId, Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c IN ('late_1', 'late_2', 'late_3', 'late_old') ORDER BY Salescaling_Meeting_Id__c",
    );
    expect(events.map((e) => [e.Salescaling_Meeting_Id__c, e.WhoId])).toEqual([
      ['late_1', one],
      ['late_2', two],
    ]);
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/meetings/late_old')).body['state']).toBe(
      'skipped',
    );
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/meetings/late_3')).body['state']).toBe(
      'skipped',
    );

    // A second pass finds nothing new to queue.
    const again = await stack.svc.lateMatches.runOnce();
    expect(again.requeued).toBe(0);
  });

  it('when the window is 0, then no meeting is looked at again and no call is spent', async () => {
    const current = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce/settings');
    expect(
      (
        await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_1/salesforce/settings', {
          version: current.body['version'],
          settings: { lateMatching: { windowDays: 0 } },
        })
      ).status,
    ).toBe(200);
    const before = stack.org.counters()['total'] ?? 0;
    expect(await stack.svc.lateMatches.runOnce()).toMatchObject({ meetingsChecked: 0, apiCalls: 0 });
    expect((stack.org.counters()['total'] ?? 0) - before).toBe(0);
  });
});

describe('late-match selection (pure)', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  const m = (id: string, endedAt: string) => meeting({ id, startedAt: endedAt, endedAt });
  it('when meetings are older than the window or dropped nobody as not found, then they are not candidates', () => {
    const candidates = lateMatchCandidates(
      [
        {
          meetingId: 'a',
          meeting: m('a', '2026-11-25T10:00:00Z'),
          dropped: [{ email: 'X@a.example', reason: 'not_found' }],
        },
        {
          meetingId: 'b',
          meeting: m('b', '2026-11-10T10:00:00Z'),
          dropped: [{ email: 'y@b.example', reason: 'not_found' }],
        },
        {
          meetingId: 'c',
          meeting: m('c', '2026-11-26T10:00:00Z'),
          dropped: [{ email: 'z@c.example', reason: 'excluded' }],
        },
        { meetingId: 'd', meeting: null, dropped: [{ email: 'w@d.example', reason: 'not_found' }] },
      ],
      7,
      now,
    );
    expect(candidates).toEqual([{ meetingId: 'a', emails: ['x@a.example'] }]);
    expect(meetingsToRequeue(candidates, new Set(['x@a.example']))).toEqual(['a']);
    expect(meetingsToRequeue(candidates, new Set(['q@a.example']))).toEqual([]);
  });
});
