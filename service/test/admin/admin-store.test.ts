/**
 * The admin page's tables on both engines (PostgreSQL when TEST_DATABASE_URL names a server): links
 * are spent once, sessions expire, the sync log pages failed-first, backfills and alert episodes
 * keep their rules inside the database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdminStore } from '../../src/store/admin-store.ts';
import { openStores } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';
import { connection, incoming, meeting } from '../support/fixtures.ts';
import { testCipher } from '../support/keys.ts';
import { createPgSchema } from '../support/pg-schema.ts';

const pgUrl = process.env['TEST_DATABASE_URL'];
const engines = ['sqlite', ...(pgUrl ? ['postgres'] : [])] as const;

async function open(engine: string): Promise<{ store: Store; admin: AdminStore; dispose(): Promise<void> }> {
  if (engine === 'postgres' && pgUrl) {
    const { schema, drop } = await createPgSchema(pgUrl);
    const { store, admin } = await openStores(pgUrl, testCipher, { schema });
    return {
      store,
      admin,
      async dispose() {
        await store.close();
        await drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'admin-store-'));
  const { store, admin } = await openStores(`sqlite:${join(dir, 'db.sqlite')}`, testCipher);
  return {
    store,
    admin,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.each(engines)('AdminStore on %s', (engine) => {
  let store: Store;
  let admin: AdminStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, admin, dispose } = await open(engine));
  });
  afterEach(() => dispose());

  test('when a link is consumed, then only once and only before it expires', async () => {
    await admin.createLink('h1', 'ws_1', 1_000);
    await admin.createLink('h2', 'ws_1', 1_000);
    expect(await Promise.all([admin.consumeLink('h1', 500), admin.consumeLink('h1', 500)])).toEqual(
      expect.arrayContaining(['ws_1', null]),
    );
    expect(await admin.consumeLink('h2', 1_000)).toBeNull();
    expect(await admin.consumeLink('unknown', 0)).toBeNull();
  });

  test('when a session expires or is deleted, then it is gone', async () => {
    await admin.createSession('s1', 'ws_1', 0, 1_000);
    expect(await admin.getSession('s1', 999)).toEqual({ workspaceId: 'ws_1', expiresAt: 1_000 });
    expect(await admin.getSession('s1', 1_000)).toBeNull();
    await admin.createSession('s2', 'ws_1', 0, 5_000);
    await admin.deleteSession('s2');
    expect(await admin.getSession('s2', 1)).toBeNull();
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
      const page = await admin.listMeetings('ws_1', { after, limit: 3 });
      seen.push(...page.items.map((m) => m.meetingId));
      if (!page.next) break;
      const { decodeCursor } = await import('../../src/store/admin-store.ts');
      after = decodeCursor(page.next);
    }
    expect(seen[0]).toBe('m3');
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen).not.toContain('other');
    expect(
      (await admin.listMeetings('ws_1', { state: 'failed', limit: 10 })).items.map((m) => m.meetingId),
    ).toEqual(['m3']);
    expect(await admin.countMeetingsByState('ws_1')).toMatchObject({ failed: 1, syncing: 6 });
  });

  test('when a backfill runs, then its items are fed once, and a cancelled one cannot be resumed', async () => {
    await admin.createBackfill('bf1', 'ws_1', 1);
    await admin.addBackfillItems(
      'bf1',
      [1, 2, 3].map((i) => ({ seq: i, meetingId: `b${i}`, version: 1, eventJson: '{}' })),
      2,
    );
    expect(await admin.setBackfillState('bf1', ['receiving'], 'running', 2)).toBe(true);
    expect((await admin.activeBackfills()).map((b) => b.backfillId)).toEqual(['bf1']);
    const first = await admin.nextBackfillItems('bf1', 2);
    expect(first.map((i) => i.seq)).toEqual([1, 2]);
    for (const it of first)
      await admin.markItemEnqueued('bf1', it.seq, it.seq === 2 ? 'duplicate' : 'accepted', 3);
    await admin.markItemEnqueued('bf1', 1, 'duplicate', 3); // a second runner fed it too: counted once
    expect((await admin.nextBackfillItems('bf1', 10)).map((i) => i.seq)).toEqual([3]);
    expect(await admin.getBackfill('ws_1', 'bf1')).toMatchObject({
      total: 3,
      invalid: 2,
      enqueued: 2,
      duplicates: 1,
      startedAt: 2,
    });
    expect(await admin.getBackfill('ws_2', 'bf1')).toBeNull();
    expect(await admin.setBackfillState('bf1', ['running', 'paused'], 'cancelled', 4)).toBe(true);
    expect(await admin.setBackfillState('bf1', ['paused'], 'running', 5)).toBe(false);
    expect(await admin.activeBackfills()).toEqual([]);
  });

  test('when an alert episode is open, then no second one of that kind opens until it closes', async () => {
    const open = (id: string, now: number) =>
      admin.createAlert({
        alertId: id,
        workspaceId: 'ws_1',
        kind: 'connection.broken',
        payload: { reason: 'x' },
        now,
      });
    expect(await open('a1', 10)).toBe(true);
    expect(await open('a2', 11)).toBe(false);
    expect((await admin.undeliveredAlerts(10, 10)).map((a) => a.alertId)).toEqual(['a1']);
    await admin.alertAttemptFailed('a1', 'HTTP 500', 1_000);
    expect(await admin.undeliveredAlerts(999, 10)).toEqual([]);
    await admin.alertDelivered('a1', 1_001);
    expect(await admin.undeliveredAlerts(5_000, 10)).toEqual([]);
    await admin.closeAlert('ws_1', 'connection.broken', 2_000);
    expect(await admin.openAlerts('ws_1')).toEqual([]);
    expect(await open('a3', 3_000)).toBe(true);
    expect((await admin.openAlerts('ws_1')).map((a) => [a.alertId, a.attempts])).toEqual([['a3', 0]]);
  });
});
