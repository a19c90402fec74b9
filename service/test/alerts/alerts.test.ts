/**
 * Alerts: one signed outbound webhook per episode (connection.broken, sync.failing), delivered from
 * the database and retried after a refusal; the admin page shows the open alert.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertService } from '../../src/alerts/alert-service.ts';
import { TokenCipher } from '../../src/crypto/token-cipher.ts';
import { verifySignature } from '../../src/http/webhook-signature.ts';
import { silentLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';
import { connection, incoming, meeting } from '../support/fixtures.ts';
import { testKey } from '../support/keys.ts';
import { startTestService, WEBHOOK_SECRET } from '../support/service.ts';
import { signIn } from '../admin/support.ts';

interface Received {
  raw: string;
  signature: string | undefined;
}

async function receiver(statuses: number[]): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      got.push({ raw, signature: req.headers['salescaling-signature'] as string | undefined });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, got };
}

describe('alert episodes', () => {
  let dir: string;
  let store: Store;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let alerts: AlertService;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alerts-'));
    store = await openStore(`sqlite:${join(dir, 'db.sqlite')}`, new TokenCipher([testKey]));
    rx = await receiver([500]); // the first delivery is refused
    alerts = new AlertService({
      store,
      logger: silentLogger,
      url: rx.url,
      secret: WEBHOOK_SECRET,
      threshold: 3,
    });
  });
  afterEach(async () => {
    await store.close();
    await new Promise((r) => rx.server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  test('when a connection breaks, then one signed connection.broken is delivered (after a retry), once per episode', async () => {
    await store.connections.save(connection('ws_1'));
    await store.connections.markBroken('ws_1', 'refresh_failed:invalid_grant');
    const t0 = Date.now();
    await alerts.check(t0);
    await alerts.check(t0 + 1); // still broken: the same episode
    expect(await alerts.deliver(t0 + 2)).toBe(0); // refused with 500
    expect(await alerts.deliver(t0 + 3)).toBe(0); // not due yet (backoff)
    expect(await alerts.deliver(t0 + 60_000)).toBe(1);
    expect(rx.got).toHaveLength(2);
    const [first, second] = rx.got;
    expect(first?.raw).toBe(second?.raw); // the same alert, retried
    const body = JSON.parse(second?.raw ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'connection.broken',
      workspaceId: 'ws_1',
      data: { reason: 'refresh_failed:invalid_grant' },
    });
    expect(verifySignature(second?.signature, Buffer.from(second?.raw ?? ''), [WEBHOOK_SECRET])).toEqual({
      ok: true,
    });
    await alerts.check(t0 + 70_000);
    expect(await alerts.deliver(t0 + 80_000)).toBe(0);
    expect(rx.got).toHaveLength(2);

    // reconnected, then broken again: a new episode, a new alert
    await store.connections.save(connection('ws_1'));
    await alerts.check(t0 + 90_000);
    expect(await store.alerts.listOpen('ws_1')).toEqual([]);
    await store.connections.markBroken('ws_1', 'refresh_failed:inactive_user');
    await alerts.check(t0 + 100_000);
    expect(await alerts.deliver(t0 + 100_001)).toBe(1);
    const third = JSON.parse(rx.got[2]?.raw ?? '{}') as Record<string, unknown>;
    expect(third['id']).not.toBe(body['id']);
    expect(third).toMatchObject({
      type: 'connection.broken',
      data: { reason: 'refresh_failed:inactive_user' },
    });
  });

  test('when failures pass the threshold, then one sync.failing alert; meetings waiting for a connection do not count', async () => {
    await store.connections.save(connection('ws_1'));
    const now = Date.now();
    for (let i = 1; i <= 5; i++) {
      await store.meetings.accept(incoming(meeting({ id: `m${i}` })), now);
    }
    const claimed = await store.meetings.claim({ owner: 'test', limit: 10, leaseMs: 60_000, now });
    for (const c of claimed.slice(0, 2))
      await store.meetings.fail({
        owner: 'test',
        key: c,
        reason: 'salesforce_record_error',
        error: 'bad',
        now,
      });
    // two waiting for a connection: 4 failed in all, but only 2 are the sync's own failures
    for (const c of claimed.slice(3, 5))
      await store.meetings.fail({ owner: 'test', key: c, reason: 'not_connected', error: 'later', now });
    await alerts.check(now);
    expect(await store.alerts.listOpen('ws_1')).toEqual([]);
    const third = claimed[2];
    if (third)
      await store.meetings.fail({
        owner: 'test',
        key: third,
        reason: 'salesforce_record_error',
        error: 'bad',
        now,
      });
    await alerts.check(now + 1);
    await alerts.check(now + 2);
    const open = await store.alerts.listOpen('ws_1');
    expect(open.map((a) => a.kind)).toEqual(['sync.failing']);
    expect(open[0]?.payload).toMatchObject({ failed: 3 });
  });
});

describe('alerts through the running service', () => {
  test('when the connection breaks, then Salescaling is told and the page shows the alert', async () => {
    const rx = await receiver([]);
    const svc = await startTestService({ OUTBOUND_WEBHOOK_URL: rx.url }, { alertPollMs: 50 });
    try {
      await svc.store.connections.save(connection('ws_1'));
      await svc.store.connections.markBroken('ws_1', 'refresh_failed:invalid_grant');
      await eventually('an alert at the receiver', () => rx.got.length > 0, { timeoutMs: 10_000 });
      expect(JSON.parse(rx.got[0]?.raw ?? '{}')).toMatchObject({
        type: 'connection.broken',
        workspaceId: 'ws_1',
      });
      const page = await (await signIn(svc.url, 'ws_1')).get('/settings/integrations');
      expect(page.html).toContain('data-kind="connection.broken"');
      expect(page.html).toContain('Salesforce no longer accepts the connection');
    } finally {
      await svc.dispose();
      await new Promise((r) => rx.server.close(r));
    }
  });
});
