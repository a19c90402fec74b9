/**
 * The admin page's access rules over HTTP: single-use, expiring sign-in links; an HTTP-only,
 * same-site session cookie stored hashed; CSRF-checked forms; one workspace's session never reaches
 * another's data.
 */
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { API_TOKEN, api, sendWebhook, startTestService, type TestService } from '../support/service.ts';
import { pageClient, signIn } from './support.ts';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({}, { runWorker: false });
  for (const [ws, id, title] of [
    ['ws_a', 'mtg_a1', 'Alpha pilot review'],
    ['ws_b', 'mtg_b1', 'Bravo renewal call'],
  ] as const) {
    const res = await sendWebhook(svc.url, processedEvent(meeting({ id, title }), `evt_${id}`, ws));
    expect(res.status).toBe(202);
  }
});
afterAll(() => svc.dispose());

const dbRows = <T>(sql: string): T[] => {
  const db = new DatabaseSync(join(svc.dir, 'db.sqlite'));
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
};

describe('sign-in links', () => {
  test('when a link is followed, then a session cookie is set (HttpOnly, SameSite) and the page opens', async () => {
    const link = await api(svc.url, 'POST', '/v1/workspaces/ws_a/admin-links');
    expect(link.status).toBe(201);
    const url = String(link.body['url']);
    expect(Date.parse(String(link.body['expiresAt'])) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/settings/integrations');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=(Lax|Strict)/);
    expect(cookie).toMatch(/Path=\//);
    const page = await pageClient(svc.url, cookie.split(';')[0] ?? '').get('/settings/integrations');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Alpha pilot review');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    // the database holds neither the link's token nor the session's
    const token = new URL(url).searchParams.get('token') ?? '';
    const session = decodeURIComponent((cookie.split(';')[0] ?? '').split('=')[1] ?? '');
    const dump = JSON.stringify([
      dbRows('SELECT * FROM admin_links'),
      dbRows('SELECT * FROM admin_sessions'),
    ]);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(session);
    expect(dump).toContain(createHash('sha256').update(session).digest('hex'));
  });

  test('when a link is followed twice, then the second time is refused and sets no cookie', async () => {
    const link = await api(svc.url, 'POST', '/v1/workspaces/ws_a/admin-links');
    const first = await fetch(String(link.body['url']), { redirect: 'manual' });
    expect(first.status).toBe(303);
    const second = await fetch(String(link.body['url']), { redirect: 'manual' });
    expect(second.status).toBe(401);
    expect(second.headers.get('set-cookie')).toBeNull();
    expect(await second.text()).toMatch(/expired|used already/);
  });

  test('when a link has expired, then it is refused', async () => {
    const link = await api(svc.url, 'POST', '/v1/workspaces/ws_a/admin-links');
    const token = new URL(String(link.body['url'])).searchParams.get('token') ?? '';
    const db = new DatabaseSync(join(svc.dir, 'db.sqlite'));
    db.prepare('UPDATE admin_links SET expires_at = ? WHERE token_hash = ?').run(
      Date.now() - 1,
      createHash('sha256').update(token).digest('hex'),
    );
    db.close();
    const res = await fetch(String(link.body['url']), { redirect: 'manual' });
    expect(res.status).toBe(401);
  });

  test('when minting a link without the bearer token, then 401 and no link is stored', async () => {
    const before = dbRows<{ n: number }>('SELECT COUNT(*) AS n FROM admin_links')[0]?.n;
    const res = await api(svc.url, 'POST', '/v1/workspaces/ws_a/admin-links', undefined, 'wrong');
    expect(res.status).toBe(401);
    expect(dbRows<{ n: number }>('SELECT COUNT(*) AS n FROM admin_links')[0]?.n).toBe(before);
  });

  test('when the page is opened without a session, or with a made-up one, then 401', async () => {
    expect((await fetch(`${svc.url}/settings/integrations`)).status).toBe(401);
    expect(
      (await pageClient(svc.url, 'salescaling_admin=' + 'x'.repeat(43)).get('/settings/integrations')).status,
    ).toBe(401);
  });
});

describe('workspace isolation', () => {
  test("when ws_b's admin opens the page, then nothing of ws_a is on it, and ws_a's meeting cannot be resynced", async () => {
    const b = await signIn(svc.url, 'ws_b');
    const page = await b.get('/settings/integrations');
    expect(page.html).toContain('Bravo renewal call');
    expect(page.html).not.toContain('Alpha pilot review');
    expect(page.html).not.toContain('mtg_a1');
    // failing a1 first, so a resync would visibly change it
    const db = new DatabaseSync(join(svc.dir, 'db.sqlite'));
    db.prepare(`UPDATE meetings SET state = 'failed', attempts = 3 WHERE meeting_id = 'mtg_a1'`).run();
    db.close();
    const res = await b.post('/settings/integrations/meetings/mtg_a1/resync', { _csrf: await b.csrf() });
    expect(res.status).toBe(404);
    expect(
      dbRows<{ attempts: number }>(`SELECT attempts FROM meetings WHERE meeting_id = 'mtg_a1'`)[0]?.attempts,
    ).toBe(3);
    // a session can't read another workspace's backfill either
    const a = await signIn(svc.url, 'ws_a');
    const created = await a.get('/settings/integrations/backfills/bf_unknown');
    expect(created.status).toBe(404);
  });
});

describe('CSRF', () => {
  test('when a form is posted without the token, with a wrong one, or from another origin, then 403 and nothing changes', async () => {
    const a = await signIn(svc.url, 'ws_a');
    const db = new DatabaseSync(join(svc.dir, 'db.sqlite'));
    db.prepare(`UPDATE meetings SET state = 'failed', attempts = 3 WHERE meeting_id = 'mtg_a1'`).run();
    db.close();
    const path = '/settings/integrations/meetings/mtg_a1/resync';
    expect((await a.post(path, {})).status).toBe(403);
    expect((await a.post(path, { _csrf: 'forged' })).status).toBe(403);
    const b = await signIn(svc.url, 'ws_b');
    expect((await a.post(path, { _csrf: await b.csrf() })).status).toBe(403); // another session's token
    expect((await a.post(path, { _csrf: await a.csrf() }, { origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect(
      dbRows<{ attempts: number }>(`SELECT attempts FROM meetings WHERE meeting_id = 'mtg_a1'`)[0]?.attempts,
    ).toBe(3);

    const ok = await a.post(path, { _csrf: await a.csrf() });
    expect(ok.status).toBe(303);
    expect(ok.location).toContain('notice=resynced');
    // requeued: attempts start again (it waits as not_connected, since ws_a has no org)
    expect(
      dbRows<{ attempts: number }>(`SELECT attempts FROM meetings WHERE meeting_id = 'mtg_a1'`)[0]?.attempts,
    ).toBe(0);
  });

  test('when signed out, then the session no longer opens the page', async () => {
    const a = await signIn(svc.url, 'ws_a');
    expect((await a.post('/settings/integrations/sign-out', { _csrf: await a.csrf() })).status).toBe(200);
    expect((await a.get('/settings/integrations')).status).toBe(401);
  });
});

describe('GET /v1/workspaces/{id}/meetings', () => {
  test('when listed, then failed meetings come first, pages follow the cursor, and other workspaces are absent', async () => {
    for (let i = 1; i <= 4; i++)
      await sendWebhook(
        svc.url,
        processedEvent(meeting({ id: `mtg_list_${i}` }), `evt_list_${i}`, 'ws_list'),
      );
    const db = new DatabaseSync(join(svc.dir, 'db.sqlite'));
    // unconnected workspaces' meetings wait as failed (not_connected): make all synced but one
    db.prepare(`UPDATE meetings SET state = 'synced', reason = NULL WHERE workspace_id = 'ws_list'`).run();
    db.prepare(
      `UPDATE meetings SET state = 'failed', last_error = 'boom' WHERE meeting_id = 'mtg_list_3'`,
    ).run();
    db.close();
    const first = await api(svc.url, 'GET', '/v1/workspaces/ws_list/meetings?limit=2');
    expect(first.status).toBe(200);
    const ids1 = (first.body['meetings'] as { meetingId: string; state: string }[]).map((m) => m.meetingId);
    expect(ids1[0]).toBe('mtg_list_3');
    expect(ids1).toHaveLength(2);
    const cursor = String(first.body['nextCursor']);
    const second = await api(svc.url, 'GET', `/v1/workspaces/ws_list/meetings?limit=2&cursor=${cursor}`);
    const ids2 = (second.body['meetings'] as { meetingId: string }[]).map((m) => m.meetingId);
    expect(ids2).toHaveLength(2);
    expect(second.body['nextCursor']).toBeNull();
    expect(new Set([...ids1, ...ids2])).toEqual(
      new Set(['mtg_list_1', 'mtg_list_2', 'mtg_list_3', 'mtg_list_4']),
    );

    const failed = await api(svc.url, 'GET', '/v1/workspaces/ws_list/meetings?state=failed');
    expect((failed.body['meetings'] as { meetingId: string }[]).map((m) => m.meetingId)).toEqual([
      'mtg_list_3',
    ]);
    expect((await api(svc.url, 'GET', '/v1/workspaces/ws_list/meetings?state=nope')).status).toBe(422);
    expect((await api(svc.url, 'GET', '/v1/workspaces/ws_list/meetings?cursor=garbage')).status).toBe(422);
    expect((await api(svc.url, 'GET', '/v1/workspaces/ws_list/meetings', undefined, 'wrong')).status).toBe(
      401,
    );
  });

  test('when the OpenAPI document is read, then it lists the admin API', async () => {
    const doc = await api(svc.url, 'GET', '/openapi.json', undefined, API_TOKEN);
    const paths = Object.keys(doc.body['paths'] as object);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/workspaces/{workspaceId}/admin-links',
        '/v1/workspaces/{workspaceId}/meetings',
        '/v1/workspaces/{workspaceId}/backfills',
        '/v1/workspaces/{workspaceId}/backfills/{backfillId}',
      ]),
    );
  });
});
