/**
 * The admin page in a real browser (Chromium through playwright-core) against the service and the
 * local org: sign in by link, be refused then connect through the local org's login page, read the
 * health (a missing package field named, with its fix), find a failed meeting and resync it, run a
 * dry-run backfill and then a real one while the progress bar moves, change a setting (and be refused
 * a stale one), disconnect after confirming.
 * With SCREENSHOTS_DIR set, each state is saved as admin-*.png (docs/images for the admin guide).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SalesforceError } from '../../src/salesforce/errors.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import type { SyncMeetingFn } from '../../src/worker/worker.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook } from '../support/service.ts';
import { orgQuery, startStack, type Stack } from '../support/stack.ts';
import { launchBrowser } from './browser.ts';

jest.setTimeout(120_000);

const shots = process.env['SCREENSHOTS_DIR'];
async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  if (shots) await page.screenshot({ path: join(shots, `admin-${name}.png`), fullPage });
}

// The first attempt at this meeting is refused the way Salesforce refuses a record (a validation
// rule); after Resync, the real sync runs.
let rejectOnce = true;
const sometimesRejecting: SyncMeetingFn = async (conn, org, input, previous) => {
  if (rejectOnce && input.kind === 'upsert' && input.meeting.id === 'mtg_rejected') {
    rejectOnce = false;
    throw new SalesforceError(
      'record',
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      'Events need a Type before they can be saved',
      { fields: ['Type'], statusCode: 400 },
    );
  }
  return syncMeeting(conn, org, input, previous);
};

const buyer = { email: 'buyer@example.org', name: 'Bea Buyer', internal: false };

describe('the admin page in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    stack = await startStack({
      org: { knobs: { packageInstalled: false } },
      service: { syncMeeting: sometimesRejecting },
    });
    const [acme] = stack.org.seed('Account', [{ Name: 'Acme' }]);
    stack.org.seed('Contact', [{ LastName: 'Buyer', Email: 'buyer@example.org', AccountId: acme }]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    dir = mkdtempSync(join(tmpdir(), 'admin-browser-'));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('sign in by link, connect, health, resync a failed meeting, backfill, disconnect', async () => {
    // --- sign in by link -----------------------------------------------------------------------
    const link = await api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/admin-links');
    await page.goto(String(link.body['url']));
    expect(new URL(page.url()).pathname).toBe('/settings/integrations');
    await page.getByRole('heading', { name: 'Salesforce', level: 1 }).waitFor();
    await shot(page, 'not-connected');

    // --- connect: Deny first (a clear banner), then Allow ------------------------------------------
    const connectVia = async (action: 'Allow' | 'Deny') => {
      await page.locator('label[for="env-mydomain"]').click(); // SLDS draws the radio over the input
      expect(await page.getByLabel('My Domain', { exact: true }).isChecked()).toBe(true);
      await page.getByLabel(/My Domain URL/).fill(stack.org.url);
      await page.locator('[data-id="connect"]').click();
      await page.getByLabel('Username').fill(stack.org.username);
      await page.getByLabel('Password').fill(stack.org.password);
      await page.getByRole('button', { name: action }).click();
      await page.locator('[data-id="banner"]').waitFor();
    };
    await connectVia('Deny');
    expect(await page.locator('[data-id="banner"]').getAttribute('data-kind')).toBe('error');
    expect(await page.locator('[data-id="banner"]').textContent()).toContain('You pressed Deny');
    await shot(page, 'connect-denied');
    await connectVia('Allow');
    expect(await page.locator('[data-id="banner"]').getAttribute('data-kind')).toBe('success');
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce')).body['status']).toBe(
      'connected',
    );

    // --- health: the package is not installed in this org: each missing field is named, with the fix
    const missing = page.locator('[data-id="missing-field"]');
    expect(await missing.count()).toBeGreaterThan(0);
    expect(await missing.first().textContent()).toMatch(/Salescaling_\w+__c on Activity is missing/);
    expect(await page.locator('[data-id="missing-field-fix"]').textContent()).toContain(
      'install the Salescaling package',
    );
    expect(await page.locator('[data-id="user"]').textContent()).toBeTruthy();
    await shot(page, 'connected-health');

    expect(await page.locator('[data-id="last-refresh"]').textContent()).toContain('none since connecting');

    // --- the sync log: the failed meeting first, in an admin's words; Resync ------------------------
    stack.org.expireTokens(); // the next sync refreshes the access token first
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'mtg_ok', title: 'Pilot kickoff', participants: [buyer] })),
    );
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'mtg_rejected', title: 'Quarterly review', participants: [buyer] })),
    );
    await stack.waitFor('mtg_ok', (m) => m['state'] === 'synced');
    await stack.waitFor('mtg_rejected', (m) => m['state'] === 'failed');
    await page.goto(`${stack.svc.url}/settings/integrations#sync-log`);
    const firstRow = page.locator('[data-id="meeting-row"]').first();
    expect(await firstRow.getAttribute('data-meeting')).toBe('mtg_rejected');
    expect(await page.locator('[data-id="last-refresh"]').textContent()).toMatch(
      /Last refresh: \S+ \(refreshed\)/,
    );
    expect(await firstRow.locator('[data-id="meeting-error"]').textContent()).toContain(
      'Salesforce rejected the record',
    );
    await shot(page, 'sync-log-failed');
    await firstRow.locator('[data-id="resync"]').click();
    expect(await page.locator('[data-id="banner"]').textContent()).toContain('queued to sync again');
    const synced = await stack.waitFor('mtg_rejected', (m) => m['state'] === 'synced');
    await page.reload();
    const row = page.locator('[data-meeting="mtg_rejected"]');
    expect(await row.getAttribute('data-state')).toBe('synced');
    const eventId = (synced['salesforce'] as { eventId: string }).eventId;
    expect(await row.locator('[data-object="Event"]').getAttribute('href')).toBe(
      `${stack.org.url}/lightning/r/Event/${eventId}/view`,
    );
    expect(await orgQuery(stack.org, `SELECT Id FROM Event WHERE Id = '${eventId}'`)).toHaveLength(1);
    await shot(page, 'sync-log-resynced');

    // --- backfill: a dry run writes nothing; a real run moves the progress bar ----------------------
    const file = join(dir, 'meetings.ndjson');
    const n = 24;
    writeFileSync(
      file,
      Array.from({ length: n }, (_, i) =>
        JSON.stringify(
          processedEvent(
            meeting({ id: `past_${i + 1}`, title: `Past meeting ${i + 1}`, participants: [buyer] }),
          ),
        ),
      ).join('\n'),
    );
    const countPast = async () =>
      (await orgQuery(stack.org, `SELECT Id FROM Event WHERE Subject LIKE 'Past meeting%'`)).length;
    await page.locator('[data-id="backfill-file"]').setInputFiles(file);
    await page.locator('[data-id="backfill-dry-run"]').click();
    await page.locator('[data-id="dry-run"]').waitFor();
    expect(await page.locator('[data-id="dry-run"]').textContent()).toContain(`${n} would be created`);
    expect(await countPast()).toBe(0);
    await page.locator('#backfill').scrollIntoViewIfNeeded();
    await shot(page, 'backfill-dry-run');

    stack.org.setKnobs({ latencyMs: 100 }); // slow enough for the bar to be seen moving
    await page.locator('[data-id="backfill-run"]').click();
    const bar = page.locator('[data-id="backfill"]').first().locator('[data-id="backfill-bar"]');
    const seen: number[] = [];
    let midShot = false;
    for (;;) {
      const state = await page.locator('[data-id="backfill"]').first().getAttribute('data-state');
      const value = Number(await bar.getAttribute('aria-valuenow'));
      if (seen.at(-1) !== value) seen.push(value);
      if (!midShot && value > 0 && value < 100) {
        midShot = true;
        await shot(page, 'backfill-running');
      }
      if (state === 'done') break;
      await page.waitForTimeout(100);
    }
    stack.org.setKnobs({ latencyMs: 0 });
    expect(seen.at(-1)).toBe(100);
    expect(seen.some((v) => v > 0 && v < 100)).toBe(true);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen); // it only moves forward
    expect(await countPast()).toBe(n);
    await shot(page, 'backfill-done');

    // --- change a setting: saved through the settings API's use-case; a stale form is refused ------
    const settingsNow = async () =>
      (await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce/settings')).body as {
        version: number;
        settings: { apiBudget: { stopAtPercent: number }; exclusions: { neverLinkDomains: string[] } };
      };
    await page.goto(`${stack.svc.url}/settings/integrations#settings`);
    const budget = page.getByLabel('Stop writing at (% of the daily API allowance)');
    await budget.fill('150');
    await page.locator('[data-id="settings-save"]').click();
    expect(
      await page.locator('[data-id="field-error"][data-field="apiBudget.stopAtPercent"]').textContent(),
    ).toMatch(/100/);
    expect(await budget.getAttribute('aria-invalid')).toBe('true');
    expect((await settingsNow()).version).toBe(0); // refused: nothing saved
    await page.getByLabel('Stop writing at (% of the daily API allowance)').fill('80');
    await page.getByLabel('Domains never linked (one per line)').fill('partner.example\nvendor.example');
    // keyboard: from the last field, Tab then Enter on the Save button
    await page.getByLabel('Stop writing at (% of the daily API allowance)').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.getAttribute("data-id")')).toBe('settings-save');
    await page.keyboard.press('Enter');
    await page.locator('[data-id="banner"]').waitFor();
    expect(await page.locator('[data-id="banner"]').textContent()).toContain('Settings saved');
    const saved = await settingsNow();
    expect(saved.version).toBe(1);
    expect(saved.settings.apiBudget.stopAtPercent).toBe(80);
    expect(saved.settings.exclusions.neverLinkDomains).toEqual(['partner.example', 'vendor.example']);
    if (shots) {
      await page.locator('#settings').scrollIntoViewIfNeeded();
      await page.locator('#settings').screenshot({ path: join(shots, 'admin-settings.png') });
    }
    // someone saves through the API meanwhile: this page's form (version 1) is now stale
    const put = await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_1/salesforce/settings', {
      version: 1,
      settings: { ...saved.settings, apiBudget: { stopAtPercent: 60 } },
    });
    expect(put.status).toBe(200);
    await page.getByLabel('Stop writing at (% of the daily API allowance)').fill('70');
    await page.locator('[data-id="settings-save"]').click();
    const conflict = page.locator('[data-id="settings-banner"]');
    expect(await conflict.getAttribute('data-kind')).toBe('error');
    expect(await conflict.textContent()).toContain('someone changed these settings meanwhile');
    const after = await settingsNow();
    expect(after.version).toBe(2);
    expect(after.settings.apiBudget.stopAtPercent).toBe(60);
    // the refused page shows the current settings, ready to change again
    expect(await page.getByLabel('Stop writing at (% of the daily API allowance)').inputValue()).toBe('60');
    // the API usage in Health is shown against that budget
    expect(await page.locator('[data-id="api-budget"]').textContent()).toContain('60%');

    // --- narrow screen ------------------------------------------------------------------------------
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${stack.svc.url}/settings/integrations`);
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'narrow', false);
    await page.setViewportSize({ width: 1280, height: 900 });

    // --- keyboard: the first Tab reaches the skip link ---------------------------------------------
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');

    // --- disconnect, after a confirmation -----------------------------------------------------------
    await page.locator('[data-id="disconnect"]').click();
    await page.locator('[data-id="disconnect-confirm"]').waitFor();
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce')).body['status']).toBe(
      'connected',
    );
    await shot(page, 'disconnect-confirm');
    await page.locator('[data-id="disconnect-yes"]').click();
    expect(await page.locator('[data-id="banner"]').textContent()).toContain('disconnected');
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce')).body['status']).toBe(
      'not_connected',
    );
  });
});
