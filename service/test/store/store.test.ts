import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenCipher } from '../../src/crypto/token-cipher.ts';
import { openDatabase, openStore } from '../../src/store/index.ts';
import { SqlStore } from '../../src/store/sql-store.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, testCipher } from '../support/engines.ts';
import { connection, incoming, meeting } from '../support/fixtures.ts';

jest.setTimeout(30_000);

describe.each(engines.map((e) => [e.name, e] as const))('store on %s', (_name, engine) => {
  let store: Store;
  let url: string;
  let schema: string | undefined;
  let dispose: () => Promise<void>;
  const now = Date.now();

  beforeEach(async () => {
    ({ store, url, schema, dispose } = await engine.open());
  });
  afterEach(async () => {
    await dispose();
  });

  const raw = async (sql: string) => {
    const db = openDatabase(url, schema ? { schema } : {});
    try {
      return await db.all<Record<string, unknown>>(sql);
    } finally {
      await db.close();
    }
  };

  it('when a connection is saved, then the database holds the tokens only sealed and reads them back', async () => {
    await store.connections.save(connection());
    const rows = await raw('SELECT * FROM workspace_connections');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain('access-token-plain');
    expect(dump).not.toContain('refresh-token-plain');
    const back = await store.connections.get('ws_1');
    expect(back?.accessToken).toBe('00D000000000001!access-token-plain');
    expect(back?.refreshToken).toBe('5Aep-refresh-token-plain');

    await store.connections.updateTokens('ws_1', {
      accessToken: 'new-access',
      refreshToken: 'rotated-refresh',
    });
    const after = await store.connections.get('ws_1');
    expect([after?.accessToken, after?.refreshToken]).toEqual(['new-access', 'rotated-refresh']);
    expect(testCipher.open(String(rows[0]?.['access_token_enc']))).toBe('00D000000000001!access-token-plain');
  });

  it('when the same event id arrives twice, then the second is a duplicate and changes nothing', async () => {
    await store.connections.save(connection());
    expect(await store.meetings.accept(incoming(meeting()), now)).toBe('accepted');
    const first = await store.meetings.get({ workspaceId: 'ws_1', meetingId: 'mtg_1' });
    expect(await store.meetings.accept(incoming(meeting({ title: 'changed' })), now + 1000)).toBe(
      'duplicate',
    );
    expect(await store.meetings.get({ workspaceId: 'ws_1', meetingId: 'mtg_1' })).toEqual(first);
    expect(await raw('SELECT event_id FROM events')).toHaveLength(1);
  });

  it('when an older or equal version arrives after a newer one, then the newer version stays', async () => {
    await store.connections.save(connection());
    await store.meetings.accept(incoming(meeting({ version: 3, title: 'v3' })), now);
    await store.meetings.accept(incoming(meeting({ version: 2, title: 'v2' })), now);
    await store.meetings.accept(incoming(meeting({ version: 3, title: 'v3 again' }), 'evt_other'), now);
    const [claimed] = await store.meetings.claim({ owner: 'w1', limit: 10, leaseMs: 60_000, now });
    expect(claimed?.version).toBe(3);
    // Of two events with the same version the first stored wins. The embedded engine's group commit
    // stores them in arrival order; PostgreSQL runs concurrent accepts in concurrent transactions, so
    // either of the two concurrent v3 events may be first there — but only a v3 one.
    const title = claimed?.input.kind === 'upsert' ? claimed.input.meeting.title : null;
    if (engine.name === 'sqlite') expect(title).toBe('v3');
    else expect(['v3', 'v3 again']).toContain(title);
  });

  it('when many events arrive at once, then each gets the answer and the store the rows of one-at-a-time accepts', async () => {
    await store.connections.save(connection());
    // Concurrent accepts share one commit on the embedded engine: ordering rules must hold inside it.
    const results = await Promise.all([
      store.meetings.accept(incoming(meeting({ version: 1, title: 'v1' })), now),
      store.meetings.accept(incoming(meeting({ version: 3, title: 'v3' })), now),
      store.meetings.accept(incoming(meeting({ version: 2, title: 'v2' })), now),
      store.meetings.accept(incoming(meeting({ version: 1, title: 'v1 replayed' })), now),
      store.meetings.accept(incoming(meeting({ version: 3, title: 'v3 again' }), 'evt_other'), now),
      store.meetings.accept(incoming(meeting({ id: 'mtg_2', title: 'other' }), 'evt_2', 'ws_unknown'), now),
    ]);
    if (engine.name === 'sqlite') {
      expect(results).toEqual(['accepted', 'accepted', 'accepted', 'duplicate', 'accepted', 'accepted']);
    } else {
      // Concurrent transactions: either copy of the same event id may be the one stored first.
      const [first, , , replay] = results;
      expect([first, replay].sort()).toEqual(['accepted', 'duplicate']);
      expect([results[1], results[2], results[4], results[5]]).toEqual([
        'accepted',
        'accepted',
        'accepted',
        'accepted',
      ]);
    }
    const events = await raw('SELECT event_id FROM events ORDER BY event_id');
    expect(events.map((r) => r['event_id'])).toEqual([
      'evt_2',
      'evt_mtg_1_1',
      'evt_mtg_1_2',
      'evt_mtg_1_3',
      'evt_other',
    ]);
    const [claimed] = await store.meetings.claim({ owner: 'w1', limit: 10, leaseMs: 60_000, now });
    expect(claimed?.version).toBe(3);
    // Of two events with the same version the first stored wins. The embedded engine's group commit
    // stores them in arrival order; PostgreSQL runs concurrent accepts in concurrent transactions, so
    // either of the two concurrent v3 events may be first there — but only a v3 one.
    const title = claimed?.input.kind === 'upsert' ? claimed.input.meeting.title : null;
    if (engine.name === 'sqlite') expect(title).toBe('v3');
    else expect(['v3', 'v3 again']).toContain(title);
    expect(await store.meetings.get({ workspaceId: 'ws_unknown', meetingId: 'mtg_2' })).toMatchObject({
      state: 'failed',
      reason: 'not_connected',
    });
  });

  it('when one of several concurrent accepts fails, then it alone is refused and leaves nothing behind', async () => {
    await store.connections.save(connection());
    const unstorable = incoming(meeting({ id: 'mtg_bad' }));
    // JSON.stringify throws on a BigInt: the accept fails after its event row was written.
    (unstorable.input as { meeting: Record<string, unknown> }).meeting['extra'] = 1n;
    const results = await Promise.allSettled([
      store.meetings.accept(incoming(meeting({ id: 'mtg_a' })), now),
      store.meetings.accept(unstorable, now),
      store.meetings.accept(incoming(meeting({ id: 'mtg_b' })), now),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const events = await raw('SELECT event_id FROM events ORDER BY event_id');
    expect(events.map((r) => r['event_id'])).toEqual(['evt_mtg_a_1', 'evt_mtg_b_1']);
    expect(await store.meetings.get({ workspaceId: 'ws_1', meetingId: 'mtg_bad' })).toBeNull();
    expect(await store.meetings.get({ workspaceId: 'ws_1', meetingId: 'mtg_b' })).toMatchObject({
      state: 'queued',
    });
  });

  it('when the workspace is not connected, then the meeting waits as failed/not_connected until it connects', async () => {
    await store.meetings.accept(incoming(meeting()), now);
    expect(await store.meetings.get({ workspaceId: 'ws_1', meetingId: 'mtg_1' })).toMatchObject({
      state: 'failed',
      reason: 'not_connected',
    });
    expect(await store.meetings.claim({ owner: 'w1', limit: 10, leaseMs: 60_000, now })).toHaveLength(0);
    await store.connections.save(connection());
    expect(await store.meetings.requeueWaiting('ws_1', now)).toBe(1);
    expect(await store.meetings.claim({ owner: 'w1', limit: 10, leaseMs: 60_000, now })).toHaveLength(1);
  });

  it('when two workers claim at once, then each meeting goes to exactly one of them', async () => {
    await store.connections.save(connection());
    for (let i = 0; i < 20; i++) await store.meetings.accept(incoming(meeting({ id: `m${i}` })), now);
    const [a, b] = await Promise.all([
      store.meetings.claim({ owner: 'a', limit: 15, leaseMs: 60_000, now }),
      store.meetings.claim({ owner: 'b', limit: 15, leaseMs: 60_000, now }),
    ]);
    const ids = [...(a ?? []), ...(b ?? [])].map((m) => m.meetingId);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });

  it('when a claim has a byte budget, then it takes meetings in order while their stored inputs fit', async () => {
    await store.connections.save(connection());
    // Sizes differ (a longer summary, multi-byte text); each meeting is due a millisecond after the last.
    const summaries = ['short', 'é'.repeat(3_000), 'x'.repeat(500), 'y'.repeat(9_000), 'z'];
    for (const [i, summary] of summaries.entries())
      await store.meetings.accept(incoming(meeting({ id: `b${i}`, summary })), now + i);
    const rows = await raw('SELECT meeting_id, input_json FROM meetings ORDER BY next_attempt_at');
    const size = Object.fromEntries(
      rows.map((r) => [String(r['meeting_id']), Buffer.byteLength(String(r['input_json']))]),
    );
    const claim = (maxInputBytes: number, limit = 10) =>
      store.meetings.claim({ owner: 'w', limit, leaseMs: 60_000, now: now + 100, maxInputBytes });

    // b0 and b1 fit; b2 would pass the budget, and nothing after it (b4 is small) is taken out of order.
    const first = await claim(size['b0']! + size['b1']! + size['b2']! - 1);
    expect(first.map((m) => m.meetingId)).toEqual(['b0', 'b1']);
    expect(first.map((m) => m.inputBytes)).toEqual([size['b0'], size['b1']]);
    // The next due (b2) alone is over what is left: nothing is claimed, it stays queued.
    expect(await claim(size['b2']! - 1)).toEqual([]);
    expect(await claim(0)).toEqual([]);
    // The count limit still holds within a generous budget.
    expect((await claim(1_000_000, 2)).map((m) => m.meetingId)).toEqual(['b2', 'b3']);
    expect((await claim(1_000_000)).map((m) => m.meetingId)).toEqual(['b4']);
    const states = await raw("SELECT meeting_id FROM meetings WHERE state = 'syncing'");
    expect(states).toHaveLength(5);
  });

  it('when two workers claim with byte budgets at once, then each meeting goes to exactly one of them', async () => {
    await store.connections.save(connection());
    for (let i = 0; i < 20; i++) await store.meetings.accept(incoming(meeting({ id: `m${i}` })), now);
    const [row] = await raw("SELECT input_json FROM meetings WHERE meeting_id = 'm0'");
    const each = Buffer.byteLength(String(row?.['input_json']));
    const claims = async () => {
      const ids: string[] = [];
      for (;;) {
        const got = await store.meetings.claim({
          owner: `w${Math.random()}`,
          limit: 20,
          leaseMs: 60_000,
          now,
          maxInputBytes: each * 3 + 10,
        });
        if (got.length === 0) return ids;
        expect(got.length).toBeLessThanOrEqual(3);
        ids.push(...got.map((m) => m.meetingId));
      }
    };
    const [a, b] = await Promise.all([claims(), claims()]);
    const ids = [...a, ...b];
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });

  it('when a lease expires (the worker died), then another worker claims the meeting again', async () => {
    await store.connections.save(connection());
    await store.meetings.accept(incoming(meeting()), now);
    expect(await store.meetings.claim({ owner: 'dead', limit: 10, leaseMs: 1_000, now })).toHaveLength(1);
    expect(
      await store.meetings.claim({ owner: 'alive', limit: 10, leaseMs: 1_000, now: now + 500 }),
    ).toHaveLength(0);
    expect(
      await store.meetings.claim({ owner: 'alive', limit: 10, leaseMs: 1_000, now: now + 1_500 }),
    ).toHaveLength(1);
    // the dead worker's late answer is fenced off
    const result = {
      state: 'synced',
      reason: null,
      written: { eventId: 'x', noteId: null, taskId: null },
      linked: [],
      dropped: [],
      apiCalls: 1,
    } as const;
    expect(
      await store.meetings.complete({
        owner: 'dead',
        key: { workspaceId: 'ws_1', meetingId: 'mtg_1' },
        claimedVersion: 1,
        result,
        now,
      }),
    ).toBe(false);
    expect(
      await store.meetings.complete({
        owner: 'alive',
        key: { workspaceId: 'ws_1', meetingId: 'mtg_1' },
        claimedVersion: 1,
        result,
        now,
      }),
    ).toBe(true);
    expect(await store.meetings.get({ workspaceId: 'ws_1', meetingId: 'mtg_1' })).toMatchObject({
      state: 'synced',
      written: result.written,
    });
  });

  it('when a newer version arrives during a sync, then completing the older one queues the newer with the written ids', async () => {
    await store.connections.save(connection());
    await store.meetings.accept(incoming(meeting()), now);
    const [claimed] = await store.meetings.claim({ owner: 'w', limit: 10, leaseMs: 60_000, now });
    await store.meetings.accept(incoming(meeting({ version: 2, title: 'v2' })), now);
    const written = { eventId: '00U000000000001AAA', noteId: null, taskId: null };
    await store.meetings.complete({
      owner: 'w',
      key: { workspaceId: 'ws_1', meetingId: 'mtg_1' },
      claimedVersion: claimed?.version ?? 0,
      result: {
        state: 'synced',
        reason: null,
        written,
        linked: [],
        dropped: [],
        apiCalls: 2,
      },
      now,
    });
    expect(await store.meetings.get({ workspaceId: 'ws_1', meetingId: 'mtg_1' })).toMatchObject({
      state: 'queued',
      version: 2,
      syncedVersion: 1,
    });
    const [again] = await store.meetings.claim({ owner: 'w', limit: 10, leaseMs: 60_000, now });
    expect(again).toMatchObject({ version: 2, previous: written });
  });

  it('when a retry is scheduled, then the meeting is not claimed before its time', async () => {
    await store.connections.save(connection());
    await store.meetings.accept(incoming(meeting()), now);
    await store.meetings.claim({ owner: 'w', limit: 10, leaseMs: 60_000, now });
    await store.meetings.retry({
      owner: 'w',
      key: { workspaceId: 'ws_1', meetingId: 'mtg_1' },
      error: 'UNABLE_TO_LOCK_ROW',
      nextAttemptAt: now + 5_000,
      now,
    });
    expect(await store.meetings.get({ workspaceId: 'ws_1', meetingId: 'mtg_1' })).toMatchObject({
      state: 'queued',
      attempts: 1,
      lastError: 'UNABLE_TO_LOCK_ROW',
    });
    expect(
      await store.meetings.claim({ owner: 'w', limit: 10, leaseMs: 60_000, now: now + 4_000 }),
    ).toHaveLength(0);
    expect(
      await store.meetings.claim({ owner: 'w', limit: 10, leaseMs: 60_000, now: now + 5_000 }),
    ).toHaveLength(1);
  });

  it('when an OAuth state is consumed, then it works once and never after expiry', async () => {
    const rec = {
      workspaceId: 'ws_1',
      codeVerifier: 'verifier-secret',
      returnUrl: 'https://app/x',
      loginUrl: 'https://login',
      expiresAt: now + 600_000,
    };
    await store.oauthStates.create('h1', rec);
    await store.oauthStates.create('h2', { ...rec, expiresAt: now - 1 });
    expect(JSON.stringify(await raw('SELECT * FROM oauth_states'))).not.toContain('verifier-secret');
    expect(await store.oauthStates.consume('h1', now)).toEqual(rec);
    expect(await store.oauthStates.consume('h1', now)).toBeNull();
    expect(await store.oauthStates.consume('h2', now)).toBeNull();
    // spent states still tell where the browser goes back, and why; unknown ones do not
    expect(await store.oauthStates.spent('h1', now)).toEqual({ returnUrl: 'https://app/x', why: 'used' });
    expect(await store.oauthStates.spent('h2', now)).toEqual({ returnUrl: 'https://app/x', why: 'expired' });
    expect(await store.oauthStates.spent('h3', now)).toBeNull();
  });

  it('when a delete arrives for the version synced, then the meeting is queued for deletion', async () => {
    await store.connections.save(connection());
    await store.meetings.accept(incoming(meeting()), now);
    await store.meetings.accept(
      {
        eventId: 'evt_del',
        workspaceId: 'ws_1',
        type: 'meeting.deleted',
        meetingId: 'mtg_1',
        version: 1,
        input: { kind: 'delete', meetingId: 'mtg_1', version: 1 },
      },
      now,
    );
    const [claimed] = await store.meetings.claim({ owner: 'w', limit: 10, leaseMs: 60_000, now });
    expect(claimed?.input.kind).toBe('delete');
  });
});

describe('token encryption key rotation', () => {
  it('when a new key is put first, then tokens sealed with the old key still open and are sealed again with the new one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salescaling-rotate-'));
    const url = `sqlite:${join(dir, 'db.sqlite')}`;
    const oldKey = Buffer.alloc(32, 1);
    const newKey = Buffer.alloc(32, 2);
    const before = await openStore(url, new TokenCipher([oldKey]));
    await before.connections.save(connection());
    await before.close();

    const after = await openStore(url, new TokenCipher([newKey, oldKey]));
    expect((await after.connections.get('ws_1'))?.refreshToken).toBe('5Aep-refresh-token-plain');
    await after.close();
    const onlyNew = await openStore(url, new TokenCipher([newKey]));
    expect((await onlyNew.connections.get('ws_1'))?.accessToken).toBe('00D000000000001!access-token-plain');
    await onlyNew.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a connection sealed with the old key is read, then the read writes nothing; the store seals it again when it opens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salescaling-reseal-'));
    const url = `sqlite:${join(dir, 'db.sqlite')}`;
    const oldKey = Buffer.alloc(32, 1);
    const rotated = new TokenCipher([Buffer.alloc(32, 2), oldKey]);
    const before = await openStore(url, new TokenCipher([oldKey]));
    await before.connections.save(connection());
    await before.close();
    const sealed = async () => {
      const db = openDatabase(url);
      try {
        return (
          await db.all<{ access_token_enc: string }>('SELECT access_token_enc FROM workspace_connections')
        )[0]?.access_token_enc;
      } finally {
        await db.close();
      }
    };
    const stale = await sealed();

    // A store on the database without opening it through openStore: nothing has been sealed again yet.
    const db = openDatabase(url);
    const store = new SqlStore(db, rotated);
    expect((await store.connections.get('ws_1'))?.accessToken).toBe('00D000000000001!access-token-plain');
    expect(await sealed()).toBe(stale);
    expect(await store.connections.resealStale()).toBe(1);
    const fresh = await sealed();
    expect(rotated.isStale(String(fresh))).toBe(false);
    expect(await store.connections.resealStale()).toBe(0);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
