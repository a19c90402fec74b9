/**
 * Health names a missing permission, in Chromium. The local org grants its admin everything and has
 * no knob to take a permission away, so (as in contract/permissions-contract.test.ts) a stand-in
 * answers the describe calls the way Salesforce does for a narrower grant: Task not createable,
 * Opportunity not visible at all (404 NOT_FOUND).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { connection } from '../support/fixtures.ts';
import { api, startTestService, type TestService } from '../support/service.ts';
import { launchBrowser } from './browser.ts';

jest.setTimeout(60_000);

const all = { createable: true, updateable: true, deletable: true, queryable: true };

describe('health with a missing permission, in Chromium', () => {
  let server: Server;
  let svc: TestService;
  let browser: Browser;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const name = /\/sobjects\/(\w+)\/describe/.exec(req.url ?? '')?.[1];
      if (!name || name === 'Opportunity') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]),
        );
        return;
      }
      const fields =
        name === 'EventRelation'
          ? [{ name: 'Id' }, { name: 'IsParent' }, { name: 'IsWhat' }]
          : [{ name: 'Id' }, { name: 'Subject' }];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name, ...all, ...(name === 'Task' ? { createable: false } : {}), fields }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    svc = await startTestService({}, { runWorker: false });
    await svc.store.saveConnection({ ...connection('ws_1'), loginUrl: url, instanceUrl: url });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.dispose();
    await new Promise((resolve) => server?.close(resolve));
  });

  test('when the admin presses Check again, then each missing permission is named with its fix', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const link = await api(svc.url, 'POST', '/v1/workspaces/ws_1/admin-links');
    await page.goto(String(link.body['url']));
    await page.getByRole('button', { name: 'Check again' }).click();
    expect(await page.locator('[data-id="banner"]').textContent()).toContain('Checked the org again');
    const missing = page.locator('[data-id="missing-permission"]');
    expect(await missing.evaluateAll((els) => els.map((e) => e.getAttribute('data-object')))).toEqual([
      'Task',
      'Opportunity',
    ]);
    expect(await page.locator('[data-id="missing-permission"][data-object="Task"]').textContent()).toMatch(
      /create missing.*Salescaling Integration User/,
    );
    expect(
      await page.locator('[data-id="missing-permission"][data-object="Opportunity"]').textContent(),
    ).toContain('read missing');
    expect(await page.locator('[data-id="permission"][data-object="Event"]').count()).toBe(1);
    // the status API agrees: the page shows what the check stored
    expect((await api(svc.url, 'GET', '/v1/workspaces/ws_1/salesforce')).body['permissions']).toEqual({
      ok: false,
      missing: ['Task.create', 'Opportunity.read'],
    });
    const shots = process.env['SCREENSHOTS_DIR'];
    if (shots) {
      await page.locator('#health').scrollIntoViewIfNeeded();
      await page.locator('#health').screenshot({ path: join(shots, 'admin-health-missing-permission.png') });
    }
  });
});
