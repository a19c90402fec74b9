/**
 * The admin page's tables on both engines (PostgreSQL when TEST_DATABASE_URL names a server): links
 * are spent once, sessions expire, the sync log pages failed-first, backfills and alert episodes
 * keep their rules inside the database.
 */
import { decodeCursor } from '../../src/store/meeting-log.ts';
import type { Store } from '../../src/store/types.ts';
import { engines } from '../support/engines.ts';
import { connection, incoming, meeting } from '../support/fixtures.ts';

describe.each(engines.map((e) => [e.name, e] as const))("the admin page's tables on %s", (_name, engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await engine.open());
  });
  afterEach(() => dispose());

  test('when a link is consumed, then only once and only before it expires', async () => {
    await store.adminSessions.createLink({ tokenHash: 'h1', workspaceId: 'ws_1', expiresAt: 1_000 });
    await store.adminSessions.createLink({ tokenHash: 'h2', workspaceId: 'ws_1', expiresAt: 1_000 });
    expect(
      await Promise.all([
        store.adminSessions.consumeLink('h1', 500),
        store.adminSessions.consumeLink('h1', 500),
      ]),
    ).toEqual(expect.arrayContaining(['ws_1', null]));
    expect(await store.adminSessions.consumeLink('h2', 1_000)).toBeNull();
    expect(await store.adminSessions.consumeLink('unknown', 0)).toBeNull();
  });

  test('when a session expires or is deleted, then it is gone', async () => {
    await store.adminSessions.createSession({
      sessionHash: 's1',
      workspaceId: 'ws_1',
      now: 0,
      expiresAt: 1_000,
    });
    expect(await store.adminSessions.getSession('s1', 999)).toEqual({
      workspaceId: 'ws_1',
      expiresAt: 1_000,
    });
    expect(await store.adminSessions.getSession('s1', 1_000)).toBeNull();
    await store.adminSessions.createSession({
      sessionHash: 's2',
      workspaceId: 'ws_1',
      now: 0,
      expiresAt: 5_000,
    });
    await store.adminSessions.deleteSession('s2');
    expect(await store.adminSessions.getSession('s2', 1)).toBeNull();
  });

  test('when meetings are listed, then failed come first, newest next, and the cursor walks every one once', async () => {
    await store.connections.save(connection('ws_1')); // else the meetings wait as failed (not_connected)
    for (let i = 1; i <= 7; i++) await store.meetings.accept(incoming(meeting({ id: `m${i}` })), 1_000 + i);
    await store.meetings.accept(incoming(meeting({ id: 'other' }), 'evt_other', 'ws_2'), 1_000);
    const claimed = await store.meetings.claim({ owner: 'o', limit: 10, leaseMs: 60_000, now: 2_000 });
    const m3 = claimed.find((c) => c.meetingId === 'm3');
    if (m3)
      await store.meetings.fail({
        owner: 'o',
        key: m3,
        reason: 'salesforce_record_error',
        error: 'bad',
        now: 3_000,
      });
    const seen: string[] = [];
    let after: [number, number, string] | null = null;
    for (;;) {
      const page = await store.meetingLog.list('ws_1', { after, limit: 3 });
      seen.push(...page.items.map((m) => m.meetingId));
      if (!page.next) break;
      after = decodeCursor(page.next);
    }
    expect(seen[0]).toBe('m3');
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen).not.toContain('other');
    expect(
      (await store.meetingLog.list('ws_1', { state: 'failed', limit: 10 })).items.map((m) => m.meetingId),
    ).toEqual(['m3']);
    expect(await store.meetingLog.countByState('ws_1')).toMatchObject({ failed: 1, syncing: 6 });
  });

  test('when a backfill runs, then its items are fed once, and a cancelled one cannot be resumed', async () => {
    await store.backfills.create({ backfillId: 'bf1', workspaceId: 'ws_1', now: 1 });
    await store.backfills.addItems('bf1', {
      items: [1, 2, 3].map((i) => ({ seq: i, meetingId: `b${i}`, version: 1, eventJson: '{}' })),
      invalid: 2,
    });
    expect(await store.backfills.setState('bf1', { from: ['receiving'], to: 'running', now: 2 })).toBe(true);
    expect((await store.backfills.active()).map((b) => b.backfillId)).toEqual(['bf1']);
    const first = await store.backfills.nextItems('bf1', 2);
    expect(first.map((i) => i.seq)).toEqual([1, 2]);
    for (const it of first)
      await store.backfills.markItemEnqueued('bf1', {
        seq: it.seq,
        outcome: it.seq === 2 ? 'duplicate' : 'accepted',
        now: 3,
      });
    await store.backfills.markItemEnqueued('bf1', { seq: 1, outcome: 'duplicate', now: 3 }); // a second runner fed it too: counted once
    expect((await store.backfills.nextItems('bf1', 10)).map((i) => i.seq)).toEqual([3]);
    expect(await store.backfills.get({ workspaceId: 'ws_1', backfillId: 'bf1' })).toMatchObject({
      total: 3,
      invalid: 2,
      enqueued: 2,
      duplicates: 1,
      startedAt: 2,
    });
    expect(await store.backfills.get({ workspaceId: 'ws_2', backfillId: 'bf1' })).toBeNull();
    expect(
      await store.backfills.setState('bf1', { from: ['running', 'paused'], to: 'cancelled', now: 4 }),
    ).toBe(true);
    expect(await store.backfills.setState('bf1', { from: ['paused'], to: 'running', now: 5 })).toBe(false);
    expect(await store.backfills.active()).toEqual([]);
  });

  test('when an alert episode is open, then no second one of that kind opens until it closes', async () => {
    const open = (id: string, now: number) =>
      store.alerts.create({
        alertId: id,
        workspaceId: 'ws_1',
        kind: 'connection.broken',
        payload: { reason: 'x' },
        now,
      });
    expect(await open('a1', 10)).toBe(true);
    expect(await open('a2', 11)).toBe(false);
    expect((await store.alerts.undelivered({ now: 10, limit: 10 })).map((a) => a.alertId)).toEqual(['a1']);
    await store.alerts.attemptFailed('a1', { error: 'HTTP 500', nextAttemptAt: 1_000 });
    expect(await store.alerts.undelivered({ now: 999, limit: 10 })).toEqual([]);
    await store.alerts.delivered('a1', 1_001);
    expect(await store.alerts.undelivered({ now: 5_000, limit: 10 })).toEqual([]);
    await store.alerts.close({ workspaceId: 'ws_1', kind: 'connection.broken', now: 2_000 });
    expect(await store.alerts.listOpen('ws_1')).toEqual([]);
    expect(await open('a3', 3_000)).toBe(true);
    expect((await store.alerts.listOpen('ws_1')).map((a) => [a.alertId, a.attempts])).toEqual([['a3', 0]]);
  });
});
