/**
 * Health names each missing permission with its fix, in Chromium, against the real local org: the
 * admin makes a copy of the integration permission set over REST with some grants taken out (two
 * package fields read-only), assigns it to a new Standard User, and that user connects through the
 * org's login page. The page must show what the status API says (`permissions.details`).
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { LocalOrg } from '../../../emulator/src/index.ts';
import { api } from '../support/service.ts';
import { orgAdminToken, orgQuery, startStack, type Stack } from '../support/stack.ts';
import { launchBrowser } from './browser.ts';

jest.setTimeout(90_000);

/** Grants taken out of the copy: these fields stay readable but not editable. */
const READ_ONLY = ['Event.Salescaling_Attendees__c', 'Task.Salescaling_Recording_Url__c'];
const COPY = 'Salescaling_Integration_Copy';

async function adminPost(org: LocalOrg, object: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${org.url}/services/data/v66.0/sobjects/${object}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await orgAdminToken(org)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const out = (await res.json()) as { id?: string };
  if (res.status !== 201 || !out.id)
    throw new Error(`create ${object}: ${res.status} ${JSON.stringify(out)}`);
  return out.id;
}

/** The integration permission set, copied field by field over REST, minus edit on READ_ONLY. */
async function copyIntegrationSetMinus(org: LocalOrg): Promise<void> {
  const [source] = await orgQuery<Record<string, unknown>>(
    org,
    "SELECT Id, PermissionsApiEnabled, PermissionsEditEvent, PermissionsEditTask FROM PermissionSet WHERE Name = 'Salescaling_Integration_User'",
  );
  const sourceId = String(source?.['Id']);
  const copyId = await adminPost(org, 'PermissionSet', {
    Name: COPY,
    Label: 'Salescaling Integration (copy)',
    PermissionsApiEnabled: source?.['PermissionsApiEnabled'],
    PermissionsEditEvent: source?.['PermissionsEditEvent'],
    PermissionsEditTask: source?.['PermissionsEditTask'],
  });
  const objects = await orgQuery<Record<string, unknown>>(
    org,
    `SELECT SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit, PermissionsDelete FROM ObjectPermissions WHERE ParentId = '${sourceId}'`,
  );
  for (const { attributes: _, ...o } of objects)
    await adminPost(org, 'ObjectPermissions', { ...o, ParentId: copyId });
  const fields = await orgQuery<Record<string, unknown>>(
    org,
    `SELECT SobjectType, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = '${sourceId}'`,
  );
  expect(fields.map((f) => f['Field'])).toEqual(expect.arrayContaining(READ_ONLY));
  for (const { attributes: _, ...f } of fields) {
    const readOnly = READ_ONLY.includes(String(f['Field']));
    await adminPost(org, 'FieldPermissions', {
      ...f,
      ...(readOnly ? { PermissionsEdit: false } : {}),
      ParentId: copyId,
    });
  }
}

describe('health with a missing permission, in Chromium, against the local org', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
    stack = await startStack();
    await copyIntegrationSetMinus(stack.org);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
  });

  test('when a Standard User with a narrower permission set connects, then each missing permission is named with its fix', async () => {
    const user = await stack.org.createUser({ permissionSets: [COPY] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const link = await api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/admin-links');
    await page.goto(String(link.body['url']));
    await page.locator('label[for="env-mydomain"]').click();
    await page.getByLabel(/My Domain URL/).fill(stack.org.url);
    await page.locator('[data-id="connect"]').click();
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.locator('[data-id="banner"]').waitFor();
    expect(await page.locator('[data-id="banner"]').getAttribute('data-kind')).toBe('success');

    // the status API names exactly the grants taken out, each with its fix
    const status = (await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce')).body;
    expect((status['user'] as { id: string }).id).toBe(user.id);
    const permissions = status['permissions'] as {
      ok: boolean;
      missing: string[];
      details: { name: string; fix: string }[];
    };
    expect(permissions.ok).toBe(false);
    expect([...permissions.missing].sort()).toEqual(READ_ONLY.map((f) => `${f}.edit`).sort());
    // sandbox or production, as the org's Organization.IsSandbox says
    expect(status['isSandbox']).toBe(false);
    expect(await page.locator('[data-id="org"]').textContent()).toContain('(production)');

    // the page shows the same names, in the same order, each with the same fix
    const items = page.locator('[data-id="missing-permission"]');
    expect(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-permission')))).toEqual(
      permissions.missing,
    );
    for (const d of permissions.details) {
      const item = page.locator(`[data-id="missing-permission"][data-permission="${d.name}"]`);
      expect(await item.locator('[data-id="permission-fix"]').textContent()).toBe(
        `How to fix: grant ${d.fix}.`,
      );
      expect(d.fix).toContain('Salescaling Integration User');
    }
    // the objects those fields belong to carry a cross; the others a tick
    expect(
      await page
        .locator('[data-id="permission-gap"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-object'))),
    ).toEqual(['Event', 'Task']);
    expect(await page.locator('[data-id="permission"][data-object="Contact"]').count()).toBe(1);

    // assigning the real permission set and pressing Check again clears them
    const [assigned] = await orgQuery<{ Id: string }>(
      stack.org,
      "SELECT Id FROM PermissionSet WHERE Name = 'Salescaling_Integration_User'",
    );
    await adminPost(stack.org, 'PermissionSetAssignment', {
      AssigneeId: user.id,
      PermissionSetId: assigned?.Id,
    });
    const shots = process.env['SCREENSHOTS_DIR'];
    if (shots) {
      await page.locator('#health').scrollIntoViewIfNeeded();
      await page.locator('#health').screenshot({ path: join(shots, 'admin-health-missing-permission.png') });
    }
    await page.getByRole('button', { name: 'Check again' }).click();
    expect(await page.locator('[data-id="banner"]').textContent()).toContain('Checked the org again');
    expect(await page.locator('[data-id="missing-permission"]').count()).toBe(0);
    expect(
      (await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce')).body['permissions'],
    ).toMatchObject({
      ok: true,
      missing: [],
    });
  });
});
